/* Civil date from a day count: Howard Hinnant's days-to-civil algorithm
 * (proleptic Gregorian calendar, eras of 400 years). */
#include "config.h"
#include "common/utc_time.h"

#include <stdio.h>

size_t cleat_utc_format(time_t t, char *buf, size_t size)
{
	long long days = t / 86400, secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	days += 719468; /* 0000-03-01 to 1970-01-01 */
	long long era = (days >= 0 ? days : days - 146096) / 146097;
	long long doe = days - era * 146097; /* [0, 146096] */
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* [0, 365] */
	long long mp = (5 * doy + 2) / 153; /* March = 0 */
	long long day = doy - (153 * mp + 2) / 5 + 1;
	long long month = mp < 10 ? mp + 3 : mp - 9;
	long long year = yoe + era * 400 + (month <= 2);
	int n = snprintf(buf, size, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld", year, month, day,
			 secs / 3600, secs / 60 % 60, secs % 60);
	return n < 0 ? 0 : (size_t) n < size ? (size_t) n : size - 1;
}
