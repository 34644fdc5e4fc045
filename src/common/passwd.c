#include "config.h"
#include "common/passwd.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

char *cleat_passwd_lookup(const char *path, uid_t uid, enum cleat_passwd_field f)
{
	_cleanup_fclose_ FILE *fp = fopen(path, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	while (fp && getline(&line, &cap, fp) >= 0) {
		/* As glibc's files module: leading blanks, empty and '#' lines skipped. */
		char *s = line + strspn(line, " \t");
		s[strcspn(s, "\n")] = '\0';
		if (*s == '\0' || *s == '#')
			continue;
		/* name:password:uid:gid:gecos:home:shell */
		char *fields[7] = { 0 };
		int n = 0;
		while (n < 7 && (fields[n] = strsep(&s, ":")) != NULL)
			n++;
		long long u;
		if (n <= (int) f || n < 3 || parse_int(fields[2], 0, UINT32_MAX, &u) < 0 ||
		    (uid_t) u != uid)
			continue;
		return xstrdup(fields[f]);
	}
	return NULL;
}

char *cleat_passwd_owner_name(uid_t uid)
{
	char *name = cleat_passwd_lookup("/etc/passwd", uid, CLEAT_PASSWD_NAME);
	return name && *name ? name : (free(name), xasprintf("#%u", (unsigned) uid));
}
