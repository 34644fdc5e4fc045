/* linux.personality -> personality(2) value (for the unit tests). */
#ifndef CLEAT_RUNTIME_LINUX_PERSONALITY_H
#define CLEAT_RUNTIME_LINUX_PERSONALITY_H

#include "common/error.h"
#include "oci-spec/config.h"

int cleat_personality_value(const struct oci_personality *p, unsigned long *value,
			    cleat_error_t *err);

#endif
