/* The shim's one epoll loop: fd sources, one-shot timers and deferred calls.
 *
 * Nothing the loop does after setup needs a new fd: timers are a list sorted
 * by deadline that bounds epoll_wait's timeout, and deferred calls are nodes
 * embedded in their owner's struct.  So cleanup paths built on them (closing a
 * connection, freeing a process) still work when the shim is out of fds.
 *
 * Removal during dispatch: epoll_wait hands out a batch of events whose
 * data.ptr point at sources.  A callback may remove any source, including ones
 * later in the same batch, so loop_remove() only unregisters the fd and marks
 * the source dead; dead sources are freed once the batch is over. */
#include "config.h"
#include "shim/loop.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"

/* Small on purpose: a shim has few fds and the array lives on the stack. */
#define LOOP_MAX_EVENTS 16

struct loop_source {
	struct loop_source *prev, *next; /* live or timer list, or dead list once removed */
	int fd; /* -1 for a timer */
	bool is_timer;
	bool dead;
	uint64_t deadline_ns; /* timer: CLOCK_MONOTONIC */
	uint64_t iter; /* timer: the iteration that armed it */
	loop_fd_cb fd_cb;
	loop_timer_cb timer_cb;
	void *data;
};

struct loop {
	int epfd;
	bool quit;
	int depth; /* nested loop_run() calls */
	uint64_t iter; /* loop iterations so far */
	uint64_t defer_gen; /* drains so far */
	struct loop_source *live;
	struct loop_source *timers; /* by deadline, earliest first */
	struct loop_source *dead;
	struct loop_defer *defer_head, *defer_tail;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static void list_unlink(struct loop_source **head, struct loop_source *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		*head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->prev = s->next = NULL;
}

static void list_push(struct loop_source **head, struct loop_source *s)
{
	s->prev = NULL;
	s->next = *head;
	if (*head)
		(*head)->prev = s;
	*head = s;
}

int loop_new(struct loop **out, cleat_error_t *err)
{
	int fd = epoll_create1(EPOLL_CLOEXEC);
	if (fd < 0)
		return cleat_error_errno(err, errno, "epoll_create1");
	struct loop *l = xmalloc0(sizeof(*l));
	l->epfd = fd;
	*out = l;
	return 0;
}

static void free_list(struct loop_source **head)
{
	while (*head) {
		struct loop_source *s = *head;
		list_unlink(head, s);
		free(s);
	}
}

void loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	free_list(&l->dead);
	free_list(&l->live);
	free_list(&l->timers);
	while (l->defer_head)
		loop_defer_cancel(l, l->defer_head);
	close(l->epfd);
	free(l);
}

struct loop_source *loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_cb cb, void *data,
				cleat_error_t *err)
{
	struct loop_source *s = xmalloc0(sizeof(*s));
	s->fd = fd;
	s->fd_cb = cb;
	s->data = data;
	struct epoll_event ev = { .events = events, .data.ptr = s };
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		cleat_error_errno(err, errno, "epoll_ctl add fd %d", fd);
		free(s);
		return NULL;
	}
	list_push(&l->live, s);
	return s;
}

int loop_mod_fd(struct loop *l, struct loop_source *src, uint32_t events, cleat_error_t *err)
{
	struct epoll_event ev = { .events = events, .data.ptr = src };
	if (src->dead)
		return cleat_error_msg(err, "epoll_ctl mod: source already removed");
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, src->fd, &ev) < 0)
		return cleat_error_errno(err, errno, "epoll_ctl mod fd %d", src->fd);
	return 0;
}

struct loop_source *loop_add_timer(struct loop *l, uint64_t ms, loop_timer_cb cb, void *data,
				   cleat_error_t *err)
{
	(void) err;
	struct loop_source *s = xmalloc0(sizeof(*s));
	s->fd = -1;
	s->is_timer = true;
	s->deadline_ns = now_ns() + ms * 1000000u;
	s->iter = l->iter;
	s->timer_cb = cb;
	s->data = data;
	/* After every timer due no later: equal deadlines fire in arming order. */
	struct loop_source *before = NULL, *t = l->timers;
	while (t && t->deadline_ns <= s->deadline_ns) {
		before = t;
		t = t->next;
	}
	if (before == NULL) {
		list_push(&l->timers, s);
		return s;
	}
	s->prev = before;
	s->next = before->next;
	if (before->next)
		before->next->prev = s;
	before->next = s;
	return s;
}

void loop_remove(struct loop *l, struct loop_source *src)
{
	if (src == NULL || src->dead)
		return;
	if (src->is_timer) {
		list_unlink(&l->timers, src);
	} else {
		/* Errors are expected when the caller already closed the fd (the
		 * kernel then dropped the registration itself), so they are ignored. */
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, src->fd, NULL);
		list_unlink(&l->live, src);
	}
	src->dead = true;
	list_push(&l->dead, src);
}

void loop_defer(struct loop *l, struct loop_defer *d, loop_defer_cb cb, void *data)
{
	if (d->queued)
		return;
	d->cb = cb;
	d->data = data;
	d->gen = l->defer_gen;
	d->queued = true;
	d->next = NULL;
	d->prev = l->defer_tail;
	if (l->defer_tail)
		l->defer_tail->next = d;
	else
		l->defer_head = d;
	l->defer_tail = d;
}

void loop_defer_cancel(struct loop *l, struct loop_defer *d)
{
	if (!d->queued)
		return;
	if (d->prev)
		d->prev->next = d->next;
	else
		l->defer_head = d->next;
	if (d->next)
		d->next->prev = d->prev;
	else
		l->defer_tail = d->prev;
	d->prev = d->next = NULL;
	d->queued = false;
}

/* Calls queued before this drain; those they queue wait for the next one. */
static void run_deferred(struct loop *l)
{
	uint64_t gen = l->defer_gen++;
	while (l->defer_head && l->defer_head->gen <= gen) {
		struct loop_defer *d = l->defer_head;
		loop_defer_cancel(l, d);
		d->cb(l, d, d->data);
	}
}

/* Timers due now that were armed before this iteration ("0 ms" = the next one). */
static void run_timers(struct loop *l)
{
	uint64_t now = now_ns();
	struct loop_source *t = l->timers;
	while (t && t->deadline_ns <= now) {
		if (t->iter == l->iter) {
			t = t->next;
			continue;
		}
		/* One-shot: the timer is gone before its callback runs, so the
		 * callback may re-arm by adding a new timer and may still call
		 * loop_remove().  The callback may remove other timers: restart. */
		loop_remove(l, t);
		t->timer_cb(l, t, t->data);
		t = l->timers;
	}
}

/* epoll_wait's timeout: 0 while deferred calls or due timers wait, else until
 * the earliest deadline (rounded up to whole ms), -1 without timers. */
static int wait_timeout(const struct loop *l)
{
	if (l->defer_head)
		return 0;
	if (l->timers == NULL)
		return -1;
	uint64_t now = now_ns(), next = l->timers->deadline_ns;
	for (const struct loop_source *t = l->timers; t && t->deadline_ns <= now; t = t->next)
		if (t->iter != l->iter)
			return 0;
	if (next <= now)
		next = now + 1; /* only timers armed this iteration are due */
	uint64_t ms = (next - now + 999999u) / 1000000u;
	return ms > 60000 ? 60000 : (int) ms;
}

int loop_run(struct loop *l, cleat_error_t *err)
{
	struct epoll_event events[LOOP_MAX_EVENTS];

	/* A nested run (a callback running the loop) must neither free sources
	 * the outer batch still points at nor leave its quit for the outer run. */
	bool outer_quit = l->quit;
	int ret = 0;

	l->quit = false;
	l->depth++;
	while (!l->quit) {
		l->iter++;
		int n = epoll_wait(l->epfd, events, LOOP_MAX_EVENTS, wait_timeout(l));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = cleat_error_errno(err, errno, "epoll_wait");
			break;
		}
		for (int i = 0; i < n; i++) {
			struct loop_source *s = events[i].data.ptr;
			if (!s->dead)
				s->fd_cb(l, s, s->fd, events[i].events, s->data);
		}
		run_timers(l);
		run_deferred(l);
		if (l->depth == 1)
			free_list(&l->dead);
	}
	l->depth--;
	l->quit = l->depth > 0 ? outer_quit : false;
	return ret;
}

void loop_quit(struct loop *l) { l->quit = true; }
