/* /proc/<pid>/mountinfo reader (proc(5)): used to find the mount holding the
 * rootfs (its propagation) and the host's cgroup v1 hierarchies. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "runtime/linux/rootfs_internal.h"

/* Undo the octal escapes (\040 for ' ', \011, \012, \134) of mountinfo. */
static char *unescape(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;
	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char) (((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

static void entry_free(struct mountinfo_entry *e)
{
	free(e->root);
	free(e->mountpoint);
	free(e->options);
	free(e->optional);
	free(e->fstype);
	free(e->source);
	free(e->super_options);
}

/* One line: id parent maj:min root mountpoint options [optional...] - fstype source super */
static bool parse_line(char *line, struct mountinfo_entry *e)
{
	char *save = NULL, *tok[6];
	for (int i = 0; i < 6; i++) {
		tok[i] = strtok_r(i ? NULL : line, " \n", &save);
		if (tok[i] == NULL)
			return false;
	}
	char *rest = strtok_r(NULL, "\n", &save);
	if (rest == NULL)
		return false;
	char *sep = strstr(rest, "- ");
	if (sep != rest && (sep = strstr(rest, " - ")) != NULL)
		sep++;
	if (sep == NULL)
		return false;
	size_t optlen = (size_t) (sep - rest);
	while (optlen > 0 && rest[optlen - 1] == ' ')
		optlen--;
	char *tail = sep + 2, *save2 = NULL;
	char *fstype = strtok_r(tail, " ", &save2);
	char *source = strtok_r(NULL, " ", &save2);
	char *super = strtok_r(NULL, " ", &save2);
	if (fstype == NULL || source == NULL)
		return false;
	e->id = atoi(tok[0]);
	e->parent = atoi(tok[1]);
	e->root = unescape(tok[3]);
	e->mountpoint = unescape(tok[4]);
	e->options = xstrdup(tok[5]);
	e->optional = xstrndup(rest, optlen);
	e->fstype = xstrdup(fstype);
	e->source = unescape(source);
	e->super_options = xstrdup(super ? super : "");
	return true;
}

int mountinfo_read(const char *path, struct mountinfo *mi, cleat_error_t *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len, cap = 0;

	if (read_file(path, &buf, &len, err) < 0)
		return -1;
	mi->e = NULL;
	mi->n = 0;
	for (char *line = buf, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		struct mountinfo_entry e = { 0 };
		if (!parse_line(line, &e))
			continue;
		if (mi->n == cap) {
			cap = cap ? cap * 2 : 64;
			mi->e = xrealloc(mi->e, cap * sizeof(*mi->e));
		}
		mi->e[mi->n++] = e;
	}
	return 0;
}

void mountinfo_free(struct mountinfo *mi)
{
	for (size_t i = 0; i < mi->n; i++)
		entry_free(&mi->e[i]);
	free(mi->e);
	mi->e = NULL;
	mi->n = 0;
}

static bool path_under(const char *path, const char *mp)
{
	size_t l = strlen(mp);
	if (strcmp(mp, "/") == 0)
		return true;
	return strncmp(path, mp, l) == 0 && (path[l] == '\0' || path[l] == '/');
}

const struct mountinfo_entry *mountinfo_find_containing(const struct mountinfo *mi,
							const char *path)
{
	const struct mountinfo_entry *best = NULL;
	/* Later entries cover earlier ones on the same mountpoint. */
	for (size_t i = 0; i < mi->n; i++)
		if (path_under(path, mi->e[i].mountpoint) &&
		    (best == NULL || strlen(mi->e[i].mountpoint) >= strlen(best->mountpoint)))
			best = &mi->e[i];
	return best;
}
