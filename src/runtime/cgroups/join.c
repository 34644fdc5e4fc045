/* A child that moves itself into the container's cgroup (cgroups.h,
 * struct cleat_cgroup_join).
 *
 * Writing another process's pid to cgroup.procs makes the kernel take the
 * global cgroup_threadgroup_rwsem for writing: one RCU grace period, 5-40 ms,
 * the biggest single cost of a create.  Two moves avoid it: a thread writing
 * "0" to a v1 "tasks" file moves only itself (the kernel skips the global
 * lock for that case), and on cgroup2 clone3(CLONE_INTO_CGROUP) starts the
 * child inside the cgroup.  The v1 migration permission is checked against
 * the credentials of the opener, so the parent opens the files and the child
 * only writes. */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/util.h"
#include "runtime/cgroups/internal.h"
#include "runtime/linux/clone_vm.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* The clone3 argument up to `cgroup` (CLONE_ARGS_SIZE_VER2), declared here:
 * <linux/sched.h> clashes with glibc's <sched.h>. */
struct join_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

void cleat_cgroup_join_init(struct cleat_cgroup_join *j)
{
	memset(j, 0, sizeof *j);
	j->v2_dir = -1;
}

void cleat_cgroup_join_close(struct cleat_cgroup_join *j)
{
	for (size_t i = 0; i < j->n; i++) {
		if (j->fds[i] >= 0)
			close(j->fds[i]);
		free(j->paths[i]);
	}
	free(j->fds);
	free(j->v2);
	free(j->paths);
	if (j->v2_dir >= 0)
		close(j->v2_dir);
	cleat_cgroup_join_init(j);
}

/* An empty join for cg's hierarchies. */
static void join_alloc(const struct cleat_cgroup *cg, struct cleat_cgroup_join *j)
{
	cleat_cgroup_join_init(j);
	j->hybrid = cg->mode == CLEAT_CGROUP_HYBRID;
	j->fds = xmalloc(cg->n_h * sizeof *j->fds);
	j->v2 = xmalloc(cg->n_h * sizeof *j->v2);
	j->paths = xmalloc(cg->n_h * sizeof *j->paths);
}

/* Add h's file (v1 "tasks", v2 "cgroup.procs") to j, as fd. */
static const char *join_add(struct cleat_cgroup_join *j, const struct cg_hier *h, int fd)
{
	j->fds[j->n] = fd;
	j->v2[j->n] = h->v2;
	j->paths[j->n] = xasprintf("%s/%s", h->dir, h->v2 ? "cgroup.procs" : "tasks");
	return j->paths[j->n++];
}

int cleat_cgroup_join_open(struct cleat_cgroup *cg, bool clone_into, struct cleat_cgroup_join *j,
			   cleat_error_t *err)
{
	join_alloc(cg, j);
	for (size_t i = 0; i < cg->n_h; i++) {
		const struct cg_hier *h = &cg->h[i];
		if (!h->dir)
			continue;
		const char *path = join_add(j, h, -1);
		int fd = j->fds[j->n - 1] = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0) {
			cleat_error_errno(err, errno, "open \"%s\"", path);
			cleat_cgroup_join_close(j);
			return -1;
		}
		if (h->v2 && clone_into)
			j->v2_dir = open(h->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	return 0;
}

int cleat_cgroup_join_open_string(const char *s, bool clone_into, struct cleat_cgroup_join *j,
				  cleat_error_t *err)
{
	struct cleat_cgroup *cg = NULL;
	if (cleat_cgroup_from_string(s, &cg, err) < 0)
		return -1;
	int r = cleat_cgroup_join_open(cg, clone_into, j, err);
	cleat_cgroup_free(cg);
	return r;
}

size_t cleat_cgroup_join_fds(const struct cleat_cgroup_join *j, int *fds, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < j->n && n < max; i++)
		fds[n++] = j->fds[i];
	if (j->v2_dir >= 0 && n < max)
		fds[n++] = j->v2_dir;
	return n;
}

int cleat_cgroup_join_adopt_string(const char *s, int *fds, size_t n, bool clone_into,
				   struct cleat_cgroup_join *j, cleat_error_t *err)
{
	struct cleat_cgroup *cg = NULL;
	size_t files = 0, k = 0;
	bool has_v2 = false;
	cleat_cgroup_join_init(j);
	if (cleat_cgroup_from_string(s, &cg, err) < 0)
		goto fail;
	for (size_t i = 0; i < cg->n_h; i++) {
		files += cg->h[i].dir != NULL;
		has_v2 |= cg->h[i].dir && cg->h[i].v2;
	}
	if (n != files && !(has_v2 && n == files + 1)) {
		cleat_error_errno(err, EPROTO, "sync: %zu cgroup files for %zu hierarchies", n,
				  files);
		goto fail;
	}
	join_alloc(cg, j);
	for (size_t i = 0; i < cg->n_h; i++)
		if (cg->h[i].dir) {
			join_add(j, &cg->h[i], fds[k]);
			fds[k++] = -1;
		}
	if (k < n) {
		if (clone_into)
			j->v2_dir = fds[k];
		else
			close(fds[k]);
		fds[k] = -1;
	}
	cleat_cgroup_free(cg);
	return 0;
fail:
	cleat_cgroup_free(cg);
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
	return -1;
}

/* clone3 into the cgroup2 directory refused in a way that joining by writing
 * fixes: an old kernel, a hybrid's unified tree with controllers, a user namespace. */
static bool clone_into_refused(int e)
{
	return e == ENOSYS || e == E2BIG || e == EBUSY || e == EACCES || e == EPERM || e == EINVAL;
}

pid_t cleat_cgroup_fork(struct cleat_cgroup_join *j)
{
	if (j && j->v2_dir >= 0) {
		struct join_clone_args ca = {
			.flags = CLONE_INTO_CGROUP,
			.exit_signal = SIGCHLD,
			.cgroup = (uint64_t) j->v2_dir,
		};
		long pid = syscall(SYS_clone3, &ca, sizeof ca);
		if (pid == 0)
			j->in_v2 = true;
		if (pid >= 0)
			return (pid_t) pid;
		/* ENOSYS, E2BIG (kernel < 5.7), EBUSY (a hybrid's unified tree
		 * with controllers): join by writing, as fork's child.  Not past a
		 * refusal of the cgroup's own (EAGAIN: its pids limit), which a move by
		 * writing would not check. */
		if (!clone_into_refused(errno))
			return -1;
	}
	return fork();
}

static int write_zero(struct cleat_cgroup_join *j, size_t i, cleat_error_t *err)
{
	ssize_t w;
	do
		w = write(j->fds[i], "0", 1);
	while (w < 0 && errno == EINTR);
	/* Nothing in a hybrid's unified tree decides limits (as in cleat_cgroup_enter). */
	if (w < 0 && !(j->v2[i] && j->hybrid && errno == EBUSY))
		return cleat_error_errno(err, errno, "join the cgroup: write \"0\" to \"%s\"",
					 j->paths[i]);
	return 0;
}

int cleat_cgroup_join_self(struct cleat_cgroup_join *j, cleat_error_t *err)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < j->n; i++)
		if (!(j->v2[i] && j->in_v2))
			rc = write_zero(j, i, err);
	cleat_cgroup_join_close(j);
	return rc;
}

void cleat_cgroup_join_split_v1(struct cleat_cgroup_join *j, struct cleat_cgroup_join *v1)
{
	cleat_cgroup_join_init(v1);
	v1->fds = xmalloc((j->n + 1) * sizeof *v1->fds);
	v1->v2 = xmalloc((j->n + 1) * sizeof *v1->v2);
	v1->paths = xmalloc((j->n + 1) * sizeof *v1->paths);
	size_t n = 0;
	for (size_t i = 0; i < j->n; i++) {
		if (j->v2[i]) {
			j->fds[n] = j->fds[i];
			j->v2[n] = true;
			j->paths[n++] = j->paths[i];
			continue;
		}
		v1->fds[v1->n] = j->fds[i];
		v1->v2[v1->n] = false;
		v1->paths[v1->n++] = j->paths[i];
	}
	j->n = n;
}

int cleat_cgroup_join_v1(struct cleat_cgroup_join *j, cleat_error_t *err)
{
	for (size_t i = 0; i < j->n; i++)
		if (!j->v2[i] && write_zero(j, i, err) < 0)
			return -1;
	return 0;
}

/* Where clone3 could not start the child in it: move ourselves into the cgroup2 tree. */
static int join_v2_by_writing(struct cleat_cgroup_join *j, cleat_error_t *err)
{
	for (size_t i = 0; j && !j->in_v2 && i < j->n; i++)
		if (j->v2[i] && write_zero(j, i, err) < 0)
			return -1;
	return 0;
}

pid_t cleat_cgroup_clone_joined(struct cleat_cgroup_join *j, unsigned long flags,
				cleat_error_t *err)
{
	long pid = -1;
	if (j && !j->in_v2 && j->v2_dir >= 0) {
		struct join_clone_args ca = {
			.flags = flags | CLONE_INTO_CGROUP,
			/* clone3 refuses one with CLONE_PARENT: the parent's is inherited. */
			.exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD,
			.cgroup = (uint64_t) j->v2_dir,
		};
		pid = syscall(SYS_clone3, &ca, sizeof ca);
		if (pid < 0 && !clone_into_refused(errno))
			return cleat_error_errno(err, errno, "clone3 into the cgroup");
	}
	if (pid < 0) {
		if (join_v2_by_writing(j, err) < 0)
			return -1;
		pid = syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
		if (pid < 0)
			return cleat_error_errno(err, errno, "clone");
	}
	if (j)
		cleat_cgroup_join_close(j);
	return (pid_t) pid;
}

pid_t cleat_cgroup_clone_joined_vm(struct cleat_cgroup_join *j, unsigned long flags,
				   int (*fn)(void *), const void *arg, size_t len,
				   cleat_error_t *err)
{
	pid_t pid = -1;
	if (j && !j->in_v2 && j->v2_dir >= 0) {
		_cleanup_error_ cleat_error_t e = NULL;
		pid = cleat_clone_vm(flags, j->v2_dir, fn, arg, len, &e);
		if (pid < 0 && !clone_into_refused(e->errnum)) {
			*err = TAKE_PTR(e);
			return -1;
		}
	}
	if (pid < 0) {
		if (join_v2_by_writing(j, err) < 0)
			return -1;
		pid = cleat_clone_vm(flags, -1, fn, arg, len, err);
		if (pid < 0)
			return -1;
	}
	/* Only we come back here: the child runs fn. */
	if (j)
		cleat_cgroup_join_close(j);
	return pid;
}
