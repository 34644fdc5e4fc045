/* Minimal TAP for the oci-spec unit tests (plan printed at the end). */
#ifndef CLEAT_TESTS_OCI_TAP_H
#define CLEAT_TESTS_OCI_TAP_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

static inline bool tap_ok(bool cond, const char *file, int line, const char *what)
{
	printf("%sok %d - %s\n", cond ? "" : "not ", ++tap_n, what);
	if (!cond) {
		tap_failed++;
		printf("#   at %s:%d\n", file, line);
	}
	fflush(stdout);
	return cond;
}
#define ok(cond, what) tap_ok((cond), __FILE__, __LINE__, (what))

/* Compare strings; print both on mismatch. */
static inline bool tap_is(const char *got, const char *want, const char *file, int line,
			  const char *what)
{
	bool same = got && want && strcmp(got, want) == 0;
	if (!tap_ok(same, file, line, what)) {
		printf("#   got:  %s\n", got ? got : "(null)");
		printf("#   want: %s\n", want ? want : "(null)");
	}
	return same;
}
#define is(got, want, what) tap_is((got), (want), __FILE__, __LINE__, (what))

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
