/* LSM helpers beyond security.h: detection (for `cleat features`, config
 * validation) and the SELinux mount label for mount data. */
#ifndef CLEAT_RUNTIME_LINUX_LSM_H
#define CLEAT_RUNTIME_LINUX_LSM_H

#include <stdbool.h>

#include "common/error.h"

bool cleat_lsm_apparmor_enabled(void);
bool cleat_lsm_selinux_enabled(void);

/* At config load: a label for an LSM this host does not run is an error
 * (runc and crun both fail such a container; better before anything is built). */
int cleat_lsm_validate(const char *apparmor_profile, const char *selinux_label, cleat_error_t *err);

/* process.selinuxLabel also labels the keys this thread creates next
 * (attr/keycreate), i.e. the container's session keyring, as runc does: a
 * keyring left with the runtime's label is one the container's domain may not
 * be allowed to use.  A no-op without a label; execve resets it. */
int cleat_lsm_set_keycreate_label(const char *selinux_label, cleat_error_t *err);

/* linux.mountLabel, the way runc applies it (go-selinux's FormatMountLabel).
 * Every returned string is owned by the caller; NULL data is "". */

/* data with `context="<mount_label>"` appended; a copy of data for no label. */
char *cleat_lsm_format_mount_label(const char *data, const char *mount_label);
/* The same, but only when SELinux is enabled: runc and crun ignore a
 * mountLabel without it (the kernel would refuse context=). */
char *cleat_lsm_mount_data(const char *data, const char *mount_label);
/* Whether a new filesystem of this type gets context= (not proc, sysfs,
 * mqueue, cgroup, cgroup2, bind). */
bool cleat_lsm_mount_type_labeled(const char *type);
/* cleat_lsm_mount_data() for the labeled types, a copy of data otherwise. */
char *cleat_lsm_fs_mount_data(const char *type, const char *data, const char *mount_label);
/* mqueue is labelled on its root's security.selinux xattr after the mount,
 * as runc does; a no-op for other types, without SELinux or a label.  tree is
 * the detached mount's fd. */
int cleat_lsm_label_mount_root(int tree, const char *type, const char *mount_label,
			       cleat_error_t *err);
/* Split mount data in place like mount(2): commas inside double quotes do not
 * separate options and the quotes are dropped.  Returns the next option (may
 * be "") and advances *cursor, NULL once *cursor is NULL. */
char *cleat_lsm_mount_opt_next(char **cursor);

#endif
