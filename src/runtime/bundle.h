/* A bundle's config.json and rootfs, checked before any state exists. */
#ifndef CLEAT_RUNTIME_BUNDLE_H
#define CLEAT_RUNTIME_BUNDLE_H

#include <stddef.h>

#include "common/error.h"
#include "runtime/container.h"

/* bundle NULL or "": the current directory.  *config_text is the file as read; *out
 * (config, bundle, rootfs; nothing on disk yet) is set as soon as it exists, also
 * when a later check fails: the caller frees both. */
int cleat_bundle_load(const char *bundle, char **config_text, size_t *config_len,
		      struct cleat_container **out, cleat_error_t *err);

#endif
