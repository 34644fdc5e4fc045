/* The shim's one epoll loop: fd sources and one-shot timerfd timers.
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
#include <sys/timerfd.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"

/* Small on purpose: a shim has few fds and the array lives on the stack. */
#define LOOP_MAX_EVENTS 16

struct loop_source {
	struct loop_source *prev, *next; /* live list, or dead list once removed */
	int fd;
	bool is_timer; /* the loop owns (and closes) a timer's fd */
	bool dead;
	loop_fd_cb fd_cb;
	loop_timer_cb timer_cb;
	void *data;
};

struct loop {
	int epfd;
	bool quit;
	int depth; /* nested loop_run() calls */
	struct loop_source *live;
	struct loop_source *dead;
};

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

static void source_destroy(struct loop_source *s)
{
	if (s->is_timer && s->fd >= 0)
		close(s->fd);
	free(s);
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

static void free_dead(struct loop *l)
{
	while (l->dead) {
		struct loop_source *s = l->dead;
		list_unlink(&l->dead, s);
		source_destroy(s);
	}
}

void loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	free_dead(l);
	while (l->live) {
		struct loop_source *s = l->live;
		list_unlink(&l->live, s);
		source_destroy(s);
	}
	close(l->epfd);
	free(l);
}

static struct loop_source *add_source(struct loop *l, int fd, uint32_t events, bool is_timer,
				      cleat_error_t *err)
{
	struct loop_source *s = xmalloc0(sizeof(*s));
	s->fd = fd;
	s->is_timer = is_timer;
	struct epoll_event ev = { .events = events, .data.ptr = s };
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		cleat_error_errno(err, errno, "epoll_ctl add fd %d", fd);
		free(s);
		return NULL;
	}
	list_push(&l->live, s);
	return s;
}

struct loop_source *loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_cb cb, void *data,
				cleat_error_t *err)
{
	struct loop_source *s = add_source(l, fd, events, false, err);
	if (s) {
		s->fd_cb = cb;
		s->data = data;
	}
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
	_cleanup_close_ int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0) {
		cleat_error_errno(err, errno, "timerfd_create");
		return NULL;
	}
	/* An all-zero it_value would disarm the timer; 0 ms means "next iteration". */
	struct itimerspec its = { .it_value = { .tv_sec = (time_t) (ms / 1000),
						.tv_nsec = (long) (ms % 1000) * 1000000L } };
	if (ms == 0)
		its.it_value.tv_nsec = 1;
	if (timerfd_settime(fd, 0, &its, NULL) < 0) {
		cleat_error_errno(err, errno, "timerfd_settime");
		return NULL;
	}
	struct loop_source *s = add_source(l, fd, EPOLLIN, true, err);
	if (s == NULL)
		return NULL;
	TAKE_FD(fd);
	s->timer_cb = cb;
	s->data = data;
	return s;
}

void loop_remove(struct loop *l, struct loop_source *src)
{
	if (src == NULL || src->dead)
		return;
	/* Errors are expected when the caller already closed the fd (the kernel
	 * then dropped the registration itself), so they are ignored. */
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, src->fd, NULL);
	src->dead = true;
	list_unlink(&l->live, src);
	if (src->is_timer) {
		close(src->fd);
		src->fd = -1;
	}
	list_push(&l->dead, src);
}

static void dispatch(struct loop *l, struct loop_source *s, uint32_t events)
{
	if (s->dead)
		return;
	if (!s->is_timer) {
		s->fd_cb(l, s, s->fd, events, s->data);
		return;
	}
	uint64_t expirations;
	if (read(s->fd, &expirations, sizeof(expirations)) < 0 && errno == EAGAIN)
		return;
	/* One-shot: the timer is gone before its callback runs, so the callback
	 * may re-arm by adding a new timer and may still call loop_remove(). */
	loop_remove(l, s);
	s->timer_cb(l, s, s->data);
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
		int n = epoll_wait(l->epfd, events, LOOP_MAX_EVENTS, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = cleat_error_errno(err, errno, "epoll_wait");
			break;
		}
		for (int i = 0; i < n; i++)
			dispatch(l, events[i].data.ptr, events[i].events);
		if (l->depth == 1)
			free_dead(l);
	}
	l->depth--;
	l->quit = l->depth > 0 ? outer_quit : false;
	return ret;
}

void loop_quit(struct loop *l) { l->quit = true; }
