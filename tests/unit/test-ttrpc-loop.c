/* The epoll loop: fd sources, one-shot timers, and removal of sources from
 * inside callbacks, including sources whose events sit in the same batch. */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "shim/loop.h"
#include "test-ttrpc-tap.h"

static struct loop *L;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

static void quit_cb(struct loop *l, struct loop_source *src, void *data)
{
	if (data)
		*(int *) data += 1;
	loop_quit(l);
}

/* Run the loop for `ms` at most. */
static void spin(unsigned ms)
{
	cleat_error_t err = NULL;
	loop_add_timer(L, ms, quit_cb, NULL, &err);
	loop_run(L, &err);
}

struct pair_ctx {
	struct loop_source *me, *other;
	int calls;
};

static void pair_cb(struct loop *l, struct loop_source *src, int fd, uint32_t ev, void *data)
{
	struct pair_ctx *c = data;
	c->calls++;
	/* Remove the other source (whose event may be pending in this batch) and
	 * this one. */
	loop_remove(l, c->other);
	loop_remove(l, c->me);
}

static void count_cb(struct loop *l, struct loop_source *src, int fd, uint32_t ev, void *data)
{
	*(int *) data += 1;
}

static void self_remove_cb(struct loop *l, struct loop_source *src, int fd, uint32_t ev, void *data)
{
	*(int *) data += 1;
	loop_remove(l, src);
	loop_remove(l, src); /* twice is harmless */
}

static int rearm_count;
static void rearm_cb(struct loop *l, struct loop_source *src, void *data)
{
	cleat_error_t err = NULL;
	loop_remove(l, src); /* already removed: no-op */
	if (++rearm_count < 3)
		loop_add_timer(l, 1, rearm_cb, NULL, &err);
	else
		loop_quit(l);
}

static void out_cb(struct loop *l, struct loop_source *src, int fd, uint32_t ev, void *data)
{
	*(uint32_t *) data = ev;
	loop_remove(l, src);
	loop_quit(l);
}

static int nested_inner, nested_after;
static void nested_cb(struct loop *l, struct loop_source *src, void *data)
{
	cleat_error_t err = NULL;
	/* Run the loop from inside a callback; its quit must not end the outer run. */
	loop_add_timer(l, 5, quit_cb, &nested_inner, &err);
	loop_run(l, &err);
	loop_add_timer(l, 5, quit_cb, &nested_after, &err);
}

/* Deferred calls: a node per owner, run at the end of the iteration. */
struct deferred {
	struct loop_defer d;
	struct loop_defer *requeue; /* queued again from the call */
	int runs;
	uint64_t iter_seen; /* fd callbacks seen before it ran */
};
static int fd_calls;

static void defer_cb(struct loop *l, struct loop_defer *d, void *data)
{
	struct deferred *x = data;
	x->runs++;
	x->iter_seen = (uint64_t) fd_calls;
	if (x->requeue) {
		loop_defer(l, x->requeue, defer_cb, x->requeue == &x->d ? x : NULL);
		x->requeue = NULL;
	}
}

static void queue_cb(struct loop *l, struct loop_source *src, int fd, uint32_t ev, void *data)
{
	struct deferred *x = data;
	fd_calls++;
	loop_defer(l, &x[0].d, defer_cb, &x[0]);
	loop_defer(l, &x[0].d, defer_cb, &x[0]); /* twice: runs once */
	loop_defer(l, &x[1].d, defer_cb, &x[1]);
	loop_defer_cancel(l, &x[1].d);
	loop_remove(l, src);
}

static void test_defer(int rfd)
{
	cleat_error_t err = NULL;
	struct deferred x[2] = { 0 };
	fd_calls = 0;
	x[0].requeue = &x[0].d;
	loop_add_fd(L, rfd, EPOLLIN, queue_cb, x, &err);
	spin(30);
	tap_ok(x[0].runs == 2 && x[0].iter_seen == 1,
	       "a deferred call runs after the batch, once per queuing (%d runs)", x[0].runs);
	tap_ok(x[1].runs == 0, "a cancelled deferred call does not run");

	/* Queued from a deferred call: the next iteration, without waiting. */
	struct deferred y = { 0 };
	y.requeue = &y.d;
	loop_defer(L, &y.d, defer_cb, &y);
	uint64_t t0 = now_ms();
	struct loop_source *guard = loop_add_timer(L, 2000, quit_cb, NULL, &err);
	loop_add_timer(L, 0, quit_cb, NULL, &err);
	loop_run(L, &err);
	loop_remove(L, guard);
	tap_ok(y.runs >= 1 && now_ms() - t0 < 1000,
	       "deferred calls do not wait for epoll (%d runs)", y.runs);
	spin(5);
	tap_ok(y.runs == 2, "a call queued from a deferred call runs next time");
}

/* At the fd limit timers and deferred calls still work: they need no fd. */
static void test_no_fds(void)
{
	cleat_error_t err = NULL;
	struct rlimit old, low;
	getrlimit(RLIMIT_NOFILE, &old);
	int next = dup(0);
	close(next);
	low = old;
	low.rlim_cur = (rlim_t) next;
	if (setrlimit(RLIMIT_NOFILE, &low) < 0 || dup(0) >= 0) {
		setrlimit(RLIMIT_NOFILE, &old);
		tap_ok(true, "# SKIP the fd limit cannot be lowered here");
		return;
	}
	struct deferred x = { 0 };
	int fired = 0;
	loop_defer(L, &x.d, defer_cb, &x);
	struct loop_source *t = loop_add_timer(L, 10, quit_cb, &fired, &err);
	loop_run(L, &err);
	setrlimit(RLIMIT_NOFILE, &old);
	tap_ok(t && fired == 1 && x.runs == 1,
	       "out of fds: a timer fires and a deferred call runs");
}

int main(void)
{
	cleat_error_t err = NULL;
	int p1[2], p2[2];

	tap_ok(loop_new(&L, &err) == 0, "loop_new");

	/* A timer fires after its delay. */
	int fired = 0;
	uint64_t t0 = now_ms();
	loop_add_timer(L, 50, quit_cb, &fired, &err);
	loop_run(L, &err);
	uint64_t dt = now_ms() - t0;
	tap_ok(fired == 1 && dt >= 49 && dt < 1000, "50 ms timer fired after %llu ms",
	       (unsigned long long) dt);

	/* A cancelled timer never fires. */
	int cancelled_fired = 0;
	struct loop_source *t = loop_add_timer(L, 10, quit_cb, &cancelled_fired, &err);
	loop_remove(L, t);
	spin(40);
	tap_ok(cancelled_fired == 0, "removed timer does not fire");

	/* Two readable fds in one batch, each callback removing the other. */
	if (pipe2(p1, O_CLOEXEC | O_NONBLOCK) < 0 || pipe2(p2, O_CLOEXEC | O_NONBLOCK) < 0)
		abort();
	if (write(p1[1], "a", 1) != 1 || write(p2[1], "b", 1) != 1)
		abort();
	struct pair_ctx a = { 0 }, b = { 0 };
	a.me = loop_add_fd(L, p1[0], EPOLLIN, pair_cb, &a, &err);
	b.me = loop_add_fd(L, p2[0], EPOLLIN, pair_cb, &b, &err);
	a.other = b.me;
	b.other = a.me;
	spin(30);
	tap_ok(a.calls + b.calls == 1,
	       "a source removed by an earlier callback of the batch is skipped");

	/* Self-removal while the fd stays readable: called exactly once. */
	int self = 0;
	loop_add_fd(L, p1[0], EPOLLIN, self_remove_cb, &self, &err);
	spin(30);
	tap_ok(self == 1, "source removing itself is not called again");

	/* Level-triggered: a readable fd keeps firing until removed. */
	int level = 0;
	struct loop_source *lv = loop_add_fd(L, p2[0], EPOLLIN, count_cb, &level, &err);
	spin(20);
	loop_remove(L, lv);
	tap_ok(level > 1, "level-triggered fd fired %d times", level);

	/* A timer callback re-arming new timers. */
	loop_add_timer(L, 1, rearm_cb, NULL, &err);
	loop_run(L, &err);
	tap_ok(rearm_count == 3, "timer callbacks can add timers");

	/* loop_mod_fd to EPOLLOUT. */
	uint32_t got = 0;
	struct loop_source *w = loop_add_fd(L, p1[1], 0, out_cb, &got, &err);
	tap_ok(loop_mod_fd(L, w, EPOLLOUT, &err) == 0, "loop_mod_fd");
	loop_run(L, &err);
	tap_ok(got & EPOLLOUT, "EPOLLOUT delivered after loop_mod_fd");

	/* 0 ms timer runs on the next iteration. */
	int zero = 0;
	loop_add_timer(L, 0, quit_cb, &zero, &err);
	loop_run(L, &err);
	tap_ok(zero == 1, "0 ms timer fires");

	/* Nested run. */
	loop_add_timer(L, 1, nested_cb, NULL, &err);
	loop_run(L, &err);
	tap_ok(nested_inner == 1 && nested_after == 1, "nested loop_run quits only itself");

	if (write(p2[1], "c", 1) != 1)
		abort();
	test_defer(p2[0]);
	test_no_fds();

	/* Sources still registered are freed by loop_free (checked by valgrind). */
	loop_add_fd(L, p2[0], EPOLLIN, count_cb, &level, &err);
	loop_add_timer(L, 100000, quit_cb, NULL, &err);
	loop_free(L);
	close(p1[0]);
	close(p1[1]);
	close(p2[0]);
	close(p2[1]);
	tap_ok(true, "loop_free with live sources");
	return tap_done();
}
