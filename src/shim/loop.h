/* The shim's single epoll event loop.  Implemented in loop.c.
 * Callbacks run on the loop thread; there are no other threads.  After
 * loop_new() the loop never needs a new fd: timers and deferred calls keep
 * working when the process is out of fds. */
#ifndef CLEAT_SHIM_LOOP_H
#define CLEAT_SHIM_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

struct loop;
struct loop_source; /* one registered fd or timer */

/* events: EPOLLIN / EPOLLOUT / EPOLLHUP... as from epoll_wait */
typedef void (*loop_fd_cb)(struct loop *l, struct loop_source *src, int fd, uint32_t events,
			   void *data);
typedef void (*loop_timer_cb)(struct loop *l, struct loop_source *src, void *data);

/* A deferred call, embedded in its owner's struct (zero it before first use):
 * queuing it allocates nothing, so it cannot fail. */
struct loop_defer;
typedef void (*loop_defer_cb)(struct loop *l, struct loop_defer *d, void *data);
struct loop_defer {
	struct loop_defer *prev, *next;
	loop_defer_cb cb;
	void *data;
	uint64_t gen;
	bool queued;
};

int loop_new(struct loop **out, cleat_error_t *err);
void loop_free(struct loop *l);
struct loop_source *loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_cb cb, void *data,
				cleat_error_t *err);
int loop_mod_fd(struct loop *l, struct loop_source *src, uint32_t events, cleat_error_t *err);
/* One-shot timer after `ms` milliseconds (0 = next iteration); it takes no fd
 * and does not fail (err is left alone).  The source is removed before its
 * callback runs and freed after it returns: drop every stored pointer to it in
 * the callback.  loop_remove() before it fires cancels it. */
struct loop_source *loop_add_timer(struct loop *l, uint64_t ms, loop_timer_cb cb, void *data,
				   cleat_error_t *err);
/* Unregister (safe to call from inside any callback, also for sources whose
 * events are pending in the same batch: they are not dispatched any more).
 * Does not close an fd source's fd; the memory is freed after the batch. */
void loop_remove(struct loop *l, struct loop_source *src);
/* Run until loop_quit(); returns 0 or < 0 with err set.  May be called again
 * after it returned (events_flush() does so at shutdown).  A nested call from
 * a callback works (its loop_quit() ends only the inner run) but is best
 * avoided: the outer callback's state may change underneath it. */
int loop_run(struct loop *l, cleat_error_t *err);
/* Call cb(l, d, data) at the end of the current loop iteration, after the
 * batch of fd events and the due timers (the next iteration's end when called
 * from a deferred call).  Queuing a queued d again does nothing. */
void loop_defer(struct loop *l, struct loop_defer *d, loop_defer_cb cb, void *data);
/* Drop d from the queue if it is there; call before freeing d's owner. */
void loop_defer_cancel(struct loop *l, struct loop_defer *d);
void loop_quit(struct loop *l);

#endif
