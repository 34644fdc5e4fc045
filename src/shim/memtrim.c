/* Dropping the page-table entries of clean file mappings (see memtrim.h). */
#include "config.h"
#include "shim/memtrim.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "shim/loop.h"

/* A read-only private file mapping is dropped only if it holds no private
 * (copied-on-write) page, i.e. not a RELRO segment whose relocated GOT lives
 * only in memory. */
struct vma {
	uintptr_t start, end;
	bool candidate;
};

#define MAX_VMAS 128

void shim_memtrim(void)
{
	struct vma drop[MAX_VMAS];
	size_t n = 0;
	{
		_cleanup_fclose_ FILE *f = fopen("/proc/self/smaps", "re");
		if (!f)
			return;
		char line[512];
		struct vma v = { 0 };
		while (n < MAX_VMAS && fgets(line, sizeof line, f)) {
			uintptr_t s, e;
			char perms[8];
			unsigned long long ino;
			long kb;
			if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %7s %*s %*s %llu", &s, &e,
				   perms, &ino) == 4)
				v = (struct vma){ s, e,
						  perms[1] == '-' && perms[3] == 'p' && ino != 0 };
			else if (sscanf(line, "Anonymous: %ld kB", &kb) == 1 && v.candidate &&
				 kb == 0 && v.end > v.start)
				drop[n++] = v;
		}
	}
	/* Only now: dropping while stdio still runs would fault it straight back. */
	for (size_t i = 0; i < n; i++)
		madvise((void *) drop[i].start, drop[i].end - drop[i].start, MADV_DONTNEED);
}

static struct loop_source *pending;
/* CLOCK_MONOTONIC milliseconds of the trim asked for last. */
static uint64_t due_ms;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

static void on_timer(struct loop *l, struct loop_source *src, void *data)
{
	pending = NULL;
	uint64_t now = now_ms();
	if (now < due_ms) {
		cleat_error_t err = NULL;
		pending = loop_add_timer(l, due_ms - now, on_timer, NULL, &err);
		cleat_error_free(&err);
		return;
	}
	shim_memtrim();
}

void shim_memtrim_soon(struct loop *l)
{
	/* Counted from the last call: a trim between the steps of one exec
	 * (Start, then Wait and Delete) would see the next steps fault it back. */
	due_ms = now_ms() + SHIM_MEMTRIM_DELAY_MS;
	if (pending)
		return;
	cleat_error_t err = NULL;
	pending = loop_add_timer(l, SHIM_MEMTRIM_DELAY_MS, on_timer, NULL, &err);
	cleat_error_free(&err);
}
