/* Users by uid, read from a passwd(5) file directly: no NSS modules loaded (cleat is a
 * static binary, and inside a container there is no NSS to ask), as runc's Go code
 * without cgo does. */
#pragma once

#include <sys/types.h>

enum cleat_passwd_field {
	CLEAT_PASSWD_NAME = 0,
	CLEAT_PASSWD_HOME = 5,
};

/* A copy of field `f` of the first entry of `path` (say "/etc/passwd") whose uid is
 * `uid`, or NULL when the file or the entry is missing.  Lines of any length; blank
 * and '#' lines are skipped, as glibc's files module does. */
char *cleat_passwd_lookup(const char *path, uid_t uid, enum cleat_passwd_field f);

/* runc's owner column: the user's name, or "#<uid>" when it has none. */
char *cleat_passwd_owner_name(uid_t uid);
