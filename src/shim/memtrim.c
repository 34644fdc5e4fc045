/* Dropping the page-table entries of clean file mappings (see memtrim.h). */
#include "config.h"
#include "shim/memtrim.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
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

static void on_timer(struct loop *l, struct loop_source *src, void *data)
{
	pending = NULL;
	shim_memtrim();
}

void shim_memtrim_soon(struct loop *l)
{
	if (pending)
		return;
	cleat_error_t err = NULL;
	pending = loop_add_timer(l, SHIM_MEMTRIM_DELAY_MS, on_timer, NULL, &err);
	cleat_error_free(&err);
}
