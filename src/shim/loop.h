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
/* One-shot timer after `ms` milliseconds (timerfd). */
struct loop_source *loop_add_timer(struct loop *l, uint64_t ms, loop_timer_cb cb, void *data,
				   cleat_error_t *err);
/* Unregister (safe to call from inside the source's own callback); does not close the fd. */
void loop_remove(struct loop *l, struct loop_source *src);
/* Run until loop_quit(); returns 0 or < 0 with err set. */
int loop_run(struct loop *l, cleat_error_t *err);
void loop_quit(struct loop *l);

#endif
