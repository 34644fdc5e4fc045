/* A shim spends its life waiting; the code it ran to get there is not its
 * working set.  Starting any dynamically linked program maps most of libc's
 * text (the ifunc resolvers alone are spread all over it, and each fault
 * maps a 64 KiB window), which shows up as ~1 MiB of RSS per shim although
 * the pages are shared page cache.  shim_memtrim() unmaps the clean
 * read-only file pages of the calling process (MADV_DONTNEED on private
 * file mappings without copied-on-write pages: they come back from the page
 * cache on the next touch), so RSS reflects what the shim uses afterwards.
 * Frees no memory system-wide; PSS is unchanged or lower.  It also gives
 * the heap's free pages back (malloc_trim).
 * shim_memtrim_stack() then drops the main thread's stack pages below the
 * caller's frame (dead, but private and dirty once touched). */
#ifndef CLEAT_SHIM_MEMTRIM_H
#define CLEAT_SHIM_MEMTRIM_H

struct loop;

void shim_memtrim(void);
void shim_memtrim_stack(void);
/* shim_memtrim() and shim_memtrim_stack() once the loop has had time to send
 * the replies and events of what just happened: SHIM_MEMTRIM_DELAY_MS after
 * the last call (one pending trim at a time, pushed back by each call). */
#define SHIM_MEMTRIM_DELAY_MS 300
void shim_memtrim_soon(struct loop *l);

#endif
