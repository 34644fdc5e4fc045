/* shim_memtrim(): clean read-only file pages are dropped and come back intact;
 * of a read-only mapping holding copied-on-write pages (RELRO-like) only the
 * pages that are the file's own are dropped; free heap pages go back to the
 * kernel.  shim_memtrim_stack(): stack pages below the caller are dropped. */
#include "config.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shim/memtrim.h"
#include "test-shim-tap.h"

#define LEN (256 * 1024)

/* Rss in KiB of the first mapping whose smaps header line starts with `start`
 * (an address and a dash) or ends with `name` ("[stack]"), -1 if none. */
static long rss_of(const char *start, const char *name)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	if (!f)
		return -1;
	char line[512];
	long rss = -1;
	bool in = false;
	while (fgets(line, sizeof line, f)) {
		size_t len = strlen(line);
		if (start && strncmp(line, start, strlen(start)) == 0)
			in = true;
		else if (name && len > strlen(name) + 1 &&
			 strncmp(line + len - strlen(name) - 1, name, strlen(name)) == 0)
			in = true;
		else if (in && sscanf(line, "Rss: %ld kB", &rss) == 1)
			break;
	}
	fclose(f);
	return rss;
}

/* Rss in KiB of the mapping starting at p, -1 if not found. */
static long rss_kb(const void *p)
{
	char want[32];
	/* As the kernel prints it: at least 8 hex digits. */
	snprintf(want, sizeof want, "%08lx-", (unsigned long) (uintptr_t) p);
	return rss_of(want, NULL);
}

#define STACK_DEPTH (96 * 1024)

/* Touches STACK_DEPTH bytes of stack below the caller's frame. */
static __attribute__((noinline)) int deep_call(void)
{
	volatile char buf[STACK_DEPTH];
	memset((char *) buf, 1, sizeof buf);
	return buf[STACK_DEPTH / 2];
}

static bool under_valgrind(void)
{
	const char *preload = getenv("LD_PRELOAD");
	return preload && strstr(preload, "vgpreload");
}

/* malloc is glibc's own (not valgrind's or a sanitizer's replacement). */
static bool glibc_malloc(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return false;
#else
	return !under_valgrind();
#endif
}

static void test_heap(void)
{
	if (!glibc_malloc()) {
		OK(true,
		   "# SKIP free heap pages returned: malloc is replaced (valgrind or sanitizer)");
		return;
	}
	enum {
		NBLK = 40,
		BLK = 8192
	};
	void *blk[NBLK];
	for (int i = 0; i < NBLK; i++) {
		blk[i] = malloc(BLK);
		memset(blk[i], 1, BLK);
	}
	/* Above the blocks: the heap's top cannot shrink below it. */
	void *pin = malloc(64);
	memset(pin, 1, 64);
	for (int i = 0; i < NBLK; i++)
		free(blk[i]);
	long before = rss_of(NULL, "[heap]");
	shim_memtrim();
	long after = rss_of(NULL, "[heap]");
	OK(before >= 0 && after >= 0 && after <= before - NBLK * BLK / 1024 / 2,
	   "free heap pages below a live block returned (%ld -> %ld KiB)", before, after);
	free(pin);
}

static void test_stack(void)
{
	/* valgrind runs the program on a stack of its own, not [stack]. */
	if (under_valgrind()) {
		OK(true, "# SKIP dead stack pages dropped: valgrind's stack is not [stack]");
		return;
	}
	OK(deep_call() == 1, "deep call");
	long before = rss_of(NULL, "[stack]");
	shim_memtrim();
	shim_memtrim_stack();
	long after = rss_of(NULL, "[stack]");
	OK(before >= STACK_DEPTH / 1024 && after >= 0 && after <= before - STACK_DEPTH / 1024 / 2,
	   "dead stack pages dropped (%ld -> %ld KiB)", before, after);
	OK(deep_call() == 1, "the stack works after the drop");
}

static bool pattern_ok(const unsigned char *p, unsigned char delta)
{
	for (size_t i = 0; i < LEN; i++)
		if (p[i] != (unsigned char) ((i / 4096 + i) + delta))
			return false;
	return true;
}

int main(void)
{
	char path[] = "/tmp/test-shim-memtrim.XXXXXX";
	int fd = mkstemp(path);
	OK(fd >= 0, "temp file");
	if (fd < 0)
		return tap_done();
	unlink(path);
	unsigned char *buf = malloc(LEN);
	for (size_t i = 0; i < LEN; i++)
		buf[i] = (unsigned char) (i / 4096 + i);
	OK(write(fd, buf, LEN) == LEN, "write pattern");
	free(buf);

	unsigned char *clean = mmap(NULL, LEN, PROT_READ, MAP_PRIVATE, fd, 0);
	unsigned char *cow = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	OK(clean != MAP_FAILED && cow != MAP_FAILED, "mappings");
	if (clean == MAP_FAILED || cow == MAP_FAILED)
		return tap_done();
	OK(pattern_ok(clean, 0), "clean mapping reads the file");
	/* Like a RELRO segment: written (private copies), then read-only. */
	for (size_t i = 0; i < LEN; i++)
		cow[i]++;
	OK(mprotect(cow, LEN, PROT_READ) == 0, "mprotect read-only");
	OK(rss_kb(clean) >= LEN / 1024 / 2, "clean mapping resident before (%ld KiB)",
	   rss_kb(clean));

	/* Like a RELRO segment of which only some pages were written: every
	 * other page copied, the others read from the file. */
	unsigned char *mixed = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	OK(mixed != MAP_FAILED, "mixed mapping");
	if (mixed == MAP_FAILED)
		return tap_done();
	OK(pattern_ok(mixed, 0), "mixed mapping reads the file");
	for (size_t i = 0; i < LEN; i += 2 * 4096)
		mixed[i]++;
	OK(mprotect(mixed, LEN, PROT_READ) == 0, "mprotect mixed read-only");
	OK(rss_kb(mixed) == LEN / 1024, "mixed mapping resident before (%ld KiB)", rss_kb(mixed));

	shim_memtrim();

	OK(rss_kb(clean) == 0, "clean mapping dropped (%ld KiB)", rss_kb(clean));
	OK(rss_kb(cow) == LEN / 1024, "copied-on-write mapping kept (%ld KiB)", rss_kb(cow));
	OK(rss_kb(mixed) == LEN / 1024 / 2, "mixed mapping: only the copied pages kept (%ld KiB)",
	   rss_kb(mixed));
	OK(pattern_ok(clean, 0), "clean mapping faults back intact");
	OK(pattern_ok(cow, 1), "copied-on-write pages keep their changes");
	bool mixed_ok = true;
	for (size_t i = 0; i < LEN; i++) {
		unsigned char want = (unsigned char) (i / 4096 + i);
		if (i % (2 * 4096) == 0)
			want++;
		mixed_ok &= mixed[i] == want;
	}
	OK(mixed_ok,
	   "mixed mapping: copied pages keep their changes, the others fault back intact");
	munmap(clean, LEN);
	munmap(cow, LEN);
	munmap(mixed, LEN);
	close(fd);

	test_heap();
	test_stack();
	return tap_done();
}
