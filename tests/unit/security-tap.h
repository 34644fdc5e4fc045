/* Minimal TAP for the security unit tests. */
#ifndef CLEAT_TESTS_SECURITY_TAP_H
#define CLEAT_TESTS_SECURITY_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...)                                                            \
	do {                                                                     \
		int ok_ = !!(cond);                                              \
		printf("%sok %d - ", ok_ ? "" : "not ", ++tap_n);                \
		printf(__VA_ARGS__);                                             \
		printf("\n");                                                    \
		if (!ok_) {                                                      \
			tap_failed++;                                            \
			printf("#   at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                \
		fflush(stdout);                                                  \
	} while (0)

/* The error's text contains `needle`; the error is consumed. */
static inline int err_has(cleat_error_t *err, const char *needle)
{
	char *s = cleat_error_string(*err);
	int r = *err != NULL && strstr(s, needle) != NULL;
	if (!r)
		printf("#   error was: %s\n", s);
	free(s);
	cleat_error_free(err);
	return r;
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
