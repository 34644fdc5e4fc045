/* shim_memtrim(): clean read-only file pages are dropped and come back intact;
 * a read-only mapping holding copied-on-write pages (RELRO-like) is kept. */
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

/* Rss in KiB of the mapping starting at p, -1 if not found. */
static long rss_kb(const void *p)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	if (!f)
		return -1;
	char line[512], want[32];
	snprintf(want, sizeof want, "%lx-", (unsigned long) (uintptr_t) p);
	long rss = -1;
	bool in = false;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, want, strlen(want)) == 0)
			in = true;
		else if (in && sscanf(line, "Rss: %ld kB", &rss) == 1)
			break;
	}
	fclose(f);
	return rss;
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

	shim_memtrim();

	OK(rss_kb(clean) == 0, "clean mapping dropped (%ld KiB)", rss_kb(clean));
	OK(rss_kb(cow) == LEN / 1024, "copied-on-write mapping kept (%ld KiB)", rss_kb(cow));
	OK(pattern_ok(clean, 0), "clean mapping faults back intact");
	OK(pattern_ok(cow, 1), "copied-on-write pages keep their changes");
	munmap(clean, LEN);
	munmap(cow, LEN);
	close(fd);
	return tap_done();
}
