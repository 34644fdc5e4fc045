/* Dropping the page-table entries of clean file mappings (see memtrim.h). */
#include "config.h"
#include "shim/memtrim.h"

#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "shim/loop.h"

/* A read-only private file mapping is dropped whole if it holds no private
 * (copied-on-write) page; otherwise (a RELRO segment: a GOT or relocated data
 * written at start-up, the rest of it read-only file pages) only its pages
 * that are the file's own, found in /proc/self/pagemap.  Nothing writes a
 * read-only mapping, so a page seen as the file's stays the file's. */
struct vma {
	uintptr_t start, end;
	bool candidate, whole;
};

#define MAX_VMAS 128

/* The main thread's stack mapping and the page size, from the last
 * shim_memtrim(); 0 until then. */
static uintptr_t stack_lo, stack_hi, page_size;

/* /proc/self/pagemap: one 64-bit entry per page. */
#define PM_PRESENT (1ULL << 63)
#define PM_SWAPPED (1ULL << 62)
#define PM_FILE (1ULL << 61) /* a page of the file (or shared), not a private copy */
#define PM_CHUNK 64

static void drop_run(uintptr_t *run, uintptr_t end)
{
	if (*run && end > *run)
		madvise((void *) *run, end - *run, MADV_DONTNEED);
	*run = 0;
}

/* Drops the pages of [start, end) that are absent or the file's own, in runs;
 * stops (keeping the rest) if pagemap cannot be read. */
static void drop_file_pages(int pagemap, uintptr_t start, uintptr_t end)
{
	uint64_t ent[PM_CHUNK];
	uintptr_t run = 0, a = start;
	while (a < end) {
		size_t k = (end - a) / page_size;
		if (k > PM_CHUNK)
			k = PM_CHUNK;
		if (pread(pagemap, ent, k * sizeof *ent, (off_t) (a / page_size * sizeof *ent)) !=
		    (ssize_t) (k * sizeof *ent))
			break;
		for (size_t j = 0; j < k; j++, a += page_size) {
			bool copy = (ent[j] & PM_SWAPPED) ||
				    ((ent[j] & PM_PRESENT) && !(ent[j] & PM_FILE));
			if (copy)
				drop_run(&run, a);
			else if (!run)
				run = a;
		}
	}
	/* Up to the last page checked. */
	drop_run(&run, a);
}

void shim_memtrim(void)
{
	struct vma drop[MAX_VMAS];
	size_t n = 0;
	bool partial = false;
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
				   perms, &ino) == 4) {
				v = (struct vma){ s, e,
						  perms[1] == '-' && perms[3] == 'p' && ino != 0 };
				if (strstr(line, " [stack]\n")) {
					stack_lo = s;
					stack_hi = e;
				}
			} else if (sscanf(line, "Anonymous: %ld kB", &kb) == 1 && v.candidate &&
				   v.end > v.start) {
				v.whole = kb == 0;
				partial |= !v.whole;
				drop[n++] = v;
			}
		}
	}
#ifdef __GLIBC__
	/* Whole free pages inside the heap, not only its top, go back to the
	 * kernel: an exec's buffers are freed but sit below live allocations. */
	malloc_trim(0);
#endif
	page_size = (uintptr_t) sysconf(_SC_PAGESIZE);
	/* Only now: dropping while stdio (or malloc_trim, or the dynamic
	 * loader binding a function on its first call) still runs would fault
	 * it straight back.  Partial mappings first, and pagemap closed before
	 * the whole ones: nothing but madvise runs after those. */
	if (partial) {
		_cleanup_close_ int pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
		for (size_t i = 0; i < n && pagemap >= 0; i++)
			if (!drop[i].whole)
				drop_file_pages(pagemap, drop[i].start, drop[i].end);
	}
	for (size_t i = 0; i < n; i++)
		if (drop[i].whole)
			madvise((void *) drop[i].start, drop[i].end - drop[i].start, MADV_DONTNEED);
}

/* Not inlined: its frame must sit below its caller's. */
__attribute__((noinline)) void shim_memtrim_stack(void)
{
	/* The pages below this frame are dead (nothing lives below the stack
	 * pointer, and the shim has one thread; a signal handler would only run
	 * after madvise returns, on fresh zero pages) but stay resident once a
	 * deep call chain (an exec, parsing smaps above) touched them. One page
	 * of margin for this frame and the calls below it. */
	volatile char here = 0;
	uintptr_t at = (uintptr_t) &here, top = (at & ~(page_size - 1)) - page_size;
	/* Only on that stack (not another thread's, nor one valgrind runs the
	 * program on). */
	if (page_size && at >= stack_lo && at < stack_hi && top > stack_lo)
		madvise((void *) stack_lo, top - stack_lo, MADV_DONTNEED);
	(void) here;
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
	shim_memtrim_stack();
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
