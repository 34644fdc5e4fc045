/* The setup helper: the process `cleat create` and `cleat run` start first, and
 * the order in which it enters the container's cgroup and namespaces.
 *
 * cleat_setup_helper_spawn() starts it in the parent's memory; it re-executes the
 * sealed copy of cleat as `cleat init` (container_setup.c receives the handover
 * there).  cleat_setup_helper_main() then sequences the namespaces: oom_score_adj
 * first, the joined namespaces a joined user namespace
 * does not own, the user namespace (new, with maps written by the parent, or
 * joined), the other joined ones, the new ones (namespaces.c has the single
 * steps), the time offsets; and clones the container process
 * (container_process.c) as pid 1 of the new pid namespace. */
#include "config.h"
#include "runtime/linux/setup_helper.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/util.h"
#include "runtime/linux/container_process.h"
#include "runtime/linux/process.h"
#include "runtime/linux/selfexe.h"
#include "runtime/linux/sync.h"

static int setup_userns(const struct cleat_setup_args *a, cleat_error_t *err)
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

static int setup_namespaces(const struct cleat_setup_args *a, cleat_error_t *err)
{
	/* Before the user namespace, and inherited by the container process: inside a user
	 * namespace that does not map host root, /proc/self/oom_score_adj of a non-dumpable
	 * process is out of reach. */
	if (cleat_process_set_oom_score_adj(a->launch->config->process, err) < 0)
		return -1;
	_cleanup_close_ int time_fd = -1;
	if (a->ns.create[CLEAT_NS_TIME]) {
		time_fd = cleat_ns_open_time_offsets(a->launch->config, err);
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
	if (setup_userns(a, err) < 0)
		return -1;
	for (int k = 0; k < CLEAT_NS_COUNT; k++)
		if (k != CLEAT_NS_USER && !joined[k] && cleat_ns_join(&a->ns, k, err) < 0)
			return -1;
	/* The cgroup namespace is the container process's to create, once it is inside
	 * the cgroup. */
	struct cleat_ns_plan now = a->ns;
	now.create[CLEAT_NS_CGROUP] = false;
	for (int k = 0; k < CLEAT_NS_COUNT; k++)
		if (a->unshared[k])
			now.create[k] = false;
	if (cleat_ns_unshare_new(&now, err) < 0)
		return -1;
	if (cleat_ns_write_time_offsets(a->launch->config, time_fd, err) < 0)
		return -1;
	return 0;
}

int cleat_setup_unshare_early(const struct cleat_ns_plan *p, bool done[CLEAT_NS_COUNT],
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

_Noreturn void cleat_setup_helper_main(const struct cleat_setup_args *a)
{
	cleat_error_t err = NULL;
	size_t n_idmap = a->idmap_fds ? a->launch->config->n_mounts : 0;
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
	cleat_process_close_inherited(a->launch->keep_fds, own, n_own);
	if (setup_namespaces(a, &err) < 0)
		cleat_sync_fail(a->sync_fd, err);
	/* The container process shares our memory (no copy; we exit now), except with a
	 * time namespace: the kernel gives a new one only to a child with its own. */
	bool share = !a->ns.create[CLEAT_NS_TIME] && a->ns.join_fd[CLEAT_NS_TIME] < 0;
	struct cleat_process_boot b = { .a = a,
					.await_go = a->launch->early_clone,
					.fifo_fd = a->fifo_fd };
	cleat_cgroup_join_init(&b.v1);
	if (a->cgroup_join)
		cleat_cgroup_join_split_v1(a->cgroup_join, &b.v1);
	pid_t pid = cleat_sync_clone_announced_run(a->sync_fd, CLEAT_SYNC_PROCESS_PID,
						   a->cgroup_join, share,
						   cleat_container_process_entry, &b, &err);
	if (pid < 0)
		cleat_sync_fail(a->sync_fd, err);
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

pid_t cleat_setup_helper_spawn(struct cleat_setup_spawn *x, cleat_error_t *err)
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
	char *setup_env = (char *) (envp + n + 3);
	snprintf(setup_env, 64, "%s=%d,%d", CLEAT_SETUP_ENV, sync_fd,
		 x->born_into && x->born_into->v2_dir >= 0 ? 1 : 0);
	argv[0] = (char *) x->argv0;
	argv[1] = "init";
	argv[2] = NULL;
	memcpy(envp, environ, n * sizeof(char *));
	envp[n] = setup_env;
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
			setup_env[strlen(setup_env) - 1] = x->born_into && x->born_into->in_v2
								   ? '1'
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
