#include "config.h"
#include "common/mount_flags.h"

#include <string.h>

#include "common/util.h"

#define BOTH false
#define RUNTIME true

/* No "acl"/"noacl": MS_POSIXACL is a superblock flag that mount(2) does not take from
 * user space, so like runc 1.2+ they reach the filesystem as data, where one that knows
 * them (ext4, xfs...) applies them and one that does not refuses them. */
static const struct cleat_mount_flag mount_flags[] = {
	{ "async", true, BOTH, MS_SYNCHRONOUS },
	{ "atime", true, BOTH, MS_NOATIME },
	{ "bind", false, BOTH, MS_BIND },
	{ "defaults", false, BOTH, 0 },
	{ "dev", true, BOTH, MS_NODEV },
	{ "diratime", true, BOTH, MS_NODIRATIME },
	{ "dirsync", false, BOTH, MS_DIRSYNC },
	{ "exec", true, BOTH, MS_NOEXEC },
	{ "iversion", false, RUNTIME, MS_I_VERSION },
	{ "lazytime", false, RUNTIME, MS_LAZYTIME },
	{ "loud", true, RUNTIME, MS_SILENT },
	{ "mand", false, BOTH, MS_MANDLOCK },
	{ "noatime", false, BOTH, MS_NOATIME },
	{ "nodev", false, BOTH, MS_NODEV },
	{ "nodiratime", false, BOTH, MS_NODIRATIME },
	{ "noexec", false, BOTH, MS_NOEXEC },
	{ "noiversion", true, RUNTIME, MS_I_VERSION },
	{ "nolazytime", true, RUNTIME, MS_LAZYTIME },
	{ "nomand", true, BOTH, MS_MANDLOCK },
	{ "norelatime", true, BOTH, MS_RELATIME },
	{ "nostrictatime", true, BOTH, MS_STRICTATIME },
	{ "nosuid", false, BOTH, MS_NOSUID },
	{ "nosymfollow", false, RUNTIME, MS_NOSYMFOLLOW },
	{ "rbind", false, BOTH, MS_BIND | MS_REC },
	{ "relatime", false, BOTH, MS_RELATIME },
	{ "remount", false, BOTH, MS_REMOUNT },
	{ "ro", false, BOTH, MS_RDONLY },
	{ "rw", true, BOTH, MS_RDONLY },
	{ "silent", false, RUNTIME, MS_SILENT },
	{ "strictatime", false, BOTH, MS_STRICTATIME },
	{ "suid", true, BOTH, MS_NOSUID },
	{ "sync", false, BOTH, MS_SYNCHRONOUS },
	{ "symfollow", true, RUNTIME, MS_NOSYMFOLLOW },
};

const struct cleat_mount_flag *cleat_mount_flag_find(const char *word, bool runtime)
{
	for (size_t i = 0; i < ARRAY_SIZE(mount_flags); i++)
		if (strcmp(word, mount_flags[i].name) == 0)
			return runtime || !mount_flags[i].runtime_only ? &mount_flags[i] : NULL;
	return NULL;
}
