#include "config.h"
#include "runtime/linux/sync.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "common/log.h"
#include "common/scm_fd.h"
#include "common/util.h"
#include "runtime/linux/clone_vm.h"
#include "runtime/linux/seccomp.h"

struct wire_header {
	uint32_t type;
	int32_t errnum;
	uint32_t len;
};

static int send_msg(int sock, enum cleat_sync_type type, int errnum, const void *data, size_t len,
		    const int *fds, size_t n_fds, cleat_error_t *err)
{
	struct wire_header h = { .type = type, .errnum = errnum, .len = (uint32_t) len };
	struct iovec iov[2] = { { &h, sizeof h }, { (void *) data, len } };
	union cleat_scm_fds u;
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
	if (n_fds > CLEAT_SCM_MAX_FDS)
		return cleat_error_errno(err, EINVAL, "sync: %zu fds in one message", n_fds);
	cleat_scm_fds_attach(&msg, &u, fds, n_fds);
	ssize_t r;
	do
		r = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return cleat_error_errno(err, errno, "sync: send message %u", (unsigned) type);
	return 0;
}

int cleat_sync_send(int sock, enum cleat_sync_type type, int errnum, const void *data, size_t len,
		    int pass_fd, cleat_error_t *err)
{
	return send_msg(sock, type, errnum, data, len, &pass_fd, pass_fd >= 0 ? 1 : 0, err);
}

int cleat_sync_send_fds(int sock, enum cleat_sync_type type, const void *data, size_t len,
			const int *fds, size_t n_fds, cleat_error_t *err)
{
	return send_msg(sock, type, 0, data, len, fds, n_fds, err);
}

int cleat_sync_send_type(int sock, enum cleat_sync_type type, cleat_error_t *err)
{
	return cleat_sync_send(sock, type, 0, NULL, 0, -1, err);
}

void cleat_sync_send_error_raw(int sock, int errnum, const char *m)
{
	struct wire_header h = { .type = CLEAT_SYNC_ERROR,
				 .errnum = errnum,
				 .len = (uint32_t) strlen(m) };
	struct iovec iov[2] = { { &h, sizeof h }, { (void *) m, h.len } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

void cleat_sync_send_error(int sock, const cleat_error_t e)
{
	cleat_sync_send_error_raw(sock, e ? e->errnum : 0, e && e->msg ? e->msg : "unknown error");
}

_Noreturn void cleat_sync_fail(int sock, const cleat_error_t e)
{
	cleat_sync_send_error(sock, e);
	_exit(1);
}

int cleat_sync_recv(int sock, struct cleat_sync_msg **out, cleat_error_t *err)
{
	*out = NULL;
	struct wire_header h;
	ssize_t r;
	/* Peek at the whole datagram length first: SEQPACKET truncates otherwise. */
	do
		r = recv(sock, &h, sizeof h, MSG_PEEK | MSG_TRUNC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return cleat_error_errno(err, errno, "sync: receive");
	if (r == 0)
		return 0;
	if ((size_t) r < sizeof h)
		return cleat_error_errno(err, EPROTO, "sync: short message (%zd bytes)", r);
	size_t total = (size_t) r;
	struct cleat_sync_msg *m = xmalloc0(sizeof *m + total + 1);
	_cleanup_free_ char *buf = xmalloc(total);
	struct iovec iov = { buf, total };
	union cleat_scm_fds u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	cleat_scm_fds_room(&msg, &u);
	do
		r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		free(m);
		return cleat_error_errno(err, errno, "sync: receive");
	}
	memcpy(&h, buf, sizeof h);
	m->type = h.type;
	m->errnum = h.errnum;
	m->len = total - sizeof h;
	memcpy(m->data, buf + sizeof h, m->len);
	m->data[m->len] = '\0';
	int fds[CLEAT_SCM_MAX_FDS];
	size_t n = cleat_scm_fds_take(&msg, fds, CLEAT_SCM_MAX_FDS);
	m->fd = n > 0 ? fds[0] : -1;
	m->n_more = n > 0 ? n - 1 : 0;
	if (m->n_more)
		memcpy(m->more, fds + 1, m->n_more * sizeof(int));
	*out = m;
	return 0;
}

int cleat_sync_log(const struct cleat_sync_msg *m, cleat_error_t *err)
{
	switch (m->type) {
	case CLEAT_SYNC_ERROR: return cleat_error_errno(err, m->errnum, "%s", m->data);
	case CLEAT_SYNC_WARNING: cleat_warn("%s", m->data); return 1;
	case CLEAT_SYNC_DEBUG: cleat_debug("%s", m->data); return 1;
	default: return 0;
	}
}

int cleat_sync_msg_pid(const struct cleat_sync_msg *m, int32_t *pid, cleat_error_t *err)
{
	if (m->len != sizeof *pid)
		return cleat_error_errno(err, EPROTO, "sync: bad %s pid message",
					 m->type == CLEAT_SYNC_EXEC_PID ? "exec" : "init");
	memcpy(pid, m->data, sizeof *pid);
	return 0;
}

int cleat_sync_expect(int sock, enum cleat_sync_type type, const char *what,
		      struct cleat_sync_msg **out, cleat_error_t *err)
{
	for (;;) {
		_cleanup_sync_msg_ struct cleat_sync_msg *m = NULL;
		if (cleat_sync_recv(sock, &m, err) < 0)
			return -1;
		if (m == NULL)
			return cleat_error_msg(
				err, "%s: the container init exited without reporting an error",
				what);
		int logged = cleat_sync_log(m, err);
		if (logged < 0)
			return -1;
		if (logged > 0)
			continue;
		if (m->type != (uint32_t) type)
			return cleat_error_errno(err, EPROTO,
						 "%s: unexpected sync message %u (wanted %u)", what,
						 m->type, (unsigned) type);
		if (out)
			*out = TAKE_PTR(m);
		return 0;
	}
}

void cleat_sync_msg_free(struct cleat_sync_msg *m)
{
	if (m == NULL)
		return;
	if (m->fd >= 0)
		close(m->fd);
	for (size_t i = 0; i < m->n_more; i++)
		if (m->more[i] >= 0)
			close(m->more[i]);
	free(m);
}

int cleat_sync_send_seccomp_fd(int sock, int notify_fd, cleat_error_t *err)
{
	_cleanup_close_ int fd = notify_fd;
	if (cleat_sync_send(sock, CLEAT_SYNC_SECCOMP, 0, NULL, 0, fd, err) < 0)
		return -1;
	return cleat_sync_expect(sock, CLEAT_SYNC_SECCOMP_DONE, "wait for the seccomp listener",
				 NULL, err);
}

int cleat_sync_serve_seccomp_fd(int sock, const struct oci_seccomp *s, int notify_fd,
				const char *state_json, pid_t pid, cleat_error_t *err)
{
	if (notify_fd < 0 || s == NULL)
		return cleat_error_errno(err, EPROTO, "sync: unexpected seccomp fd message");
	if (cleat_seccomp_send_listener_pid(s, notify_fd, state_json, pid, err) < 0)
		return -1;
	return cleat_sync_send_type(sock, CLEAT_SYNC_SECCOMP_DONE, err);
}

/* In the new process: wait until the caller has announced us. */
static void wait_announced(const int gate[2])
{
	close(gate[1]);
	char go;
	ssize_t n;
	while ((n = read(gate[0], &go, 1)) < 0 && errno == EINTR)
		;
	if (n != 1)
		_exit(1); /* the announcer died before naming us */
	close(gate[0]);
}

/* Announce pid, then open the gate.  With shared memory the child may run from
 * the moment the gate opens, so nothing touches memory after that write, not
 * even errno (a cleanup's close saves and restores it): the caller exits, which
 * closes the write end. */
static pid_t announce(int sock, enum cleat_sync_type type, pid_t pid, int gate[2], bool shared,
		      cleat_error_t *err)
{
	close(gate[0]);
	int32_t p32 = pid;
	if (cleat_sync_send(sock, type, 0, &p32, sizeof p32, -1, err) < 0) {
		close(gate[1]);
		return -1;
	}
	if (write_all(gate[1], "g", 1) < 0) {
		int e = errno;
		close(gate[1]);
		return cleat_error_errno(err, e, "release the new process");
	}
	if (!shared)
		close(gate[1]);
	return pid;
}

pid_t cleat_sync_clone_announced(int sock, enum cleat_sync_type type, struct cleat_cgroup_join *j,
				 cleat_error_t *err)
{
	int gate[2];
	if (pipe2(gate, O_CLOEXEC) < 0)
		return cleat_error_errno(err, errno, "pipe");
	pid_t pid = cleat_cgroup_clone_joined(j, CLONE_PARENT, err);
	if (pid < 0) {
		close(gate[0]);
		close(gate[1]);
		return -1;
	}
	if (pid == 0) {
		wait_announced(gate);
		return 0;
	}
	return announce(sock, type, pid, gate, false, err);
}

#define BOOT_MAX_FDS 32

struct announced_boot {
	int gate[2];
	int (*fn)(void *);
	void *arg;
	/* The cgroup join's fds, which a child sharing our memory cannot find in j
	 * once we closed our copies and cleared it: it closes its own copies. */
	int cg_fds[BOOT_MAX_FDS];
	size_t n_cg_fds;
};

/* On the child's own stack, where clone_vm copied the boot block. */
static int announced_child(void *p)
{
	const struct announced_boot *b = p;
	wait_announced(b->gate);
	for (size_t i = 0; i < b->n_cg_fds; i++)
		close(b->cg_fds[i]);
	return b->fn(b->arg);
}

pid_t cleat_sync_clone_announced_run(int sock, enum cleat_sync_type type,
				     struct cleat_cgroup_join *j, bool share_memory,
				     int (*fn)(void *), void *arg, cleat_error_t *err)
{
	if (share_memory && cleat_clone_vm_supported()) {
		struct announced_boot b = { .fn = fn, .arg = arg };
		if (pipe2(b.gate, O_CLOEXEC) < 0)
			return cleat_error_errno(err, errno, "pipe");
		for (size_t i = 0; j && i < j->n && b.n_cg_fds < BOOT_MAX_FDS - 1; i++)
			if (j->fds[i] >= 0)
				b.cg_fds[b.n_cg_fds++] = j->fds[i];
		if (j && j->v2_dir >= 0)
			b.cg_fds[b.n_cg_fds++] = j->v2_dir;
		/* On our exit the kernel would clear the tid glibc keeps in the thread
		 * block, which the child shares. */
		syscall(SYS_set_tid_address, NULL);
		_cleanup_error_ cleat_error_t e = NULL;
		pid_t pid = cleat_cgroup_clone_joined_vm(j, CLONE_PARENT, announced_child, &b,
							 sizeof b, &e);
		if (pid >= 0)
			return announce(sock, type, pid, b.gate, true, err);
		/* Refused (old kernel, a seccomp filter that denies clone3, ...): the fork
		 * below does it the old way. */
		close(b.gate[0]);
		close(b.gate[1]);
	}
	pid_t pid = cleat_sync_clone_announced(sock, type, j, err);
	if (pid == 0)
		_exit(fn(arg));
	return pid;
}
