#include "config.h"
#include "shim/events.h"
#include "shim/container.h"
#include "shim/events_client.h"
#include "shim/metrics.h"
#include "shim/shim.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "events.pb-c.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

void shim_timestamp(Google__Protobuf__Timestamp *ts, const struct timespec *at)
{
	if (!at || (at->tv_sec == 0 && at->tv_nsec == 0)) {
		ts->seconds = SHIM_ZERO_TIME_SECONDS;
		ts->nanos = 0;
		return;
	}
	ts->seconds = at->tv_sec;
	ts->nanos = (int32_t) at->tv_nsec;
}

static void publish(struct container *c, const char *topic, const ProtobufCMessage *m)
{
	struct shim *s = c->shim;
	cleat_debug("event %s for %s", topic, c->id);
	if (s->pub)
		events_publish(s->pub, topic, m);
}

void event_task_create(struct container *c, const Containerd__Task__V2__CreateTaskRequest *req,
		       uint32_t pid)
{
	Containerd__Events__TaskCreate ev = CONTAINERD__EVENTS__TASK_CREATE__INIT;
	Containerd__Events__TaskIO io = CONTAINERD__EVENTS__TASK_IO__INIT;
	io.stdin = req->stdin;
	io.stdout = req->stdout;
	io.stderr = req->stderr;
	io.terminal = req->terminal;
	ev.container_id = c->id;
	ev.bundle = c->bundle;
	ev.n_rootfs = req->n_rootfs;
	ev.rootfs = req->rootfs;
	ev.io = &io;
	ev.checkpoint = req->checkpoint;
	ev.pid = pid;
	publish(c, "/tasks/create", &ev.base);
}

void event_task_start(struct container *c, uint32_t pid)
{
	Containerd__Events__TaskStart ev = CONTAINERD__EVENTS__TASK_START__INIT;
	ev.container_id = c->id;
	ev.pid = pid;
	publish(c, "/tasks/start", &ev.base);
}

void event_task_exit(struct process *p)
{
	Containerd__Events__TaskExit ev = CONTAINERD__EVENTS__TASK_EXIT__INIT;
	Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	shim_timestamp(&ts, &p->exited_at);
	ev.container_id = p->c->id;
	ev.id = p->id; /* the container id for init, as runc-v2 sends */
	ev.pid = (uint32_t) p->pid;
	ev.exit_status = (uint32_t) p->exit_status;
	ev.exited_at = &ts;
	publish(p->c, "/tasks/exit", &ev.base);
}

void event_task_delete(struct container *c, uint32_t pid, uint32_t status,
		       const struct timespec *at)
{
	Containerd__Events__TaskDelete ev = CONTAINERD__EVENTS__TASK_DELETE__INIT;
	Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	shim_timestamp(&ts, at);
	ev.container_id = c->id;
	ev.pid = pid;
	ev.exit_status = status;
	ev.exited_at = &ts;
	publish(c, "/tasks/delete", &ev.base);
}

void event_exec_added(struct container *c, const char *exec_id)
{
	Containerd__Events__TaskExecAdded ev = CONTAINERD__EVENTS__TASK_EXEC_ADDED__INIT;
	ev.container_id = c->id;
	ev.exec_id = (char *) exec_id;
	publish(c, "/tasks/exec-added", &ev.base);
}

void event_exec_started(struct container *c, const char *exec_id, uint32_t pid)
{
	Containerd__Events__TaskExecStarted ev = CONTAINERD__EVENTS__TASK_EXEC_STARTED__INIT;
	ev.container_id = c->id;
	ev.exec_id = (char *) exec_id;
	ev.pid = pid;
	publish(c, "/tasks/exec-started", &ev.base);
}

void event_task_paused(struct container *c)
{
	Containerd__Events__TaskPaused ev = CONTAINERD__EVENTS__TASK_PAUSED__INIT;
	ev.container_id = c->id;
	publish(c, "/tasks/paused", &ev.base);
}

void event_task_checkpointed(struct container *c, const char *image)
{
	Containerd__Events__TaskCheckpointed ev = CONTAINERD__EVENTS__TASK_CHECKPOINTED__INIT;
	ev.container_id = c->id;
	ev.checkpoint = (char *) image;
	publish(c, "/tasks/checkpointed", &ev.base);
}

void event_task_resumed(struct container *c)
{
	Containerd__Events__TaskResumed ev = CONTAINERD__EVENTS__TASK_RESUMED__INIT;
	ev.container_id = c->id;
	publish(c, "/tasks/resumed", &ev.base);
}

void event_task_oom(struct container *c)
{
	Containerd__Events__TaskOOM ev = CONTAINERD__EVENTS__TASK_OOM__INIT;
	ev.container_id = c->id;
	publish(c, "/tasks/oom", &ev.base);
}

/* ---- OOM watch ------------------------------------------------------------- */

struct oom_watch {
	struct container *c;
	int fd; /* eventfd (v1) or inotify (v2) */
	struct loop_source *src;
	char *dir;
	bool v2;
	unsigned long long oom_kills; /* v2: last seen memory.events oom_kill */
};

static unsigned long long v2_oom_kills(const char *dir)
{
	_cleanup_free_ char *path = xasprintf("%s/memory.events", dir);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char key[64];
	unsigned long long v;
	while (f && fscanf(f, "%63s %llu", key, &v) == 2)
		if (strcmp(key, "oom_kill") == 0)
			return v;
	return 0;
}

static void on_oom(struct loop *l, struct loop_source *src, int fd, uint32_t events, void *data)
{
	struct oom_watch *w = data;
	struct container *c = w->c;
	char buf[4096];
	(void) !read(fd, buf, sizeof buf);
	struct stat st;
	/* The memcg also signals its eventfd when it is removed: not an OOM. */
	if (stat(w->dir, &st) < 0) {
		oom_watch_stop(c);
		return;
	}
	if (w->v2) {
		unsigned long long k = v2_oom_kills(w->dir);
		if (k <= w->oom_kills)
			return;
		w->oom_kills = k;
	}
	event_task_oom(c);
}

static int watch_v1(struct oom_watch *w, cleat_error_t *err)
{
	_cleanup_free_ char *ctl = xasprintf("%s/memory.oom_control", w->dir);
	_cleanup_free_ char *evc = xasprintf("%s/cgroup.event_control", w->dir);
	_cleanup_close_ int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		return cleat_error_errno(err, errno, "eventfd");
	_cleanup_close_ int cfd = open(ctl, O_RDONLY | O_CLOEXEC);
	if (cfd < 0)
		return cleat_error_errno(err, errno, "open \"%s\"", ctl);
	_cleanup_free_ char *line = xasprintf("%d %d ", efd, cfd);
	if (write_file(evc, line, strlen(line), 0, err) < 0)
		return -1;
	w->fd = TAKE_FD(efd);
	return 0;
}

static int watch_v2(struct oom_watch *w, cleat_error_t *err)
{
	_cleanup_free_ char *ev = xasprintf("%s/memory.events", w->dir);
	_cleanup_close_ int ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (ifd < 0)
		return cleat_error_errno(err, errno, "inotify_init1");
	if (inotify_add_watch(ifd, ev, IN_MODIFY) < 0)
		return cleat_error_errno(err, errno, "inotify_add_watch \"%s\"", ev);
	w->oom_kills = v2_oom_kills(w->dir);
	w->fd = TAKE_FD(ifd);
	return 0;
}

void oom_watch_start(struct container *c, pid_t pid)
{
	cleat_error_t err = NULL;
	if (c->oom)
		return;
	struct oom_watch *w = xmalloc0(sizeof *w);
	w->c = c;
	w->fd = -1;
	w->v2 = cgroup_unified();
	w->dir = cgroup_dir_of(pid, w->v2 ? NULL : "memory");
	if (!w->dir) {
		cleat_warn("oom: no memory cgroup for pid %d", pid);
		free(w);
		return;
	}
	if ((w->v2 ? watch_v2(w, &err) : watch_v1(w, &err)) < 0 ||
	    !(w->src = loop_add_fd(c->shim->loop, w->fd, EPOLLIN, on_oom, w, &err))) {
		cleat_warn("oom: watch \"%s\": %s", w->dir, err ? err->msg : "?");
		cleat_error_free(&err);
		if (w->fd >= 0)
			close(w->fd);
		free(w->dir);
		free(w);
		return;
	}
	c->oom = w;
}

void oom_watch_stop(struct container *c)
{
	struct oom_watch *w = c->oom;
	if (!w)
		return;
	c->oom = NULL;
	loop_remove(c->shim->loop, w->src);
	close(w->fd);
	free(w->dir);
	free(w);
}
