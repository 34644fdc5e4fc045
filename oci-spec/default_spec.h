/* The default config.json written by `cleat spec`: runc 1.1's `runc spec`. */
#ifndef CLEAT_OCI_DEFAULT_SPEC_H
#define CLEAT_OCI_DEFAULT_SPEC_H

#include <stdbool.h>

/* The ociVersion runc 1.1 writes into its default spec. */
#define OCI_DEFAULT_SPEC_VERSION "1.0.2-dev"

/* The same JSON text `runc spec` (rootless: `runc spec --rootless`, mapping
 * the caller's euid/egid to 0) writes: tab-indented, no trailing newline.
 * Owned by the caller. */
char *oci_default_spec_json(bool rootless);

#endif
