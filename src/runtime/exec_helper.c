/* `cleat exec`'s helper: started by the parent first thing, re-executed from the
 * sealed copy of cleat as `cleat exec-init` while the parent loads the container,
 * then handed the config it parsed (exec_helper.h). */
#include "config.h"
#include "runtime/exec_helper.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "runtime/cgroups/cgroups.h"
#include "runtime/container_setup.h"
#include "runtime/linux/exec.h"
#include "runtime/linux/seccomp.h"
#include "runtime/linux/selfexe.h"
#include "runtime/linux/sync.h"

/* The helper's end of the sync socket, in its environment across the re-exec. */
#define EXEC_HELPER_ENV "_CLEAT_EXEC_HELPER"

/* The LAUNCH payload: this head, then the cgroup and each --cgroup value, each
 * NUL-terminated (the config goes in the memfd). */
struct launch_head {
	uint32_t n_subs;
	uint8_t console, console_kept, by_systemd, has_cgroup;
};

void cleat_exec_helper_init(struct cleat_exec_helper *h)
{
	*h = (struct cleat_exec_helper){ .sync = -1, .seal_mnt = -1 };
}

/* In the forked child: become the helper, or report why not and exit. */
static _Noreturn void child_exec(int sync, unsigned keep_fds, const char *argv0, int mnt,
				 const char *name, pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent)
		_exit(1);
	/* Past the fds that pass through to the process, and kept across the exec. */
	int fd = fcntl(sync, F_DUPFD, 3 + (int) keep_fds);
	if (fd < 0)
		cleat_sync_send_error_raw(sync, errno, "dup the exec helper's sync socket");
	const char *what = "open the overlay seal";
	int exe = mnt >= 0 ? cleat_selfexe_seal_open(mnt, name) : -EINVAL;
	if (exe < 0)
		exe = cleat_selfexe_copy(&what);
	if (fd < 0 || exe < 0) {
		if (exe < 0)
			cleat_sync_send_error_raw(sync, -exe, what);
		_exit(1);
	}
	extern char **environ;
	size_t n = strv_length(environ);
	char **envp = xmalloc((n + 2) * sizeof *envp);
	memcpy(envp, environ, n * sizeof *envp);
	envp[n] = xasprintf("%s=%d", EXEC_HELPER_ENV, fd);
	envp[n + 1] = NULL;
	char *argv[] = { (char *) argv0, "exec-init", NULL };
	syscall(SYS_execveat, exe, "", argv, envp, AT_EMPTY_PATH);
	cleat_sync_send_error_raw(sync, errno, "re-execute cleat from its sealed copy");
	_exit(1);
}

int cleat_exec_helper_start(struct cleat_exec_helper *h, const char *root, const char *argv0,
			    unsigned keep_fds, cleat_error_t *err)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return cleat_error_errno(err, errno, "socketpair");
	h->sync = sv[0];
	/* The seal's mount is made here and kept: its last close waits for an RCU
	 * grace period, which the parent spends after GO (release_seal). */
	const char *name = NULL;
	_cleanup_free_ char *layers = cleat_selfexe_overlay_layers(root, &name);
	int mnt = layers ? cleat_selfexe_seal_mount(layers) : -EINVAL;
	h->seal_mnt = mnt >= 0 ? mnt : -1;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		close(sv[1]);
		return cleat_error_errno(err, errno, "fork");
	}
	if (pid == 0) {
		close(sv[0]);
		child_exec(sv[1], keep_fds, argv0, h->seal_mnt, name, parent);
	}
	close(sv[1]);
	h->pid = pid;
	return 0;
}

/* The payload of LAUNCH; *len set. */
static char *launch_payload(const struct cleat_exec_launch *l, size_t *len)
{
	struct launch_head head = {
		.n_subs = (uint32_t) l->n_cgroup_subs,
		.console = l->console,
		.console_kept = l->console_kept,
		.by_systemd = l->by_systemd,
		.has_cgroup = l->cgroup != NULL,
	};
	size_t n = sizeof head + (l->cgroup ? strlen(l->cgroup) : 0) + 1;
	for (size_t i = 0; i < l->n_cgroup_subs; i++)
		n += strlen(l->cgroup_subs[i]) + 1;
	char *buf = xmalloc0(n), *p = buf + sizeof head;
	memcpy(buf, &head, sizeof head);
	p = stpcpy(p, l->cgroup ? l->cgroup : "") + 1;
	for (size_t i = 0; i < l->n_cgroup_subs; i++)
		p = stpcpy(p, l->cgroup_subs[i]) + 1;
	*len = n;
	return buf;
}

/* Right after LAUNCH, one datagram: the namespace files to join (SCM_RIGHTS), and
 * which kinds they are (a uint32 mask of enum cleat_ns_kind). */
static int send_ns(int sock, const struct cleat_ns_plan *ns, cleat_error_t *err)
{
	uint32_t mask = 0;
	int fds[CLEAT_NS_COUNT];
	size_t n = 0;
	for (int k = 0; k < CLEAT_NS_COUNT; k++)
		if (ns->join_fd[k] >= 0) {
			mask |= 1U << k;
			fds[n++] = ns->join_fd[k];
		}
	union {
		char buf[CMSG_SPACE(sizeof fds)];
		struct cmsghdr align;
	} u = { 0 };
	struct iovec iov = { .iov_base = &mask, .iov_len = sizeof mask };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (n) {
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(n * sizeof(int));
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(n * sizeof(int));
		memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	}
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
		return cleat_error_errno(err, errno, "sync: send the namespace files");
	return 0;
}

static int recv_ns(int sock, struct cleat_ns_plan *ns, cleat_error_t *err)
{
	uint32_t mask = 0;
	union {
		char buf[CMSG_SPACE(CLEAT_NS_COUNT * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = &mask, .iov_len = sizeof mask };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof u.buf };
	ssize_t r;
	do
		r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return cleat_error_errno(err, errno, "sync: receive the namespace files");
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	size_t n = c && c->cmsg_type == SCM_RIGHTS ? (c->cmsg_len - CMSG_LEN(0)) / sizeof(int) : 0;
	int fds[CLEAT_NS_COUNT];
	if (n)
		memcpy(fds, CMSG_DATA(c), n * sizeof(int));
	size_t used = 0;
	for (int k = 0; k < CLEAT_NS_COUNT; k++)
		if ((mask & (1U << k)) && used < n)
			ns->join_fd[k] = fds[used++];
	if (r != (ssize_t) sizeof mask || (mh.msg_flags & MSG_CTRUNC) || used != n ||
	    (size_t) __builtin_popcount(mask) != n) {
		for (size_t i = used; i < n; i++)
			close(fds[i]);
		return cleat_error_errno(err, EPROTO, "sync: bad namespace message");
	}
	return 0;
}

int cleat_exec_helper_launch(struct cleat_exec_helper *h, const struct cleat_exec_launch *l,
			     cleat_error_t *err)
{
	/* The config as parsed, but with the process to run. */
	struct oci_config cfg = *l->config;
	cfg.process = (struct oci_process *) l->process;
	struct cleat_setup_launch sl = {
		.id = (char *) l->id,
		.bundle = (char *) l->bundle,
		.rootfs = (char *) l->rootfs,
		.state_dir = (char *) l->state_dir,
		.no_new_keyring = l->no_new_keyring,
		.keep_fds = l->keep_fds,
		.config = &cfg,
	};
	_cleanup_close_ int fd = -1;
	if (cleat_setup_launch_write(&sl, &fd, err) < 0)
		return cleat_error_wrap(err, "hand the process to the exec helper");
	size_t len;
	_cleanup_free_ char *payload = launch_payload(l, &len);
	if (cleat_sync_send(h->sync, CLEAT_SYNC_LAUNCH, 0, payload, len, fd, err) < 0)
		return -1;
	return send_ns(h->sync, l->ns, err);
}

void cleat_exec_helper_release_seal(struct cleat_exec_helper *h)
{
	if (h->seal_mnt >= 0)
		close(h->seal_mnt);
	h->seal_mnt = -1;
}

void cleat_exec_helper_stop(struct cleat_exec_helper *h)
{
	if (h->pid > 0) {
		kill(h->pid, SIGKILL);
		while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	h->pid = 0;
	cleat_exec_helper_release_seal(h);
	if (h->sync >= 0)
		close(h->sync);
	h->sync = -1;
}

/* Move *fd past the fds that pass through to the process: the caller may have left
 * some of those numbers closed, and ours would take them. */
static int lift_fd(int *fd, unsigned keep_fds, cleat_error_t *err)
{
	if (*fd < 0 || *fd >= 3 + (int) keep_fds)
		return 0;
	int moved = fcntl(*fd, F_DUPFD_CLOEXEC, 3 + (int) keep_fds);
	if (moved < 0)
		return cleat_error_errno(err, errno, "move fd %d", *fd);
	close(*fd);
	*fd = moved;
	return 0;
}

/* The helper's state between LAUNCH and GO. */
struct helper {
	struct cleat_exec_args a;
	struct cleat_cgroup_join join;
	struct cleat_cgroup *cg;
};

static int helper_cgroup(struct helper *hp, const struct launch_head *head, const char *cgroup,
			 char **subs, cleat_error_t *err)
{
	if (!head->has_cgroup)
		return 0;
	if (cleat_cgroup_from_string(cgroup, &hp->cg, err) < 0 ||
	    cleat_cgroup_exec_sub(hp->cg, subs, head->n_subs, err) < 0)
		return cleat_error_wrap(err, "enter the container's cgroup");
	/* Joined by writing after GO (this process started before anyone knew the
	 * cgroup); with systemd, files we cannot open are systemd's to move us. */
	_cleanup_error_ cleat_error_t open_err = NULL;
	if (cleat_cgroup_join_open(hp->cg, false, &hp->join, &open_err) < 0) {
		if (head->by_systemd)
			return 0;
		*err = TAKE_PTR(open_err);
		return cleat_error_wrap(err, "enter the container's cgroup");
	}
	hp->a.cgroup_join = &hp->join;
	for (size_t i = 0; i < hp->join.n; i++)
		if (lift_fd(&hp->join.fds[i], hp->a.keep_fds, err) < 0)
			return -1;
	return lift_fd(&hp->join.v2_dir, hp->a.keep_fds, err);
}

static int helper_prepare(int sync, struct helper *hp, cleat_error_t *err)
{
	if (!cleat_selfexe_is_sealed())
		return cleat_error_msg(err, "cleat exec-init does not run from the sealed copy of "
					    "cleat");
	_cleanup_sync_msg_ struct cleat_sync_msg *m = NULL;
	if (cleat_sync_expect(sync, CLEAT_SYNC_LAUNCH, "wait for the process to run", &m, err) < 0)
		return -1;
	struct launch_head head;
	if (m->fd < 0 || m->len < sizeof head + 1 || m->data[m->len - 1] != '\0')
		return cleat_error_errno(err, EPROTO, "sync: bad launch message");
	memcpy(&head, m->data, sizeof head);
	const struct cleat_setup_launch *l = NULL;
	if (cleat_setup_launch_map(m->fd, &l, err) < 0)
		return -1;
	/* The cgroup, then each --cgroup value, NUL-separated. */
	const char *cgroup = m->data + sizeof head, *end = m->data + m->len;
	_cleanup_free_ char **subs = xmalloc0((head.n_subs + 1) * sizeof *subs);
	const char *p = cgroup + strlen(cgroup) + 1;
	for (uint32_t i = 0; i < head.n_subs; i++, p += strlen(p) + 1) {
		if (p >= end)
			return cleat_error_errno(err, EPROTO, "sync: bad launch message");
		subs[i] = (char *) p;
	}
	hp->a = (struct cleat_exec_args){
		.process = l->config->process,
		.config = l->config,
		.id = l->id,
		.no_new_keyring = l->no_new_keyring,
		.sync_fd = sync,
		.keep_fds = l->keep_fds,
		.console = head.console,
		.console_kept = head.console_kept,
	};
	/* The seccomp program, compiled or from the cache under the state root (the
	 * parent of state_dir). */
	const struct oci_linux *lx = l->config->linux_;
	if (lx && lx->seccomp) {
		const char *slash = strrchr(l->state_dir, '/');
		_cleanup_free_ char *root = slash && slash > l->state_dir
						    ? xstrndup(l->state_dir,
							       (size_t) (slash - l->state_dir))
						    : NULL;
		cleat_seccomp_prepare(lx->seccomp, root);
	}
	cleat_ns_plan_init(&hp->a.ns);
	if (recv_ns(sync, &hp->a.ns, err) < 0)
		return -1;
	for (int k = 0; k < CLEAT_NS_COUNT; k++)
		if (lift_fd(&hp->a.ns.join_fd[k], hp->a.keep_fds, err) < 0)
			return -1;
	return helper_cgroup(hp, &head, cgroup, subs, err);
}

int cleat_exec_helper_main(void)
{
	const char *v = getenv(EXEC_HELPER_ENV);
	long long fd;
	if (v == NULL || parse_int(v, 3, INT_MAX, &fd) < 0) {
		fprintf(stderr, "cleat: exec-init is started by cleat exec only\n");
		return 1;
	}
	unsetenv(EXEC_HELPER_ENV);
	int sync = (int) fd;
	fd_set_cloexec(sync, true);
	struct helper hp = { .join = { .v2_dir = -1 } };
	cleat_ns_plan_init(&hp.a.ns);
	cleat_cgroup_join_init(&hp.join);
	cleat_error_t err = NULL;
	if (helper_prepare(sync, &hp, &err) < 0) {
		/* Reported once the parent sent GO, which it then finds delivered. */
		cleat_error_t e = NULL;
		if (cleat_sync_expect(sync, CLEAT_SYNC_GO, "wait for cgroup", NULL, &e) < 0)
			_exit(1);
		cleat_sync_fail(sync, err);
	}
	cleat_exec_helper_run(&hp.a);
}
