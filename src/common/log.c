#include "config.h"
#include "common/log.h"
#include "common/utc_time.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The one process-wide sink (see log.h for why it is global). */
static struct {
	int fd;
	enum cleat_log_format format;
	bool debug;
	bool rate_limit;
} sink = { .fd = 2, .format = CLEAT_LOG_TEXT, .debug = false };

int cleat_log_init(const char *path, enum cleat_log_format format, bool debug, cleat_error_t *err)
{
	sink.format = format;
	sink.debug = debug;
	if (path == NULL || *path == '\0') {
		sink.fd = 2;
		return 0;
	}
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return cleat_error_errno(err, errno, "open log file \"%s\"", path);
	sink.fd = fd;
	return 0;
}

void cleat_log_set_fd(int fd, enum cleat_log_format format, bool debug)
{
	sink.fd = fd;
	sink.format = format;
	sink.debug = debug;
}

void cleat_log_rate_limit(bool on) { sink.rate_limit = on; }

int cleat_log_fd(void) { return sink.fd; }
bool cleat_log_to_stderr(void) { return sink.fd == 2; }

char *cleat_json_escape(const char *s)
{
	size_t cap = strlen(s) * 6 + 1, n = 0;
	char *out = xmalloc(cap);
	for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
		switch (*p) {
		case '"': n += (size_t) sprintf(out + n, "\\\""); break;
		case '\\': n += (size_t) sprintf(out + n, "\\\\"); break;
		case '\n': n += (size_t) sprintf(out + n, "\\n"); break;
		case '\r': n += (size_t) sprintf(out + n, "\\r"); break;
		case '\t': n += (size_t) sprintf(out + n, "\\t"); break;
		default:
			if (*p < 0x20)
				n += (size_t) sprintf(out + n, "\\u%04x", *p);
			else
				out[n++] = (char) *p;
		}
	}
	out[n] = '\0';
	return out;
}

static const char *level_name(enum cleat_log_level level)
{
	switch (level) {
	case CLEAT_LOG_ERROR: return "error";
	case CLEAT_LOG_WARNING: return "warning";
	case CLEAT_LOG_INFO: return "info";
	default: return "debug";
	}
}

static void emit(enum cleat_log_level level, const char *msg);

bool cleat_ratelimit_allow(struct cleat_ratelimit *rl, uint64_t now_ns, unsigned *suppressed)
{
	const uint64_t interval = 1000000000u / CLEAT_LOG_RATE;
	if (rl->stamp_ns == 0 || now_ns < rl->stamp_ns) {
		rl->stamp_ns = now_ns;
		rl->tokens = CLEAT_LOG_BURST;
	}
	uint64_t add = (now_ns - rl->stamp_ns) / interval;
	if (add > 0) {
		rl->tokens = add >= CLEAT_LOG_BURST - rl->tokens ? CLEAT_LOG_BURST
								 : rl->tokens + (unsigned) add;
		rl->stamp_ns += add * interval;
	}
	if (rl->tokens == 0) {
		rl->suppressed++;
		return false;
	}
	rl->tokens--;
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return true;
}

static void vlog(struct cleat_ratelimit *rl, enum cleat_log_level level, const char *fmt,
		 va_list ap)
{
	if (level == CLEAT_LOG_DEBUG && !sink.debug)
		return;
	unsigned suppressed = 0;
	if (rl && sink.rate_limit) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		uint64_t now = (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
		if (!cleat_ratelimit_allow(rl, now ? now : 1, &suppressed))
			return;
	}
	int saved = errno;
	_cleanup_free_ char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	if (suppressed > 0) {
		_cleanup_free_ char *note = xasprintf("%u similar messages suppressed", suppressed);
		emit(level, note);
	}
	if (msg != NULL)
		emit(level, msg);
	errno = saved;
}

void cleat_log(enum cleat_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(NULL, level, fmt, ap);
	va_end(ap);
}

void cleat_log_limited(struct cleat_ratelimit *rl, enum cleat_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(rl, level, fmt, ap);
	va_end(ap);
}

static void emit(enum cleat_log_level level, const char *msg)
{
	struct timespec ts;
	char stamp[64];
	clock_gettime(CLOCK_REALTIME, &ts);
	size_t sl = cleat_utc_format(ts.tv_sec, stamp, sizeof stamp);
	snprintf(stamp + sl, sizeof stamp - sl, ".%09ldZ", ts.tv_nsec);

	_cleanup_free_ char *line = NULL;
	if (sink.format == CLEAT_LOG_JSON) {
		_cleanup_free_ char *esc = cleat_json_escape(msg);
		line = xasprintf("{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\"}\n",
				 level_name(level), esc, stamp);
	} else if (sink.fd == 2) {
		line = level == CLEAT_LOG_ERROR ? xasprintf("%s\n", msg)
						: xasprintf("%s: %s\n", level_name(level), msg);
	} else {
		line = xasprintf("time=\"%s\" level=%s msg=\"%s\"\n", stamp, level_name(level),
				 msg);
	}
	(void) write_all(sink.fd, line, strlen(line));
}
