/* The per-call-site log rate limit the shim daemon turns on: the token bucket
 * itself (on a simulated clock) and the lines it lets through to the sink. */
#include "config.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "test-shim-tap.h"

#define SEC 1000000000ull

static void test_bucket(void)
{
	struct cleat_ratelimit rl = { 0 };
	unsigned sup = 99, allowed = 0;
	uint64_t t = 5 * SEC;
	for (int i = 0; i < 100; i++)
		allowed += cleat_ratelimit_allow(&rl, t, &sup);
	OK(allowed == CLEAT_LOG_BURST && sup == 0, "a burst of %u lines, then nothing (%u)",
	   CLEAT_LOG_BURST, allowed);
	OK(!cleat_ratelimit_allow(&rl, t + SEC / CLEAT_LOG_RATE - 1, &sup),
	   "no token before 1/%d s", CLEAT_LOG_RATE);
	sup = 0;
	OK(cleat_ratelimit_allow(&rl, t + SEC / CLEAT_LOG_RATE, &sup) && sup == 91,
	   "one token after 1/%d s, reporting the %u suppressed", CLEAT_LOG_RATE, sup);

	/* A call every millisecond for 10 s: the burst plus RATE a second. */
	struct cleat_ratelimit busy = { 0 };
	allowed = 0;
	for (uint64_t ms = 0; ms < 10000; ms++)
		allowed += cleat_ratelimit_allow(&busy, SEC + ms * 1000000u, &sup);
	OK(allowed <= CLEAT_LOG_BURST + 10 * CLEAT_LOG_RATE && allowed >= 10 * CLEAT_LOG_RATE,
	   "a line a millisecond for 10 s: %u written", allowed);

	/* After a long quiet spell the bucket is full again, not fuller. */
	allowed = 0;
	for (int i = 0; i < 100; i++)
		allowed += cleat_ratelimit_allow(&busy, 3600 * SEC, &sup);
	OK(allowed == CLEAT_LOG_BURST, "an hour later: a full burst again (%u)", allowed);
}

static char *sink_text(int fd)
{
	off_t len = lseek(fd, 0, SEEK_END);
	char *buf = xmalloc((size_t) len + 1);
	if (pread(fd, buf, (size_t) len, 0) != len)
		abort();
	buf[len] = '\0';
	return buf;
}

/* Empty the sink (fd shares its offset with the log's copy). */
static void sink_reset(int fd)
{
	if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)
		abort();
}

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void flood(int n)
{
	for (int i = 0; i < n; i++)
		cleat_warn("flooding line %d", i);
}

static void test_sink(void)
{
	char path[] = "/tmp/test-shim-log-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		abort();
	unlink(path);
	int keep = dup(fd);
	cleat_log_set_fd(fd, CLEAT_LOG_TEXT, false);

	flood(1000);
	_cleanup_free_ char *off = sink_text(keep);
	OK(count(off, "flooding line") == 1000, "rate limit off (the runtime): every line written");

	sink_reset(keep);
	cleat_log_rate_limit(true);
	flood(1000);
	cleat_error_log("another call site");
	_cleanup_free_ char *on = sink_text(keep);
	OK(count(on, "flooding line") == CLEAT_LOG_BURST, "rate limit on: %u of 1000 lines written",
	   count(on, "flooding line"));
	OK(count(on, "another call site") == 1, "other call sites keep their own budget");

	struct timespec ts = { .tv_nsec = (long) (SEC / CLEAT_LOG_RATE + SEC / 20) };
	nanosleep(&ts, NULL);
	sink_reset(keep);
	flood(1);
	_cleanup_free_ char *later = sink_text(keep);
	OK(strstr(later, "990 similar messages suppressed") && count(later, "flooding line") == 1,
	   "the next line written says how many were suppressed");
	cleat_log_rate_limit(false);
	cleat_log_set_fd(2, CLEAT_LOG_TEXT, false);
	close(fd);
	close(keep);
}

int main(void)
{
	test_bucket();
	test_sink();
	return tap_done();
}
