#include "config.h"
#include "runtime/linux/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cut.h"
#include "common/util.h"
#include "runtime/linux/process.h"
#include "runtime/linux/sync.h"
#include "runtime/linux/terminal.h"

/* The failing step on /proc/<pid>/ns/<name>, with the path runc names. */
static int ns_error(struct cleat_ns_plan *p, int e, const char *what, pid_t pid, const char *name,
		    cleat_error_t *err)
{
	cleat_ns_plan_close(p);
	if (name == NULL)
		return cleat_error_errno(err, e, "%s \"/proc/%d/ns\"", what, (int) pid);
	return cleat_error_errno(err, e, "%s \"/proc/%d/ns/%s\"", what, (int) pid, name);
}

int cleat_exec_ns_plan(pid_t init_pid, struct cleat_ns_plan *p, cleat_error_t *err)
{
	cleat_ns_plan_init(p);
	/* Both ns directories opened once: each lookup below is then one component. */
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/ns", (int) init_pid);
	_cleanup_close_ int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return ns_error(p, errno, "open", init_pid, NULL, err);
	_cleanup_close_ int self = open("/proc/self/ns", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (int k = 0; k < CLEAT_NS_COUNT; k++) {
		const char *name = cleat_ns_proc_name(k);
		struct stat a, b;
		bool have_self = self >= 0 && fstatat(self, name, &b, 0) == 0;
		if (fstatat(dir, name, &a, 0) < 0) {
			/* A kernel without this namespace type has nothing to join. */
			if (errno == ENOENT && !have_self)
				continue;
			return ns_error(p, errno, "stat", init_pid, name, err);
		}
		/* Joining our own user namespace is EINVAL; joining any identical one is pointless. */
		if (have_self && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			continue;
		int fd = openat(dir, name, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return ns_error(p, errno, "open", init_pid, name, err);
		p->join_fd[k] = fd;
	}
	return 0;
}

static _Noreturn void child_fail(int sync_fd, cleat_error_t *err)
{
	cleat_sync_send_error(sync_fd, *err);
	_exit(1);
}

static int process_setup(const struct cleat_exec_args *a, char ***argv, char ***env, char **exe,
			 cleat_error_t *err)
{
	const struct oci_process *p = a->process;
	if (a->console) {
		_cleanup_close_ int master = -1;
		if (cleat_terminal_setup(p, false, &master, err) < 0)
			return cleat_error_wrap(err, "set up terminal");
		if (a->console_kept)
			cleat_terminal_clear_onlcr(master);
		if (cleat_sync_send(a->sync_fd, CLEAT_SYNC_CONSOLE, 0, NULL, 0, master, err) < 0)
			return -1;
	}
	/* Not the caller's session keyring: the container's (runc's setns init). */
	if (!a->no_new_keyring &&
	    cleat_process_join_session_keyring(a->id, p->selinux_label, false, false, err) < 0)
		return -1;
	if (cleat_process_set_rlimits(p, err) < 0)
		return -1;
	if (cleat_process_set_cwd(p->cwd, err) < 0)
		return -1;
	*env = cleat_process_env(p, 0);
	cleat_process_env_add_home(env, p->user.uid);
	*argv = xmalloc0((p->n_args + 1) * sizeof(char *));
	for (size_t i = 0; i < p->n_args; i++)
		(*argv)[i] = p->args[i];
	if (cleat_process_confine(p, a->config, a->sync_fd, err) < 0)
		return -1;
	if (cleat_process_find_exec(p, *env, exe, err) < 0)
		return cleat_error_wrap(err, "unable to start container process");
	/* A detached exec outlives `cleat exec`, which exits as soon as the sync
	 * socket closes, i.e. in prepare_fds below: drop the death signal first (a
	 * uid switch clears it only when the uid changes, not for root). */
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	return cleat_process_prepare_fds(a->keep_fds, err);
}

static _Noreturn void process_main(const struct cleat_exec_args *a)
{
	cleat_error_t err = NULL;
	char **argv = NULL, **env = NULL, *exe = NULL;
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (process_setup(a, &argv, &env, &exe, &err) < 0)
		child_fail(a->sync_fd, &err);
	execve(exe, argv, env);
	/* The sync socket went with the other fds in process_setup: its number may now be
	 * a preserved fd of the caller's, so nothing is sent there. */
	cleat_process_report_exec_failure(exe, errno);
	_exit(1);
}

/* Wait for GO, join the cgroup, then the namespaces (but the pid namespace when the
 * parent forked us into it already). */
static int helper_join(const struct cleat_exec_args *a, bool in_pidns, cleat_error_t *err)
{
	if (cleat_sync_expect(a->sync_fd, CLEAT_SYNC_GO, "wait for cgroup", NULL, err) < 0)
		return -1;
	if (a->cgroup_join && cleat_cgroup_join_self(a->cgroup_join, err) < 0)
		return -1;
	/* Before the container's user namespace, as for the container process
	 * (setup_helper.c): the process
	 * inherits it. */
	if (cleat_process_set_oom_score_adj(a->process, err) < 0)
		return -1;
	for (int k = 0; k < CLEAT_NS_COUNT; k++)
		if (!(k == CLEAT_NS_PID && in_pidns) && cleat_ns_join(&a->ns, k, err) < 0)
			return -1;
	return 0;
}

/* Move *fd past the fds that pass through to the process (--preserve-fds): the caller
 * may have left some of those numbers closed, and ours took them. */
static void lift_fd(int *fd, unsigned keep_fds)
{
	if (*fd < 3 || *fd >= 3 + (int) keep_fds)
		return;
	int moved = fcntl(*fd, F_DUPFD_CLOEXEC, 3 + (int) keep_fds);
	if (moved < 0)
		return;
	close(*fd);
	*fd = moved;
}

/* Fork the process itself into the container's pid namespace: set it for our children
 * (and back after the fork: nothing else we fork belongs there).  Not with a time
 * namespace to join (kept for the helper's clone, as the pid one was), and not where
 * we may not (rootless: no CAP_SYS_ADMIN in our own user namespace): the helper then. */
static pid_t fork_direct(const struct cleat_exec_args *args, bool *direct)
{
	*direct = false;
	int pidns = args->ns.join_fd[CLEAT_NS_PID];
	if (args->ns.join_fd[CLEAT_NS_TIME] >= 0)
		return cleat_cgroup_fork(args->cgroup_join);
	_cleanup_close_ int back = -1;
	if (pidns >= 0) {
		back = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
		if (back < 0 || setns(pidns, CLONE_NEWPID) < 0)
			return cleat_cgroup_fork(args->cgroup_join);
	}
	*direct = true;
	pid_t pid = cleat_cgroup_fork(args->cgroup_join);
	int e = errno;
	if (pid != 0 && back >= 0)
		(void) setns(back, CLONE_NEWPID);
	errno = e;
	return pid;
}

pid_t cleat_exec_spawn(const struct cleat_exec_args *args, bool *direct, cleat_error_t *err)
{
	pid_t helper = fork_direct(args, direct);
	if (helper < 0)
		return cleat_error_errno(err, errno, "fork");
	if (helper > 0)
		return helper;
	cleat_error_t e = NULL;
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	for (size_t i = 0; i < args->n_close_in_child; i++)
		if (args->close_in_child[i] >= 0)
			close(args->close_in_child[i]);
	/* Our copy: the fds we own move out of the --preserve-fds range. */
	struct cleat_exec_args copy = *args;
	const struct cleat_exec_args *a = &copy;
	struct cleat_cgroup_join *j = copy.cgroup_join;
	size_t n_own = 1 + CLEAT_NS_COUNT, n_cg = j ? j->n + 1 : 0;
	_cleanup_free_ int *own = xmalloc((n_own + n_cg) * sizeof(int));
	lift_fd(&copy.sync_fd, copy.keep_fds);
	own[0] = copy.sync_fd;
	for (int k = 0; k < CLEAT_NS_COUNT; k++) {
		lift_fd(&copy.ns.join_fd[k], copy.keep_fds);
		own[1 + k] = copy.ns.join_fd[k];
	}
	for (size_t i = 0; i < n_cg; i++) {
		int *fd = i < j->n ? &j->fds[i] : &j->v2_dir;
		lift_fd(fd, copy.keep_fds);
		own[n_own++] = *fd;
	}
	cleat_process_close_inherited(a->keep_fds, own, n_own);
	if (helper_join(a, *direct, &e) < 0)
		child_fail(a->sync_fd, &e);
	if (*direct)
		process_main(a);
	pid_t pid = cleat_sync_clone_announced(a->sync_fd, CLEAT_SYNC_EXEC_PID, NULL, &e);
	if (pid < 0)
		child_fail(a->sync_fd, &e);
	if (pid == 0)
		process_main(a);
	_exit(0);
}
