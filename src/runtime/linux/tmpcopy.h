/* The `tmpcopyup` mount option: a new tmpfs starts as a copy of the directory it covers. */
#ifndef CLEAT_RUNTIME_LINUX_TMPCOPY_H
#define CLEAT_RUNTIME_LINUX_TMPCOPY_H

#include "common/error.h"

/* Copy the tree under the directory `src` (any fd on it, O_PATH is fine) into
 * the directory `dst`, keeping modes, owners, symlinks and device nodes;
 * symlinks are copied, never followed. */
int cleat_tmpcopyup(int src, int dst, cleat_error_t *err);

#endif
