#include "config.h"
#include "runtime/linux/init.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/util.h"
#include "runtime/linux/hooks.h"
#include "runtime/linux/lsm.h"
#include "runtime/linux/process.h"
#include "runtime/linux/rootfs.h"
#include "runtime/linux/security.h"
#include "runtime/linux/selfexe.h"
#include "runtime/linux/sync.h"
#include "runtime/linux/terminal.h"

static _Noreturn void child_fail(int sync_fd, cleat_error_t *err)
{
	cleat_sync_send_error(sync_fd, *err);
	_exit(1);
}

/* What the helper hands the init at the clone. */
struct init_boot {
	const struct cleat_init_args *a;
	/* The v1 hierarchies, which the init joins itself: first thing when it makes a
	 * cgroup namespace (rooted where it is), else before the first hook or, without
	 * hooks, before it confines itself.  What the helper and the setup made until then
	 * (the namespaces, this task, the mounts) is charged to the runtime's cgroup, as
	 * clone3 into a cgroup2 directory charges the task to the parent's, and the
	 * container's memory limit pays for the container alone. */
	struct cleat_cgroup_join v1;
};

static int init_join_v1(struct cleat_cgroup_join *v1, cleat_error_t *err)
{
	int r = cleat_cgroup_join_v1(v1, err);
	cleat_cgroup_join_close(v1);
	return r;
}

/* Everything the init does before it reports READY; fills what exec needs. */
struct init_result {
	char **argv; /* NULL-terminated copy of process.args */
	char **env;
	char *exe;
	char *state_json;
};

static int init_rootfs_and_hooks(const struct cleat_init_args *a, struct cleat_cgroup_join *v1,
				 struct init_result *r, cleat_error_t *err)
{
	const struct oci_config *c = a->config;
	struct cleat_rootfs_opts ro = {
		.config = c,
		.bundle = a->bundle,
		.rootfs = a->rootfs,
		.no_pivot = a->no_pivot,
		.in_userns = a->ns.create[CLEAT_NS_USER] || a->ns.join_fd[CLEAT_NS_USER] >= 0,
		.in_cgroupns = a->ns.create[CLEAT_NS_CGROUP],
		.console_path = NULL,
		.idmap_fds = a->idmap_fds,
		.sync_fd = a->sync_fd,
		.cgroup_v1_tasks = v1->paths,
		.n_cgroup_v1_tasks = v1->n,
	};
	if (cleat_rootfs_prepare(&ro, err) < 0)
		return -1;
	/* createRuntime and prestart run in the runtime namespace: the parent
	 * runs them; it answers with the state for the in-container hooks.  No
	 * hooks of these four phases: no round trip (both sides see the config). */
	if (!cleat_hooks_need_sync(&c->hooks))
		return cleat_rootfs_finalize(&ro, err);
	/* Hooks find the container's processes by its cgroup. */
	if (init_join_v1(v1, err) < 0 ||
	    cleat_sync_send_type(a->sync_fd, CLEAT_SYNC_HOOKS, err) < 0)
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

static int init_setup(const struct cleat_init_args *a, struct cleat_cgroup_join *v1,
		      struct init_result *r, cleat_error_t *err)
{
	const struct oci_config *c = a->config;
	const struct oci_process *p = a->process;
	if (a->ns.create[CLEAT_NS_NET] && cleat_ns_loopback_up(err) < 0)
		return -1;
	if (init_rootfs_and_hooks(a, v1, r, err) < 0)
		return -1;
	if (cleat_process_set_hostname(c, err) < 0)
		return -1;
	if (a->console) {
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
	if (!a->no_new_keyring &&
	    cleat_process_join_session_keyring(a->id, p->selinux_label, true, in_userns, err) < 0)
		return -1;
	if (cleat_process_set_rlimits(p, err) < 0)
		return -1;
	if (cleat_process_set_cwd(p->cwd, err) < 0)
		return -1;
	r->argv = xmalloc0((p->n_args + 1) * sizeof(char *));
	for (size_t i = 0; i < p->n_args; i++)
		r->argv[i] = p->args[i];
	r->env = cleat_process_env(p, a->listen_fds);
	cleat_process_env_add_home(&r->env, p->user.uid);
	/* In the cgroup before what it resets (CPU affinity, memory policy), the last step
	 * that may still write, and everything of the container's own. */
	if (init_join_v1(v1, err) < 0 || cleat_process_confine(p, c, a->sync_fd, err) < 0)
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

static int init_wait_start(int fd_dir, int fifo_fd, cleat_error_t *err)
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

static _Noreturn void init_main(struct init_boot *b)
{
	const struct cleat_init_args *a = b->a;
	cleat_error_t err = NULL;
	struct init_result r = { 0 };
	/* `cleat run` blocks the signals it forwards; the container starts clean. */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Until READY, a dying `cleat create` must take the half-built init with it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* Killed before that line: no signal will come, and until the v1 join nothing
	 * finds us (delete looks in the cgroup).  Its end of the sync socket is closed. */
	struct pollfd hup = { .fd = a->sync_fd, .events = POLLRDHUP };
	if (poll(&hup, 1, 0) > 0 && (hup.revents & (POLLHUP | POLLRDHUP)))
		_exit(1);
	if (a->ns.create[CLEAT_NS_CGROUP] && init_join_v1(&b->v1, &err) < 0)
		child_fail(a->sync_fd, &err);
	if (a->ns.create[CLEAT_NS_CGROUP] && unshare(CLONE_NEWCGROUP) < 0) {
		cleat_error_errno(&err, errno, "unshare cgroup namespace");
		child_fail(a->sync_fd, &err);
	}
	int fd_dir = a->fifo_fd >= 0 ? open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	if (init_setup(a, &b->v1, &r, &err) < 0)
		child_fail(a->sync_fd, &err);
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
	if (a->fifo_fd < 0) {
		/* `run`: the runtime that created us starts us; if it dies first, so do we. */
		if (cleat_sync_expect(a->sync_fd, CLEAT_SYNC_START, "wait for start", NULL, &err) <
		    0)
			_exit(1);
		close(a->sync_fd);
	} else {
		close(a->sync_fd);
		if (init_wait_start(fd_dir, a->fifo_fd, &err) < 0)
			goto fail;
		close(a->fifo_fd);
	}
	if (fd_dir >= 0)
		close(fd_dir);
	if (a->config->hooks.n_start_container > 0) {
		/* The init's state is from create ("creating"); runc and the spec give
		 * startContainer hooks "created". */
		_cleanup_free_ char *st = cleat_hooks_state_with_status(r.state_json, "created");
		if (cleat_hooks_run_env(a->config->hooks.start_container,
					a->config->hooks.n_start_container, "startContainer",
					st ? st : r.state_json, r.env, &err) < 0)
			goto fail;
	}
	if (cleat_process_prepare_fds(a->keep_fds, &err) < 0)
		goto fail;
	execve(r.exe, r.argv, r.env);
	cleat_process_report_exec_failure(r.exe, errno);
	_exit(1);
fail:;
	/* Nobody listens on the sync socket any more: stderr is all there is.  The status is
	 * runc 1.5's for an init that fails after start (a startContainer hook, the exec):
	 * 255 (runc 1.1 exited 1). */
	_cleanup_free_ char *msg = cleat_error_string(err);
	dprintf(2, "cleat: init: %s\n", msg);
	_exit(255);
}

static int init_entry(void *a) { init_main(a); }

static int helper_userns(const struct cleat_init_args *a, cleat_error_t *err)
{
	if (a->ns.join_fd[CLEAT_NS_USER] >= 0) {
		if (cleat_ns_join(&a->ns, CLEAT_NS_USER, err) < 0)
			return -1;
	} else if (!a->ns.create[CLEAT_NS_USER]) {
		return 0;
	} else {
		if (unshare(CLONE_NEWUSER) < 0)
			return cleat_error_errno(err, errno, "unshare user namespace");
		/* Only a process outside the namespace can write the maps. */
		if (cleat_sync_send_type(a->sync_fd, CLEAT_SYNC_USERNS_MAP, err) < 0)
			return -1;
		if (cleat_sync_expect(a->sync_fd, CLEAT_SYNC_USERNS_DONE, "wait for uid/gid maps",
				      NULL, err) < 0)
			return -1;
	}
	/* Become root of the namespace, new or joined, when 0 is mapped (EINVAL otherwise),
	 * as runc does: as the overflow id, mounts such as devpts fail with EOVERFLOW. */
	if (setresgid(0, 0, 0) < 0 && errno != EINVAL)
		return cleat_error_errno(err, errno, "setresgid 0 in user namespace");
	if (setresuid(0, 0, 0) < 0 && errno != EINVAL)
		return cleat_error_errno(err, errno, "setresuid 0 in user namespace");
	return 0;
}

/* Whether the namespace nsfd is owned by the user namespace userns_fd (true when the
 * kernel cannot say: the usual order then). */
static bool ns_owned_by(int nsfd, int userns_fd)
{
	_cleanup_close_ int owner = ioctl(nsfd, NS_GET_USERNS);
	struct stat o, u;
	if (owner < 0)
		return true;
	return fstat(owner, &o) < 0 || fstat(userns_fd, &u) < 0 ||
	       (o.st_dev == u.st_dev && o.st_ino == u.st_ino);
}

static int helper_setup(const struct cleat_init_args *a, cleat_error_t *err)
{
	/* Before the user namespace, and inherited by the init: inside a user namespace that
	 * does not map host root, /proc/self/oom_score_adj of a non-dumpable process is out of
	 * reach. */
	if (cleat_process_set_oom_score_adj(a->process, err) < 0)
		return -1;
	_cleanup_close_ int time_fd = -1;
	if (a->ns.create[CLEAT_NS_TIME]) {
		time_fd = cleat_ns_open_time_offsets(a->config, err);
		if (time_fd == -1)
			return -1;
	}
	/* Joining a user namespace drops our capabilities outside it: a joined namespace
	 * it does not own (the host's network namespace, say) is joined before it, while
	 * we can, as runc does; the ones it owns after it, as usual. */
	bool joined[CLEAT_NS_COUNT] = { false };
	for (int k = 0; a->ns.join_fd[CLEAT_NS_USER] >= 0 && k < CLEAT_NS_COUNT; k++) {
		if (k == CLEAT_NS_USER || a->ns.join_fd[k] < 0 ||
		    ns_owned_by(a->ns.join_fd[k], a->ns.join_fd[CLEAT_NS_USER]))
			continue;
		if (cleat_ns_join(&a->ns, k, err) < 0)
			return -1;
		joined[k] = true;
	}
	if (helper_userns(a, err) < 0)
		return -1;
	for (int k = 0; k < CLEAT_NS_COUNT; k++)
		if (k != CLEAT_NS_USER && !joined[k] && cleat_ns_join(&a->ns, k, err) < 0)
			return -1;
	/* The cgroup namespace is the init's to create, once it is inside the cgroup. */
	struct cleat_ns_plan now = a->ns;
	now.create[CLEAT_NS_CGROUP] = false;
	for (int k = 0; k < CLEAT_NS_COUNT; k++)
		if (a->unshared[k])
			now.create[k] = false;
	if (cleat_ns_unshare_new(&now, err) < 0)
		return -1;
	if (cleat_ns_write_time_offsets(a->config, time_fd, err) < 0)
		return -1;
	return 0;
}

int cleat_init_unshare_early(const struct cleat_ns_plan *p, bool done[CLEAT_NS_COUNT],
			     cleat_error_t *err)
{
	if (p->create[CLEAT_NS_USER] || p->join_fd[CLEAT_NS_USER] >= 0)
		return 0;
	/* Neither changes how paths resolve nor what the cgroup join opens. */
	struct cleat_ns_plan early;
	cleat_ns_plan_init(&early);
	for (int k = 0; k < CLEAT_NS_COUNT; k++)
		early.create[k] = p->create[k] &&
				  (k == CLEAT_NS_NET || k == CLEAT_NS_IPC || k == CLEAT_NS_UTS);
	if (cleat_ns_unshare_new(&early, err) < 0)
		return -1;
	for (int k = 0; k < CLEAT_NS_COUNT; k++)
		done[k] = early.create[k];
	return 0;
}

_Noreturn void cleat_init_helper_main(const struct cleat_init_args *a)
{
	cleat_error_t err = NULL;
	size_t n_idmap = a->idmap_fds ? a->config->n_mounts : 0;
	const struct cleat_cgroup_join *j = a->cgroup_join;
	size_t n_own = 2 + CLEAT_NS_COUNT + n_idmap, n_cg = j ? j->n + 1 : 0;
	_cleanup_free_ int *own = xmalloc((n_own + n_cg) * sizeof(int));
	own[0] = a->sync_fd;
	own[1] = a->fifo_fd;
	for (int k = 0; k < CLEAT_NS_COUNT; k++)
		own[2 + k] = a->ns.join_fd[k];
	for (size_t i = 0; i < n_idmap; i++)
		own[2 + CLEAT_NS_COUNT + i] = a->idmap_fds[i];
	for (size_t i = 0; i < n_cg; i++)
		own[n_own++] = i < j->n ? j->fds[i] : j->v2_dir;
	cleat_process_close_inherited(a->keep_fds, own, n_own);
	if (helper_setup(a, &err) < 0)
		child_fail(a->sync_fd, &err);
	/* The init shares our memory (no copy; we exit now), except with a time
	 * namespace: the kernel gives a new one only to a child with its own. */
	bool share = !a->ns.create[CLEAT_NS_TIME] && a->ns.join_fd[CLEAT_NS_TIME] < 0;
	struct init_boot b = { .a = a };
	cleat_cgroup_join_init(&b.v1);
	if (a->cgroup_join)
		cleat_cgroup_join_split_v1(a->cgroup_join, &b.v1);
	pid_t pid = cleat_sync_clone_announced_run(a->sync_fd, CLEAT_SYNC_INIT_PID, a->cgroup_join,
						   share, init_entry, &b, &err);
	if (pid < 0)
		child_fail(a->sync_fd, &err);
	_exit(0);
}

/* What the CLONE_VM child may touch: prepared by the parent, read-only after. */
struct helper_child {
	int sync_fd;
	char **argv, **envp;
	const char *layers, *name; /* the overlay seal (selfexe.h), layers NULL: none */
	pid_t parent; /* `cleat create` */
};

/* Runs on its own stack in the parent's memory until the exec: no allocation, no
 * locks, nothing but system calls on data the parent no longer writes. */
static int helper_child_exec(void *arg)
{
	const struct helper_child *h = arg;
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* Killed before the line above: no signal will come.  Until it joins the
	 * cgroup nothing else can find us (container_create.c), so go now. */
	if (getppid() != h->parent)
		_exit(127);
	const char *what = "keep the sync socket across exec";
	int r = fcntl(h->sync_fd, F_SETFD, 0) < 0
			? -errno
			: cleat_selfexe_open_sealed_raw(h->layers, h->name, &what);
	if (r >= 0) {
		syscall(SYS_execveat, r, "", h->argv, h->envp, AT_EMPTY_PATH);
		what = "re-execute cleat from its sealed copy";
		r = -errno;
	}
	cleat_sync_send_error_raw(h->sync_fd, -r, what);
	_exit(127);
}

pid_t cleat_init_fork_helper(struct cleat_helper_exec *x, cleat_error_t *err)
{
	/* Above the fds that pass through; the child keeps it across the exec. */
	_cleanup_close_ int sync_fd = fcntl(x->sync_fd, F_DUPFD_CLOEXEC, 3 + (int) x->keep_fds);
	if (sync_fd < 0)
		return cleat_error_errno(err, errno, "dup the helper's sync socket");
	/* Everything the child reads lives in the region of its stack, which stays
	 * mapped until the helper exec'd or died (the caller unmaps it). */
	extern char **environ;
	size_t n = strv_length(environ);
	size_t data = sizeof(struct helper_child) + (n + 6) * sizeof(char *) + 64;
	x->stack_size = (data + HELPER_STACK + 4095) & ~(size_t) 4095;
	x->stack = mmap(NULL, x->stack_size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (x->stack == MAP_FAILED) {
		x->stack = NULL;
		return cleat_error_errno(err, errno, "mmap the helper's stack");
	}
	struct helper_child *h = x->stack;
	char **argv = (char **) (h + 1), **envp = argv + 3;
	char *init_env = (char *) (envp + n + 3);
	snprintf(init_env, 64, "%s=%d,%d", CLEAT_INIT_ENV, sync_fd,
		 x->born_into && x->born_into->v2_dir >= 0 ? 1 : 0);
	argv[0] = (char *) x->argv0;
	argv[1] = "init";
	argv[2] = NULL;
	memcpy(envp, environ, n * sizeof(char *));
	envp[n] = init_env;
	envp[n + 1] = CLEAT_SELFEXE_ENV "=1";
	envp[n + 2] = NULL;
	const char *name = NULL;
	_cleanup_free_ char *layers = cleat_selfexe_overlay_layers(x->state_root, &name);
	*h = (struct helper_child){ sync_fd, argv, envp, layers, name, getpid() };
	pid_t pid;
	if (x->born_into || x->moved_by_pid) {
		/* Into the cgroup2 directory with clone3 (user namespaces, see
		 * container_create.c), or moved by pid (systemd) while it may still be
		 * exec'ing: a plain fork, the child has its own memory. */
		pid = cleat_cgroup_fork(x->born_into);
		if (pid == 0) {
			/* Our own copy: say whether clone3 really started us in there. */
			init_env[strlen(init_env) - 1] = x->born_into && x->born_into->in_v2 ? '1'
											     : '0';
			helper_child_exec(h);
		}
	} else {
		/* Like posix_spawn: no copy of our page tables, no copy-on-write faults,
		 * and we wait until the child exec'd (CLONE_VFORK: it shares our errno and
		 * heap until then; what it does first is short).  Every signal blocked
		 * meanwhile, so no handler runs on the child's stack in our memory. */
		sigset_t all, old;
		sigfillset(&all);
		sigprocmask(SIG_SETMASK, &all, &old);
		pid = clone(helper_child_exec, (char *) x->stack + x->stack_size,
			    CLONE_VM | CLONE_VFORK | SIGCHLD, h);
		int e = errno;
		sigprocmask(SIG_SETMASK, &old, NULL);
		errno = e;
	}
	if (pid < 0)
		return cleat_error_errno(err, errno, "clone the helper");
	return pid;
}
