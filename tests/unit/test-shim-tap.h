/* Minimal TAP for the shim's unit tests. */
#ifndef TEST_SHIM_TAP_H
#define TEST_SHIM_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define OK(cond, ...)                                                                \
	do {                                                                         \
		bool ok_ = (cond);                                                   \
		printf("%sok %d - ", ok_ ? "" : "not ", ++tap_n);                    \
		printf(__VA_ARGS__);                                                 \
		printf("\n");                                                        \
		if (!ok_) {                                                          \
			tap_failed++;                                                \
			printf("# failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
		}                                                                    \
	} while (0)

#define STREQ(a, b, ...) OK((a) != NULL && (b) != NULL && strcmp((a), (b)) == 0, __VA_ARGS__)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
