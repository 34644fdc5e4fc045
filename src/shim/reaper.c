#include "config.h"
#include "shim/reaper.h"
#include "shim/shim.h"
#include "common/cleanup.h"
#include "common/exit_status.h"
#include "common/log.h"
#include "common/util.h"

#include <errno.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

struct watch {
	struct watch *next;
	pid_t pid;
	reaper_fn fn;
	void *data;
};

struct reaper {
	struct shim *shim;
	int sfd;
	struct loop_source *src;
	struct watch *watches;
};

int reaper_exit_status(int wstatus) { return cleat_exit_status(wstatus); }

static void on_signal(struct loop *l, struct loop_source *src, int fd, uint32_t events, void *data)
{
	struct reaper *r = data;
	struct signalfd_siginfo si;
	/* Drain the signalfd: SIGCHLDs coalesce, so one read may stand for many exits. */
	while (read(fd, &si, sizeof si) == (ssize_t) sizeof si)
		;
	reaper_reap(r);
}

void reaper_reap(struct reaper *r)
{
	for (;;) {
		int st;
		pid_t pid = wait4(-1, &st, WNOHANG, NULL);
		if (pid <= 0) {
			if (pid < 0 && errno == EINTR)
				continue;
			break;
		}
		if (!WIFEXITED(st) && !WIFSIGNALED(st))
			continue;
		struct timespec at;
		clock_gettime(CLOCK_REALTIME, &at);
		int status = reaper_exit_status(st);
		struct watch **pp = &r->watches, *w = NULL;
		for (; *pp; pp = &(*pp)->next)
			if ((*pp)->pid == pid) {
				w = *pp;
				*pp = w->next;
				break;
			}
		if (w) {
			reaper_fn fn = w->fn;
			void *d = w->data;
			free(w);
			fn(r->shim, pid, status, &at, d);
		} else {
			shim_handle_exit(r->shim, pid, status, &at);
		}
	}
}

int reaper_new(struct shim *s, struct reaper **out, cleat_error_t *err)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		return cleat_error_errno(err, errno, "prctl(PR_SET_CHILD_SUBREAPER)");
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	_cleanup_close_ int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		return cleat_error_errno(err, errno, "signalfd(SIGCHLD)");
	_cleanup_free_ struct reaper *r = xmalloc0(sizeof *r);
	r->shim = s;
	r->sfd = sfd;
	r->src = loop_add_fd(s->loop, sfd, EPOLLIN, on_signal, r, err);
	if (!r->src)
		return -1;
	TAKE_FD(sfd);
	*out = TAKE_PTR(r);
	return 0;
}

void reaper_free(struct reaper *r)
{
	if (!r)
		return;
	if (r->src)
		loop_remove(r->shim->loop, r->src);
	close(r->sfd);
	while (r->watches) {
		struct watch *w = r->watches;
		r->watches = w->next;
		free(w);
	}
	free(r);
}

void reaper_watch(struct reaper *r, pid_t pid, reaper_fn fn, void *data)
{
	struct watch *w = xmalloc0(sizeof *w);
	w->pid = pid;
	w->fn = fn;
	w->data = data;
	w->next = r->watches;
	r->watches = w;
}

void reaper_unwatch(struct reaper *r, pid_t pid)
{
	for (struct watch **pp = &r->watches; *pp; pp = &(*pp)->next)
		if ((*pp)->pid == pid) {
			struct watch *w = *pp;
			*pp = w->next;
			free(w);
			return;
		}
}
