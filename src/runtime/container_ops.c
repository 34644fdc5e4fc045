/* start, kill, delete over the state dir. */
#include "config.h"
#include "runtime/container.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "runtime/linux/hooks.h"
#include "runtime/linux/resctrl.h"
#include "runtime/linux/sync.h"
#include "runtime/state_dir.h"

/* Signal the init only if the pid is still the process create started: pidfd
 * (from pidfd_open before the start-time check) pins it between that check and the
 * signal.  Without a pidfd (ESRCH: gone; or no pidfd_open), check and kill(2). */
static int signal_pinned(const struct cleat_container *c, int pidfd, int signo, cleat_error_t *err)
{
	if (pidfd < 0) {
		if (errno == ESRCH)
			return cleat_error_errno(err, ESRCH, "container not running");
		if (!cleat_container_init_alive(c))
			return cleat_error_msg(err, "container not running");
		if (kill(c->init_pid, signo) < 0)
			return cleat_error_errno(err, errno, "kill init pid %d", (int) c->init_pid);
		return 0;
	}
	if (!cleat_container_init_alive(c))
		return cleat_error_msg(err, "container not running");
	if (syscall(SYS_pidfd_send_signal, pidfd, signo, NULL, 0) < 0)
		return cleat_error_errno(err, errno, "signal init pid %d", (int) c->init_pid);
	return 0;
}

static int signal_init(const struct cleat_container *c, int signo, cleat_error_t *err)
{
	_cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, c->init_pid, 0);
	return signal_pinned(c, pidfd, signo, err);
}

/* Wait until the init is gone (it is not our child).  Its pidfd turns readable the
 * moment it exits (a zombie counts as gone, as for cleat_container_init_alive()); a
 * pidfd taken before the init was known alive may name a recycled pid, so the start
 * time decides then.  Without a pidfd, poll the start time. */
static bool wait_init_gone(const struct cleat_container *c, int pidfd, int timeout_ms)
{
	if (pidfd >= 0) {
		struct pollfd p = { pidfd, POLLIN, 0 };
		int n;
		while ((n = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
			;
		if (n >= 0)
			return n > 0 || !cleat_container_init_alive(c);
	}
	for (int waited = 0; waited <= timeout_ms; waited += 10) {
		if (!cleat_container_init_alive(c))
			return true;
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return !cleat_container_init_alive(c);
}

/* The init blocks in open(O_WRONLY) of exec.fifo; opening the read side
 * releases it and it writes one byte.  A dead init never writes: check its
 * liveness while waiting instead of blocking forever. */
static int release_init(struct cleat_container *c, cleat_error_t *err)
{
	_cleanup_close_ int fd = openat(c->dir_fd, CLEAT_EXEC_FIFO,
					O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return cleat_error_errno(err, errno, "open exec fifo");
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		int n = poll(&p, 1, 100);
		if (n < 0 && errno != EINTR)
			return cleat_error_errno(err, errno, "poll exec fifo");
		if (n > 0 && (p.revents & POLLIN)) {
			char b;
			ssize_t r = read(fd, &b, 1);
			if (r == 1)
				break;
			if (r < 0 && errno != EAGAIN)
				return cleat_error_errno(err, errno, "read exec fifo");
		}
		if (!cleat_container_init_alive(c))
			return cleat_error_msg(err, "cannot start a container that has stopped");
	}
	if (unlinkat(c->dir_fd, CLEAT_EXEC_FIFO, 0) < 0 && errno != ENOENT)
		return cleat_error_errno(err, errno, "remove exec fifo");
	return 0;
}

static int kill_and_wait(struct cleat_container *c, cleat_error_t *err);

/* runtime-spec 1.3 (and runc 1.5): a failing poststart hook is an error that
 * stops the container; its delete (poststop) is left to the caller. */
static int run_poststart(struct cleat_container *c, cleat_error_t *err)
{
	c->status = CLEAT_STATUS_RUNNING;
	const struct oci_hooks *h = &c->config->hooks;
	if (h->n_poststart == 0)
		return 0;
	_cleanup_free_ char *state = cleat_container_spec_state_json(c);
	if (cleat_hooks_run(h->poststart, h->n_poststart, "poststart", state, err) == 0)
		return 0;
	_cleanup_error_ cleat_error_t e = NULL;
	if (kill_and_wait(c, &e) < 0)
		cleat_warn("kill after failed poststart: %s", e->msg);
	c->status = CLEAT_STATUS_STOPPED;
	return -1;
}

int cleat_container_start(const struct cleat_ctx *ctx, const char *id, cleat_error_t *err)
{
	_cleanup_container_ struct cleat_container *c = NULL;
	if (cleat_container_load(ctx->root, id, &c, err) < 0)
		return -1;
	switch (c->status) {
	case CLEAT_STATUS_CREATED: break;
	case CLEAT_STATUS_STOPPED:
		return cleat_error_msg(err, "cannot start a container that has stopped");
	case CLEAT_STATUS_RUNNING:
		return cleat_error_msg(err, "cannot start an already running container");
	default:
		return cleat_error_msg(err, "cannot start a container in the %s state",
				       cleat_status_name(c->status));
	}
	if (release_init(c, err) < 0)
		return -1;
	return run_poststart(c, err);
}

int cleat_container_start_direct(struct cleat_container *c, int start_fd, cleat_error_t *err)
{
	if (cleat_sync_send_type(start_fd, CLEAT_SYNC_START, err) < 0) {
		cleat_error_free(err);
		return cleat_error_msg(err, "cannot start a container that has stopped");
	}
	if (run_poststart(c, err) < 0)
		return -1;
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	c->lock_fd = -1;
	return 0;
}

/* As runc 1.2+: where the container has no pid namespace of its own, init's
 * death does not take the others with it, so SIGKILL goes to every process
 * of the cgroup. */
static bool pid_ns_private(const struct cleat_container *c)
{
	const struct oci_namespace *ns = c->config ? oci_config_namespace(c->config, "pid") : NULL;
	return ns && (!ns->path || !*ns->path);
}

static int kill_container(struct cleat_container *c, int signo, cleat_error_t *err)
{
	if (signo == SIGKILL && !pid_ns_private(c) && c->cgroup_str && *c->cgroup_str) {
		struct cleat_cgroup *cg;
		if (cleat_container_cgroup(c, &cg, err) == 0 &&
		    cleat_cgroup_kill_all(cg, signo, err) == 0)
			return 0;
		if (!cleat_container_init_alive(c)) {
			cleat_error_free(err);
			return cleat_error_msg(err, "container not running");
		}
		return cleat_error_wrap(err, "unable to kill all processes");
	}
	if (c->status == CLEAT_STATUS_STOPPED || c->status == CLEAT_STATUS_CREATING)
		return cleat_error_msg(err, "container not running");
	if (signal_init(c, signo, err) < 0)
		return -1;
	/* A frozen (cgroup v1) task only dies once thawed; runc thaws for SIGKILL too. */
	if (c->status == CLEAT_STATUS_PAUSED && signo == SIGKILL) {
		struct cleat_cgroup *cg;
		if (cleat_container_cgroup(c, &cg, err) < 0 ||
		    cleat_cgroup_freeze(cg, false, err) < 0)
			return cleat_error_wrap(err, "thaw after SIGKILL");
	}
	return 0;
}

int cleat_container_kill(const struct cleat_ctx *ctx, const char *id, int signo, bool all,
			 cleat_error_t *err)
{
	_cleanup_container_ struct cleat_container *c = NULL;
	if (cleat_container_load(ctx->root, id, &c, err) < 0)
		return -1;
	if (kill_container(c, signo, err) == 0)
		return 0;
	/* runc 1.2+: --all is obsolete; all it still does is make "not running" a success. */
	if (all && str_has_prefix((*err)->msg, "container not running")) {
		cleat_error_free(err);
		return 0;
	}
	return -1;
}

int cleat_container_destroy(struct cleat_container *c, cleat_error_t *err)
{
	if (c->cgroup_str && *c->cgroup_str) {
		struct cleat_cgroup *cg;
		if (cleat_container_cgroup(c, &cg, err) < 0 || cleat_cgroup_destroy(cg, err) < 0)
			return cleat_error_wrap(err, "remove cgroup of \"%s\"", c->id);
	}
	const struct oci_intel_rdt *rdt = c->config && c->config->linux_
						  ? c->config->linux_->intel_rdt
						  : NULL;
	if (cleat_resctrl_cleanup(c->dir_fd, rdt, c->id, err) < 0)
		return -1;
	if (c->config && c->config->hooks.n_poststop) {
		c->status = CLEAT_STATUS_STOPPED;
		_cleanup_free_ char *state = cleat_container_spec_state_json(c);
		/* runtime-spec: a poststop failure is a warning; the remaining hooks and
		 * the delete go on. */
		cleat_hooks_run_warn(c->config->hooks.poststop, c->config->hooks.n_poststop,
				     "poststop", state);
	}
	return cleat_state_dir_remove(c->dir_fd, c->state_dir, err);
}

static int kill_and_wait(struct cleat_container *c, cleat_error_t *err)
{
	struct cleat_cgroup *cg = NULL;
	if (c->cgroup_str && *c->cgroup_str && cleat_container_cgroup(c, &cg, err) < 0)
		return -1;
	_cleanup_error_ cleat_error_t e = NULL;
	_cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, c->init_pid, 0);
	if (signal_pinned(c, pidfd, SIGKILL, &e) < 0) {
		if (cleat_container_init_alive(c)) {
			*err = TAKE_PTR(e);
			return -1;
		}
		return 0;
	}
	/* A frozen task only dies once thawed. */
	if (c->status == CLEAT_STATUS_PAUSED && cg) {
		_cleanup_error_ cleat_error_t e2 = NULL;
		(void) cleat_cgroup_freeze(cg, false, &e2);
	}
	if (!wait_init_gone(c, pidfd, 10000))
		return cleat_error_msg(err, "container init (pid %d) did not die after SIGKILL",
				       (int) c->init_pid);
	return 0;
}

static int delete_loaded(struct cleat_container *c, bool force, cleat_error_t *err)
{
	switch (c->status) {
	case CLEAT_STATUS_STOPPED: break;
	case CLEAT_STATUS_CREATED:
		if (kill_and_wait(c, err) < 0)
			return -1;
		break;
	default:
		if (!force)
			return cleat_error_msg(err,
					       "cannot delete container %s that is not stopped: %s",
					       c->id, cleat_status_name(c->status));
		if (c->init_pid > 0 && kill_and_wait(c, err) < 0)
			return -1;
	}
	return cleat_container_destroy(c, err);
}

int cleat_container_delete(const struct cleat_ctx *ctx, const char *id, bool force,
			   cleat_error_t *err)
{
	_cleanup_container_ struct cleat_container *c = NULL;
	if (cleat_container_validate_id(id, err) < 0)
		return -1;
	/* runc: `delete --force` of a container that is already gone succeeds
	 * silently; containerd's and CRI's cleanup paths rely on it. */
	_cleanup_free_ char *dir = xasprintf("%s/%s", ctx->root, id);
	if (force && access(dir, F_OK) < 0 && errno == ENOENT)
		return 0;
	if (cleat_container_load(ctx->root, id, &c, err) < 0)
		return -1;
	return delete_loaded(c, force, err);
}

int cleat_container_delete_direct(struct cleat_container *c, cleat_error_t *err)
{
	/* Still locked when the start failed. */
	if (c->lock_fd < 0) {
		if (cleat_state_dir_relock(c->dir_fd, c->state_dir, &c->lock_fd, err) < 0)
			return -1;
		if (c->lock_fd < 0)
			return 0; /* deleted by someone else */
	}
	if (cleat_container_refresh(c, err) < 0)
		return -1;
	return delete_loaded(c, true, err);
}
