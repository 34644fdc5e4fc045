#include "config.h"
#include "common/passwd.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"

char *cleat_passwd_lookup(const char *path, uid_t uid, enum cleat_passwd_field f)
{
	_cleanup_fclose_ FILE *fp = fopen(path, "re");
	char line[1024];
	while (fp && fgets(line, sizeof line, fp)) {
		/* name:password:uid:gid:gecos:home:shell */
		char *fields[7] = { 0 };
		char *s = line;
		int n = 0;
		line[strcspn(line, "\n")] = '\0';
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
