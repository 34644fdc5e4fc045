/* The container process: the first process of the container, pid 1 in its pid
 * namespace (runc, runc's state.json and `cleat_container.init_pid` call it the
 * init).  The setup helper clones it (setup_helper.c) and it runs cleat's code
 * until its execve: loopback, the rootfs and the in-container hooks, hostname,
 * terminal or a session of its own, keyring, rlimits, cwd, then it confines
 * itself (process.c), reports CLEAT_SYNC_READY and waits for start (exec.fifo,
 * or CLEAT_SYNC_START from `cleat run`) before it execs process.args. */
#include "config.h"
#include "runtime/linux/container_process.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "common/util.h"
#include "runtime/linux/hooks.h"
#include "runtime/linux/process.h"
#include "runtime/linux/rootfs.h"
#include "runtime/linux/security.h"
#include "runtime/linux/sync.h"
#include "runtime/linux/terminal.h"

/* Everything the container process does before it reports READY; fills what its
 * execve needs. */
struct process_result {
	char **argv; /* NULL-terminated copy of process.args */
	char **env;
	char *exe;
	char *state_json;
};

static int join_v1(struct cleat_cgroup_join *v1, cleat_error_t *err)
{
	int r = cleat_cgroup_join_v1(v1, err);
	cleat_cgroup_join_close(v1);
	return r;
}

/* An early clone reads GO here (container_process.h): the v1 hierarchies into b->v1
 * for the join point (a cgroup2 part, which it was not born in, is joined now, by
 * writing), and exec.fifo, while the host's paths are still in reach. */
static int await_go(struct cleat_process_boot *b, cleat_error_t *err)
{
	if (!b->await_go)
		return 0;
	b->await_go = false;
	const struct cleat_setup_args *a = b->a;
	struct cleat_cgroup_join all;
	int given = cleat_setup_recv_go(a->sync_fd, false, &all, err);
	if (given < 0)
		return -1;
	if (given) {
		cleat_cgroup_join_split_v1(&all, &b->v1);
		if (cleat_cgroup_join_self(&all, err) < 0)
			return -1;
	}
	return a->launch->fifo ? cleat_setup_open_fifo(a->launch, &b->fifo_fd, err) : 0;
}

/* The cgroup mount binds the directories the container process joins later. */
static int await_v1_tasks(void *arg, char *const **tasks, size_t *n, cleat_error_t *err)
{
	struct cleat_process_boot *b = arg;
	if (await_go(b, err) < 0)
		return -1;
	*tasks = b->v1.paths;
	*n = b->v1.n;
	return 0;
}

static int process_rootfs_and_hooks(struct cleat_process_boot *b, struct process_result *r,
				    cleat_error_t *err)
{
	const struct cleat_setup_args *a = b->a;
	struct cleat_cgroup_join *v1 = &b->v1;
	const struct oci_config *c = a->launch->config;
	struct cleat_rootfs_opts ro = {
		.config = c,
		.bundle = a->launch->bundle,
		.rootfs = a->launch->rootfs,
		.no_pivot = a->launch->no_pivot,
		.in_userns = a->ns.create[CLEAT_NS_USER] || a->ns.join_fd[CLEAT_NS_USER] >= 0,
		.in_cgroupns = a->ns.create[CLEAT_NS_CGROUP],
		.console_path = NULL,
		.idmap_fds = a->idmap_fds,
		.sync_fd = a->sync_fd,
		.cgroup_v1_tasks = v1->paths,
		.n_cgroup_v1_tasks = v1->n,
		.cgroup_v1_await = b->await_go ? await_v1_tasks : NULL,
		.cgroup_v1_await_arg = b,
	};
	/* The cgroup and exec.fifo, at the latest before the host's paths are gone. */
	if (cleat_rootfs_prepare(&ro, err) < 0 || await_go(b, err) < 0)
		return -1;
	/* createRuntime and prestart run in the runtime namespace: the parent
	 * runs them; it answers with the state for the in-container hooks.  No
	 * hooks of these four phases: no round trip (both sides see the config). */
	if (!cleat_hooks_need_sync(&c->hooks))
		return cleat_rootfs_finalize(&ro, err);
	/* Hooks find the container's processes by its cgroup.  The join frees the tasks
	 * paths the cgroup mount used: finalize must not see them. */
	if (join_v1(v1, err) < 0)
		return -1;
	ro.cgroup_v1_tasks = NULL;
	ro.n_cgroup_v1_tasks = 0;
	if (cleat_sync_send_type(a->sync_fd, CLEAT_SYNC_HOOKS, err) < 0)
		return -1;
	_cleanup_sync_msg_ struct cleat_sync_msg *m = NULL;
	if (cleat_sync_expect(a->sync_fd, CLEAT_SYNC_HOOKS_DONE, "wait for createRuntime hooks", &m,
			      err) < 0)
		return -1;
	r->state_json = xstrdup(m->data);
	if (cleat_hooks_run(c->hooks.create_container, c->hooks.n_create_container,
			    "createContainer", r->state_json, err) < 0)
		return -1;
	if (cleat_rootfs_finalize(&ro, err) < 0)
		return -1;
	return 0;
}

static int process_setup(struct cleat_process_boot *b, struct process_result *r, cleat_error_t *err)
{
	const struct cleat_setup_args *a = b->a;
	const struct oci_config *c = a->launch->config;
	const struct oci_process *p = a->launch->config->process;
	if (a->ns.create[CLEAT_NS_NET] && cleat_ns_loopback_up(err) < 0)
		return -1;
	if (process_rootfs_and_hooks(b, r, err) < 0)
		return -1;
	if (cleat_process_set_hostname(c, err) < 0)
		return -1;
	if (p->terminal) {
		_cleanup_close_ int master = -1;
		if (cleat_terminal_setup(p, true, &master, err) < 0)
			return cleat_error_wrap(err, "set up terminal");
		if (cleat_sync_send(a->sync_fd, CLEAT_SYNC_CONSOLE, 0, NULL, 0, master, err) < 0)
			return -1;
	} else if (setsid() < 0 && errno != EPERM) {
		/* A session of its own, as runc's init: criu dumps no process whose session
		 * leader is outside the container's pid namespace. */
		return cleat_error_errno(err, errno, "setsid");
	}
	bool in_userns = a->ns.create[CLEAT_NS_USER] || a->ns.join_fd[CLEAT_NS_USER] >= 0;
	if (!a->launch->no_new_keyring &&
	    cleat_process_join_session_keyring(a->launch->id, p->selinux_label, true, in_userns,
					       err) < 0)
		return -1;
	if (cleat_process_set_rlimits(p, err) < 0)
		return -1;
	if (cleat_process_set_cwd(p->cwd, err) < 0)
		return -1;
	r->argv = xmalloc0((p->n_args + 1) * sizeof(char *));
	for (size_t i = 0; i < p->n_args; i++)
		r->argv[i] = p->args[i];
	r->env = cleat_process_env(p, a->launch->listen_fds);
	cleat_process_env_add_home(&r->env, p->user.uid);
	/* In the cgroup before what it resets (CPU affinity, memory policy), the last step
	 * that may still write, and everything of the container's own. */
	if (join_v1(&b->v1, err) < 0 || cleat_process_confine(p, c, a->sync_fd, err) < 0)
		return -1;
	if (cleat_process_find_exec(p, r->env, &r->exe, err) < 0)
		return cleat_error_wrap(err, "unable to start container process");
	return 0;
}

/* Block until `cleat start` opens exec.fifo for reading (runc's design: the
 * fifo's existence is what "created" means).  fd_dir is /proc/self/fd opened
 * before the root change: without a mount namespace nothing mounts /proc in
 * the new root, and the fd's magic link resolves from any root. */
static bool is_procfs(const char *path)
{
	struct statfs sf;
	return statfs(path, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

static int process_wait_start(int fd_dir, int fifo_fd, cleat_error_t *err)
{
	char name[32];
	snprintf(name, sizeof name, "%s%d", fd_dir >= 0 ? "" : "/proc/self/fd/", fifo_fd);
	_cleanup_close_ int fd = openat(fd_dir >= 0 ? fd_dir : AT_FDCWD, name,
					O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return cleat_error_errno(err, errno, "open exec fifo");
	if (write(fd, "0", 1) != 1)
		return cleat_error_errno(err, errno, "write exec fifo");
	return 0;
}

static _Noreturn void process_main(struct cleat_process_boot *b)
{
	const struct cleat_setup_args *a = b->a;
	cleat_error_t err = NULL;
	struct process_result r = { 0 };
	/* `cleat run` blocks the signals it forwards; the container starts clean. */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Until READY, a dying `cleat create` must take the half-built container with it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* Killed before that line: no signal will come, and until the v1 join nothing
	 * finds us (delete looks in the cgroup).  Its end of the sync socket is closed. */
	struct pollfd hup = { .fd = a->sync_fd, .events = POLLRDHUP };
	if (poll(&hup, 1, 0) > 0 && (hup.revents & (POLLHUP | POLLRDHUP)))
		_exit(1);
	if (a->ns.create[CLEAT_NS_CGROUP] && (await_go(b, &err) < 0 || join_v1(&b->v1, &err) < 0))
		cleat_sync_fail(a->sync_fd, err);
	if (a->ns.create[CLEAT_NS_CGROUP] && unshare(CLONE_NEWCGROUP) < 0) {
		cleat_error_errno(&err, errno, "unshare cgroup namespace");
		cleat_sync_fail(a->sync_fd, err);
	}
	int fd_dir = a->launch->fifo ? open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	if (process_setup(b, &r, &err) < 0)
		cleat_sync_fail(a->sync_fd, err);
	/* The early handle is the host's procfs: a created container must not hold one
	 * (through it, "../../1/root" is the host's root).  Keep it only when the new
	 * root has no procfs of its own to reopen the fifo through. */
	if (fd_dir >= 0 && is_procfs("/proc/self/fd")) {
		close(fd_dir);
		fd_dir = -1;
	}
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	if (cleat_sync_send_type(a->sync_fd, CLEAT_SYNC_READY, &err) < 0)
		_exit(1);
	if (b->fifo_fd < 0) {
		/* `run`: the runtime that created us starts us; if it dies first, so do we. */
		if (cleat_sync_expect(a->sync_fd, CLEAT_SYNC_START, "wait for start", NULL, &err) <
		    0)
			_exit(1);
		close(a->sync_fd);
	} else {
		close(a->sync_fd);
		if (process_wait_start(fd_dir, b->fifo_fd, &err) < 0)
			goto fail;
		close(b->fifo_fd);
	}
	if (fd_dir >= 0)
		close(fd_dir);
	const struct oci_hooks *h = &a->launch->config->hooks;
	if (h->n_start_container > 0) {
		/* The state it got is from create ("creating"); runc and the spec give
		 * startContainer hooks "created". */
		_cleanup_free_ char *st = cleat_hooks_state_with_status(r.state_json, "created");
		if (cleat_hooks_run_env(h->start_container, h->n_start_container, "startContainer",
					st ? st : r.state_json, r.env, &err) < 0)
			goto fail;
	}
	if (cleat_process_prepare_fds(a->launch->keep_fds, &err) < 0)
		goto fail;
	execve(r.exe, r.argv, r.env);
	cleat_process_report_exec_failure(r.exe, errno);
	_exit(1);
fail:;
	/* Nobody listens on the sync socket any more: stderr is all there is.  The status is
	 * runc 1.5's for a container process that fails after start (a startContainer
	 * hook, the exec): 255 (runc 1.1 exited 1).  The "init:" prefix is runc's. */
	_cleanup_free_ char *msg = cleat_error_string(err);
	dprintf(2, "cleat: init: %s\n", msg);
	_exit(255);
}

int cleat_container_process_entry(void *a) { process_main(a); }
