/* Cutting long user-supplied text for messages (see cut.h). */
#include "config.h"
#include "common/cut.h"

#include <stdio.h>
#include <string.h>

/* the kept bytes, "…" (3 bytes) and " (N bytes)" with N of up to 20 digits */
#define CUT_BUF (CLEAT_CUT_KEEP + 3 + 30)

size_t cleat_cut_keep(const char *s)
{
	size_t keep = CLEAT_CUT_KEEP;
	/* never in the middle of a UTF-8 sequence: the message may end up in JSON */
	while (keep > 0 && ((unsigned char) s[keep] & 0xC0) == 0x80)
		keep--;
	return keep;
}

static char *cut_into(char *buf, const char *s, size_t len)
{
	size_t keep = cleat_cut_keep(s);
	memcpy(buf, s, keep);
	snprintf(buf + keep, CUT_BUF - keep, "\xe2\x80\xa6 (%zu bytes)", len);
	return buf;
}

const char *cleat_cut(const char *s)
{
	static _Thread_local char ring[CLEAT_CUT_RING][CUT_BUF];
	static _Thread_local unsigned next;
	if (!s)
		return NULL;
	size_t len = strlen(s);
	if (len <= CLEAT_CUT_MAX)
		return s;
	return cut_into(ring[next++ % CLEAT_CUT_RING], s, len);
}
