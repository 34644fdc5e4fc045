/* Logging for both binaries.  Text lines, or runc-style JSON lines
 * ({"level":"error","msg":"...","time":"..."}) that containerd-shim-runc-v2
 * parses.  The sink is process-wide by design: it is configured once by main()
 * from --log / --log-format / --debug, like runc's logrus. */
#ifndef CLEAT_COMMON_LOG_H
#define CLEAT_COMMON_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

enum cleat_log_level {
	CLEAT_LOG_ERROR,
	CLEAT_LOG_WARNING,
	CLEAT_LOG_INFO,
	CLEAT_LOG_DEBUG
};
enum cleat_log_format {
	CLEAT_LOG_TEXT,
	CLEAT_LOG_JSON
};

/* path NULL means stderr.  Returns < 0 and sets err if the log can't be opened. */
int cleat_log_init(const char *path, enum cleat_log_format format, bool debug, cleat_error_t *err);
/* Use an already open fd (takes ownership) as the sink. */
void cleat_log_set_fd(int fd, enum cleat_log_format format, bool debug);
int cleat_log_fd(void);
bool cleat_log_to_stderr(void);
void cleat_log(enum cleat_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Rate limit: a token bucket per call site of the macros below, so no path of a
 * long-lived process (the shim) writes more than CLEAT_LOG_RATE lines a second
 * after a burst of CLEAT_LOG_BURST, whatever loops around it.  The first line a
 * site writes again is preceded by "N similar messages suppressed".  Off until
 * cleat_log_rate_limit(true): the short-lived runtime logs everything. */
#define CLEAT_LOG_BURST 10
#define CLEAT_LOG_RATE 2
struct cleat_ratelimit {
	uint64_t stamp_ns; /* when the bucket was last refilled; 0: never used */
	unsigned tokens;
	unsigned suppressed;
};
void cleat_log_rate_limit(bool on);
/* Take a token at now_ns (CLOCK_MONOTONIC).  True when the line may be written;
 * then *suppressed is the count dropped since the last written one. */
bool cleat_ratelimit_allow(struct cleat_ratelimit *rl, uint64_t now_ns, unsigned *suppressed);
void cleat_log_limited(struct cleat_ratelimit *rl, enum cleat_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define cleat_log_site(level, ...)                                            \
	do {                                                                  \
		static struct cleat_ratelimit cleat_log_site_rl_;             \
		cleat_log_limited(&cleat_log_site_rl_, (level), __VA_ARGS__); \
	} while (0)
#define cleat_error_log(...) cleat_log_site(CLEAT_LOG_ERROR, __VA_ARGS__)
#define cleat_warn(...) cleat_log_site(CLEAT_LOG_WARNING, __VA_ARGS__)
#define cleat_info(...) cleat_log_site(CLEAT_LOG_INFO, __VA_ARGS__)
#define cleat_debug(...) cleat_log_site(CLEAT_LOG_DEBUG, __VA_ARGS__)

/* Append s to buf as a JSON string body (escaped, without quotes). */
char *cleat_json_escape(const char *s);

#endif
