/* Capability name helpers shared by caps.c, `cleat features` and the unit tests. */
#ifndef CLEAT_RUNTIME_LINUX_CAPS_H
#define CLEAT_RUNTIME_LINUX_CAPS_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* "CAP_CHOWN" -> 0; -1 when the name is not a capability (case-sensitive, as runc). */
int cleat_cap_from_name(const char *name);
/* 0 -> "CAP_CHOWN"; NULL when unknown. */
const char *cleat_cap_name(int cap);
/* Every name this runtime knows, in kernel numbering order, NULL-terminated
 * (the `linux.capabilities` list of `cleat features`). */
const char *const *cleat_cap_names(void);
/* Highest capability number of the running kernel. */
int cleat_cap_last(void);
/* Names -> bit mask.  An unknown name is an error naming `field`; a name this
 * kernel lacks is skipped and appended (space separated) to *unavailable
 * (owned by the caller; may be NULL). */
int cleat_caps_mask(char *const *names, size_t n, const char *field, uint64_t *mask,
		    char **unavailable, cleat_error_t *err);

/* The same against a given last capability (the unit tests play an older kernel). */
int cleat_caps_mask_last(char *const *names, size_t n, const char *field, int last, uint64_t *mask,
			 char **unavailable, cleat_error_t *err);

#endif
