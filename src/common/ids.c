/* Parsing uids and gids given as text (see ids.h for the range). */
#include "config.h"
#include "common/ids.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int cleat_parse_id(const char *s, uint32_t *out)
{
	size_t digits = s ? strspn(s + (*s == '-' || *s == '+'), "0123456789") : 0;
	if (digits == 0 || s[(*s == '-' || *s == '+') + digits] != '\0') {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	long long v = strtoll(s, NULL, 10);
	if (errno == ERANGE || !cleat_id_valid(v)) {
		errno = ERANGE;
		return -1;
	}
	*out = (uint32_t) v;
	return 0;
}
