/* The shim's single epoll event loop.  Owner: loop.c (ttrpc helper).
 * Callbacks run on the loop thread; there are no other threads. */
#ifndef CLEAT_SHIM_LOOP_H
#define CLEAT_SHIM_LOOP_H

#include <stdint.h>

#include "common/error.h"

struct loop;
struct loop_source; /* one registered fd or timer */

/* events: EPOLLIN / EPOLLOUT / EPOLLHUP... as from epoll_wait */
typedef void (*loop_fd_cb)(struct loop *l, struct loop_source *src, int fd, uint32_t events,
			   void *data);
typedef void (*loop_timer_cb)(struct loop *l, struct loop_source *src, void *data);

int loop_new(struct loop **out, cleat_error_t *err);
void loop_free(struct loop *l);
struct loop_source *loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_cb cb, void *data,
				cleat_error_t *err);
int loop_mod_fd(struct loop *l, struct loop_source *src, uint32_t events, cleat_error_t *err);
/* One-shot timer after `ms` milliseconds (timerfd; 0 = next iteration).  The
 * source is removed before its callback runs and freed after it returns: drop
 * every stored pointer to it in the callback.  loop_remove() before it fires
 * cancels it. */
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
void loop_quit(struct loop *l);

#endif
