/* UTC timestamps without the C library's time zone code. */
#pragma once

#include <stddef.h>
#include <time.h>

/* Writes "YYYY-MM-DDTHH:MM:SS" (no fraction, no zone) for `t` seconds since the epoch
 * into buf (at least 20 bytes); returns the length.  Unlike gmtime_r + strftime it
 * reads no time zone file (glibc loads /etc/localtime on the first gmtime_r). */
size_t cleat_utc_format(time_t t, char *buf, size_t size);
