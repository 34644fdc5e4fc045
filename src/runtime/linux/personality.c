/* linux.personality: execution domain LINUX / LINUX32 plus personality(2)
 * flags.  The spec defines no flag values yet; the kernel's own names
 * (<sys/personality.h>) are accepted so a config can ask for e.g.
 * ADDR_NO_RANDOMIZE, and anything else is rejected rather than ignored. */
#include "config.h"
#include "runtime/linux/personality.h"
#include "runtime/linux/security.h"

#include <errno.h>
#include <string.h>
#include <sys/personality.h>

#include "common/util.h"

static const struct {
	const char *name;
	unsigned long value;
} persona_flags[] = {
	{ "UNAME26", UNAME26 },
	{ "ADDR_NO_RANDOMIZE", ADDR_NO_RANDOMIZE },
	{ "FDPIC_FUNCPTRS", FDPIC_FUNCPTRS },
	{ "MMAP_PAGE_ZERO", MMAP_PAGE_ZERO },
	{ "ADDR_COMPAT_LAYOUT", ADDR_COMPAT_LAYOUT },
	{ "READ_IMPLIES_EXEC", READ_IMPLIES_EXEC },
	{ "ADDR_LIMIT_32BIT", ADDR_LIMIT_32BIT },
	{ "SHORT_INODE", SHORT_INODE },
	{ "WHOLE_SECONDS", WHOLE_SECONDS },
	{ "STICKY_TIMEOUTS", STICKY_TIMEOUTS },
	{ "ADDR_LIMIT_3GB", ADDR_LIMIT_3GB },
};

int cleat_personality_value(const struct oci_personality *p, unsigned long *value,
			    cleat_error_t *err)
{
	if (p->domain == NULL || strcmp(p->domain, "LINUX") == 0)
		*value = PER_LINUX;
	else if (strcmp(p->domain, "LINUX32") == 0)
		*value = PER_LINUX32;
	else
		return cleat_error_msg(err, "linux.personality.domain: unknown domain \"%s\"",
				       p->domain);
	for (size_t i = 0; i < p->n_flags; i++) {
		size_t j = 0;
		while (j < ARRAY_SIZE(persona_flags) &&
		       (p->flags[i] == NULL || strcmp(persona_flags[j].name, p->flags[i]) != 0))
			j++;
		if (j == ARRAY_SIZE(persona_flags))
			return cleat_error_msg(err, "linux.personality.flags: unknown flag \"%s\"",
					       p->flags[i] ? p->flags[i] : "(null)");
		*value |= persona_flags[j].value;
	}
	return 0;
}

int cleat_personality_apply(const struct oci_personality *p, cleat_error_t *err)
{
	if (p == NULL)
		return 0;
	unsigned long value;
	if (cleat_personality_value(p, &value, err) < 0)
		return -1;
	if (personality(value) < 0)
		return cleat_error_errno(err, errno, "personality(%s)",
					 p->domain ? p->domain : "LINUX");
	return 0;
}
