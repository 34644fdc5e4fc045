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

/* Mount data with `context="<mount_label>"` appended when SELinux is enabled
 * and a label is set; otherwise a copy of data.  NULL data is "".  Owned by
 * the caller. */
char *cleat_lsm_mount_data(const char *data, const char *mount_label);

#endif
