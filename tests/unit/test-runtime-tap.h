/* Minimal TAP for the runtime unit tests. */
#ifndef CLEAT_TEST_RUNTIME_TAP_H
#define CLEAT_TEST_RUNTIME_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...)                                  \
	do {                                           \
		tap_n++;                               \
		if (cond) {                            \
			printf("ok %d - ", tap_n);     \
		} else {                               \
			tap_failed++;                  \
			printf("not ok %d - ", tap_n); \
		}                                      \
		printf(__VA_ARGS__);                   \
		printf("\n");                          \
	} while (0)

#define ok_str(got, want, ...)                                                          \
	do {                                                                            \
		const char *g_ = (got), *w_ = (want);                                   \
		int m_ = g_ && w_ && strcmp(g_, w_) == 0;                               \
		ok(m_, __VA_ARGS__);                                                    \
		if (!m_)                                                                \
			printf("#   got:  %s\n#   want: %s\n", g_ ? g_ : "(null)", w_); \
	} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
