/* The OCI / mount(8) option vocabulary of a `mounts` entry, turned into what
 * the kernel takes: MS_* flags for mount(2), propagation changes, recursive
 * mount_setattr(2) attributes, idmap requests and the fs-specific data string.
 * Pure parsing: no syscalls, so it is unit-tested on its own. */
#ifndef CLEAT_RUNTIME_LINUX_MOUNT_OPTIONS_H
#define CLEAT_RUNTIME_LINUX_MOUNT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mount.h>

#include "common/error.h"

/* At most this many propagation options per entry ("shared,rslave" is legal,
 * and runc applies them in order). */
#define CLEAT_MAX_PROPAGATION 8

struct cleat_mount_flags {
	unsigned long flags; /* MS_* set by the options (bind, ro, nosuid, ...) */
	unsigned long cleared; /* MS_* explicitly cleared (rw, suid, atime, ...) */
	/* Propagation changes in the order given: MS_SHARED|MS_SLAVE|MS_PRIVATE|
	 * MS_UNBINDABLE, optionally with MS_REC. */
	unsigned long propagation[CLEAT_MAX_PROPAGATION];
	size_t n_propagation;
	/* r* options: mount_setattr(AT_RECURSIVE) set/clear masks (MOUNT_ATTR_*). */
	uint64_t rec_attr_set, rec_attr_clr;
	bool idmap; /* "idmap": idmap the mount itself */
	bool ridmap; /* "ridmap": idmap the whole cloned tree */
	bool tmpcopyup; /* copy the underlying directory into a new tmpfs */
	char *data; /* unknown options joined by ',' (fs-specific data), NULL if none */
};

/* Parse `options`.  Unknown options go to ->data in order.  Fails only on
 * contradictions the kernel cannot express (too many propagation options). */
int cleat_mount_options_parse(char *const *options, size_t n, struct cleat_mount_flags *out,
			      cleat_error_t *err);
void cleat_mount_flags_free(struct cleat_mount_flags *f);

/* One propagation word ("rslave", "private", ...) → MS_* (| MS_REC), or 0 when
 * the word is not a propagation option. */
unsigned long cleat_mount_propagation_flag(const char *word);

/* MS_* mount-level flags (ro nosuid nodev noexec atime family nosymfollow) →
 * MOUNT_ATTR_* for fsmount(2) / mount_setattr(2). */
uint64_t cleat_mount_ms_to_attr(unsigned long ms);

/* Is `key` (or `key=`) among the comma-separated options of data? */
bool cleat_mount_data_has(const char *data, const char *key);

/* MS_* flags that live on the mount (vs. the superblock). */
#define CLEAT_MS_MNT_FLAGS                                                                         \
	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | \
	 MS_STRICTATIME | MS_NOSYMFOLLOW)
/* MS_* flags that live on the superblock. */
#define CLEAT_MS_SB_FLAGS \
	(MS_SYNCHRONOUS | MS_DIRSYNC | MS_MANDLOCK | MS_LAZYTIME | MS_I_VERSION | MS_SILENT)

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

#endif
