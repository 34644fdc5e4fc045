/* The state directory used when --root is not given. */
#ifndef CLEAT_RUNTIME_DEFAULT_ROOT_H
#define CLEAT_RUNTIME_DEFAULT_ROOT_H

#include <stdbool.h>

/* True when this process runs in a user namespace other than the initial one
 * (its uid_map is not the identity map of all 2^32-1 ids). */
bool cleat_in_user_namespace(void);

/* The default --root, as runc chooses it: $XDG_RUNTIME_DIR/cleat for an
 * unprivileged caller, and for uid 0 inside a user namespace unless $USER is
 * "root" (rootless podman runs the runtime that way, as mapped root with its
 * user's XDG_RUNTIME_DIR); CLEAT_DEFAULT_ROOT otherwise. The result is
 * allocated. */
char *cleat_default_root(void);

#endif
