/* What create/run hands to `cleat init` (container_setup.c): the parsed config and
 * the launch fields copied into one memfd block that the setup helper maps and
 * uses without parsing; the block, mapped at another address, reads back as the
 * same config; a block cut short, foreign or pointing out of itself is refused. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "oci-spec/config.h"
#include "runtime/container_setup.h"
#include "test-runtime-tap.h"

/* The head container_setup.c puts first in the block. */
struct head {
	char magic[8];
	uint64_t size;
	uintptr_t built_at;
};

static struct oci_config *load(const char *name)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", OCI_TESTDATA, name);
	struct oci_config *c = NULL;
	cleat_error_t err = NULL;
	if (oci_config_load(path, &c, &err) < 0) {
		fprintf(stderr, "%s: %s\n", path, err->msg);
		abort();
	}
	return c;
}

static int write_launch(struct oci_config *c)
{
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
		.config = c,
	};
	cleat_error_t err = NULL;
	int fd = -1;
	if (cleat_setup_launch_write(&in, &fd, &err) < 0)
		abort();
	return fd;
}

static size_t fd_size(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? (size_t) st.st_size : 0;
}

static void test_roundtrip(const char *name)
{
	struct oci_config *c = load(name);
	_cleanup_free_ char *want = oci_config_to_json(c);
	int fd = write_launch(c);
	/* Nothing of the original may be used: freed; and the address the block was
	 * built at is taken, so that it maps elsewhere and must be relocated. */
	oci_config_free(c);
	size_t size = fd_size(fd);
	struct head built;
	if (pread(fd, &built, sizeof built, 0) != sizeof built)
		abort();
	void *hole = mmap((void *) built.built_at, size, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	const struct cleat_setup_launch *out = NULL;
	cleat_error_t err = NULL;
	ok(cleat_setup_launch_map(fd, &out, &err) == 0, "%s: map the block", name);
	close(fd);
	if (out == NULL)
		return;
	const struct head *h = (const void *) ((const char *) out - sizeof *h);
	ok(h->built_at != (uintptr_t) h, "%s: mapped elsewhere than built (relocated)", name);
	ok_str(out->id, "c1", "%s: id", name);
	ok_str(out->bundle, "/b u/ndle", "%s: bundle with a space", name);
	ok_str(out->rootfs, "/b u/ndle/rootfs", "%s: rootfs", name);
	ok_str(out->state_dir, "/run/cleat/c1", "%s: state dir", name);
	ok(out->no_pivot && !out->no_new_keyring && out->fifo, "%s: flags", name);
	ok(out->keep_fds == 3 && out->listen_fds == 2, "%s: fd counts", name);
	_cleanup_free_ char *got = oci_config_to_json(out->config);
	ok_str(got, want, "%s: the same config", name);
	const char *p = (const char *) out->config->process->cwd;
	ok(p > (const char *) h && p < (const char *) h + size, "%s: strings in the block", name);
	munmap((void *) h, size);
	munmap(hole, size);
}

/* Write a block, change it with edit(), and expect the map to refuse it. */
static void refused(void (*edit)(int fd, struct head *h), const char *what)
{
	struct oci_config *c = load("runc-spec.json");
	int fd = write_launch(c);
	oci_config_free(c);
	size_t size = fd_size(fd);
	struct head *h = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	edit(fd, h);
	munmap(h, size);
	const struct cleat_setup_launch *out = NULL;
	cleat_error_t err = NULL;
	ok(cleat_setup_launch_map(fd, &out, &err) < 0 && err && err->errnum == EPROTO,
	   "%s is refused: %s", what, err ? err->msg : "(accepted)");
	cleat_error_free(&err);
	close(fd);
}

static void cut_short(int fd, struct head *h)
{
	if (ftruncate(fd, (off_t) h->size - 64) < 0)
		abort();
}
static void cut_to_head(int fd, struct head *h)
{
	(void) h;
	if (ftruncate(fd, 8) < 0)
		abort();
}
static void foreign(int fd, struct head *h)
{
	(void) fd;
	h->magic[0] ^= 1;
}
static void points_out(int fd, struct head *h)
{
	(void) fd;
	h->built_at += h->size;
}

int main(void)
{
	const char *files[] = { "runc-spec.json", "full.json", "docker-seccomp.json", "cri.json",
				"containerd-spec.json" };
	for (size_t i = 0; i < sizeof files / sizeof *files; i++)
		test_roundtrip(files[i]);
	refused(cut_short, "a block cut short");
	refused(cut_to_head, "a block shorter than its head");
	refused(foreign, "a block of another format");
	refused(points_out, "a block whose pointers lead out of it");
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
