/* close_fds_from(): closes every fd from a number on except the kept ones, whatever
 * the gaps between them (close_range over the gaps, or the /proc/self/fd listing). */
#include "config.h"

#include <fcntl.h>
#include <unistd.h>

#include "common/util.h"
#include "test-runtime-tap.h"

static bool is_open(int fd) { return fcntl(fd, F_GETFD) >= 0; }

static void test_gaps(void)
{
	int base = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ok(base >= 0, "open /dev/null");
	const int fds[] = { 40, 41, 42, 50, 51, 60, 70 };
	for (size_t i = 0; i < sizeof fds / sizeof *fds; i++)
		dup2(base, fds[i]);
	close(base);
	/* Unsorted, with a duplicate, a closed number and -1 (a namespace not joined). */
	const int keep[] = { 60, 41, -1, 41, 45, 50 };
	close_fds_from(41, keep, sizeof keep / sizeof *keep);
	ok(is_open(40), "below from: left open");
	ok(is_open(41), "kept at from: open");
	ok(!is_open(42), "between kept ones: closed");
	ok(is_open(50) && is_open(60), "kept past a gap: open");
	ok(!is_open(51) && !is_open(70), "after and past the last kept: closed");
	close_fds_from(40, NULL, 0);
	ok(!is_open(40) && !is_open(41) && !is_open(50) && !is_open(60),
	   "nothing kept: all closed");
}

int main(void)
{
	test_gaps();
	return tap_done();
}
