/* What create/run hands to `cleat init` (container_setup.c): the memfd round trip and
 * refused truncated or malformed data. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/util.h"
#include "runtime/container_setup.h"
#include "test-runtime-tap.h"

static char *read_back(int fd, size_t *len)
{
	char *buf = NULL;
	cleat_error_t err = NULL;
	if (read_all_fd(fd, "launch", &buf, len, &err) < 0)
		abort();
	return buf;
}

static void test_roundtrip(void)
{
	const char cfg[] = "{\"ociVersion\": \"1.2.0\", \"x\": \"a;b\\nc\"}";
	struct cleat_setup_launch in = {
		.id = "c1",
		.bundle = "/b u/ndle",
		.rootfs = "/b u/ndle/rootfs",
		.state_dir = "/run/cleat/c1",
		.no_pivot = true,
		.no_new_keyring = false,
		.fifo = true,
		.keep_fds = 3,
		.listen_fds = 2,
		.config = cfg,
		.config_len = sizeof cfg - 1,
	};
	cleat_error_t err = NULL;
	int fd = -1;
	ok(cleat_setup_launch_write(&in, &fd, &err) == 0 && fd >= 0, "write to a memfd");
	size_t len;
	char *buf = read_back(fd, &len);
	close(fd);
	struct cleat_setup_launch out;
	ok(cleat_setup_launch_parse(buf, len, &out, &err) == 0, "parse it back");
	ok_str(out.id, "c1", "id");
	ok_str(out.bundle, "/b u/ndle", "bundle with a space");
	ok_str(out.rootfs, "/b u/ndle/rootfs", "rootfs");
	ok_str(out.state_dir, "/run/cleat/c1", "state dir");
	ok(out.no_pivot && !out.no_new_keyring && out.fifo, "flags");
	ok(out.keep_fds == 3 && out.listen_fds == 2, "fd counts");
	ok(out.config_len == in.config_len && memcmp(out.config, cfg, out.config_len) == 0,
	   "config text byte for byte");

	/* Every truncation of the header is refused, never read past. */
	size_t head = (size_t) (out.config - buf);
	int refused = 0;
	for (size_t cut = 0; cut < head; cut++) {
		char *copy = xmalloc(cut + 1);
		memcpy(copy, buf, cut);
		cleat_error_t e = NULL;
		if (cleat_setup_launch_parse(copy, cut, &out, &e) < 0 && e->errnum == EPROTO)
			refused++;
		cleat_error_free(&e);
		free(copy);
	}
	ok((size_t) refused == head, "all %zu truncated headers refused (%d)", head, refused);
	free(buf);
}

static void test_bad_flags(void)
{
	char bad[] = "id\0b\0r\0s\0"
		     "01\0"
		     "0\0"
		     "0\0{}";
	struct cleat_setup_launch out;
	cleat_error_t err = NULL;
	ok(cleat_setup_launch_parse(bad, sizeof bad - 1, &out, &err) < 0 && err &&
		   strstr(err->msg, "bad flags"),
	   "a two-letter flags field is refused: %s", err ? err->msg : "");
	cleat_error_free(&err);
	char neg[] = "id\0b\0r\0s\0"
		     "000\0"
		     "-1\0"
		     "0\0{}";
	ok(cleat_setup_launch_parse(neg, sizeof neg - 1, &out, &err) < 0,
	   "a negative fd count is refused");
	cleat_error_free(&err);
}

int main(void)
{
	test_roundtrip();
	test_bad_flags();
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
