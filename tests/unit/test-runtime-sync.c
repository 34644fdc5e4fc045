/* The parent<->child sync protocol: whole messages, fd passing, errors with
 * errno from a child that exits, warnings logged on the way, EOF. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "runtime/linux/sync.h"
#include "test-runtime-tap.h"

static void pair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
}

static void test_roundtrip(void)
{
	int sv[2];
	pair(sv);
	cleat_error_t err = NULL;
	char big[100000];
	memset(big, 'x', sizeof big);
	ok(cleat_sync_send(sv[1], CLEAT_SYNC_HOOKS_DONE, 0, big, sizeof big, -1, &err) == 0,
	   "send a 100 kB payload");
	struct cleat_sync_msg *m = NULL;
	ok(cleat_sync_recv(sv[0], &m, &err) == 0 && m, "receive it");
	ok(m && m->type == CLEAT_SYNC_HOOKS_DONE && m->len == sizeof big &&
		   m->data[m->len] == '\0' && m->data[0] == 'x' && m->fd == -1,
	   "type, length and payload intact, NUL-terminated, no fd");
	cleat_sync_msg_free(m);

	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	struct stat a, b;
	fstat(fd, &a);
	ok(cleat_sync_send(sv[1], CLEAT_SYNC_CONSOLE, 0, NULL, 0, fd, &err) == 0, "send an fd");
	m = NULL;
	ok(cleat_sync_recv(sv[0], &m, &err) == 0 && m && m->fd >= 0, "receive the fd");
	ok(m && fstat(m->fd, &b) == 0 && a.st_ino == b.st_ino && a.st_rdev == b.st_rdev,
	   "it is the same file");
	ok(m && (fcntl(m->fd, F_GETFD) & FD_CLOEXEC), "received fds are O_CLOEXEC");
	cleat_sync_msg_free(m);
	close(fd);

	close(sv[1]);
	m = NULL;
	ok(cleat_sync_recv(sv[0], &m, &err) == 0 && m == NULL, "end of file gives no message");
	close(sv[0]);
	cleat_error_free(&err);
}

/* A message with several fds (GO's cgroup files): all arrive in order, the first as
 * fd, and the ones nobody took are closed with the message. */
static void test_many_fds(void)
{
	int sv[2];
	pair(sv);
	cleat_error_t err = NULL;
	int fds[3] = { open("/dev/null", O_RDONLY | O_CLOEXEC), open("/", O_RDONLY | O_CLOEXEC),
		       open("/proc/self/stat", O_RDONLY | O_CLOEXEC) };
	struct stat want[3], got;
	for (int i = 0; i < 3; i++)
		fstat(fds[i], &want[i]);
	ok(cleat_sync_send_fds(sv[1], CLEAT_SYNC_GO, "cg", 2, fds, 3, &err) == 0,
	   "send a message with 3 fds");
	struct cleat_sync_msg *m = NULL;
	ok(cleat_sync_recv(sv[0], &m, &err) == 0 && m && m->fd >= 0 && m->n_more == 2,
	   "receive it: the first fd and 2 more");
	bool same = m != NULL;
	for (int i = 0; same && i < 3; i++) {
		int fd = i == 0 ? m->fd : m->more[i - 1];
		same = fstat(fd, &got) == 0 && got.st_ino == want[i].st_ino &&
		       got.st_dev == want[i].st_dev;
	}
	ok(same, "the same files, in order");
	int taken = m ? TAKE_FD(m->fd) : -1, left = m ? m->more[1] : -1;
	cleat_sync_msg_free(m);
	ok(fcntl(taken, F_GETFD) >= 0, "a taken fd stays open");
	ok(fcntl(left, F_GETFD) < 0 && errno == EBADF, "the others close with the message");
	close(taken);
	int many[CLEAT_SCM_MAX_FDS + 1];
	for (int i = 0; i <= CLEAT_SCM_MAX_FDS; i++)
		many[i] = fds[0];
	ok(cleat_sync_send_fds(sv[1], CLEAT_SYNC_GO, NULL, 0, many, CLEAT_SCM_MAX_FDS + 1, &err) <
			   0 &&
		   err && err->errnum == EINVAL,
	   "more fds than a message carries are refused");
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	close(sv[0]);
	close(sv[1]);
	cleat_error_free(&err);
}

static void test_child_error(void)
{
	int sv[2];
	pair(sv);
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		cleat_error_t e = NULL;
		cleat_sync_send(sv[1], CLEAT_SYNC_WARNING, 0, "careful", 7, -1, &e);
		cleat_error_errno(&e, EACCES, "mount \"/proc\"");
		cleat_sync_send_error(sv[1], e);
		_exit(1);
	}
	close(sv[1]);
	cleat_error_t err = NULL;
	int r = cleat_sync_expect(sv[0], CLEAT_SYNC_READY, "wait for init", NULL, &err);
	ok(r < 0 && err, "an error from the child fails the wait");
	ok(err && err->errnum == EACCES, "errno travels with it");
	ok_str(err ? err->msg : NULL, "mount \"/proc\"", "message travels with it");
	cleat_error_free(&err);
	waitpid(pid, NULL, 0);
	close(sv[0]);
}

static void test_child_dies(void)
{
	int sv[2];
	pair(sv);
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	close(sv[1]);
	cleat_error_t err = NULL;
	int r = cleat_sync_expect(sv[0], CLEAT_SYNC_READY, "wait for init", NULL, &err);
	ok(r < 0 && err && strstr(err->msg, "wait for init"),
	   "a silent child exit is an error naming the step");
	cleat_error_free(&err);
	waitpid(pid, NULL, 0);
	close(sv[0]);
}

static void test_unexpected(void)
{
	int sv[2];
	pair(sv);
	cleat_error_t err = NULL;
	cleat_sync_send_type(sv[1], CLEAT_SYNC_GO, &err);
	int r = cleat_sync_expect(sv[0], CLEAT_SYNC_READY, "wait", NULL, &err);
	ok(r < 0 && err && err->errnum == EPROTO, "an unexpected message type is EPROTO");
	cleat_error_free(&err);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	test_many_fds();
	/* Warnings from the child go to the log: keep them out of TAP. */
	cleat_log_set_fd(open("/dev/null", O_WRONLY | O_CLOEXEC), CLEAT_LOG_TEXT, false);
	test_roundtrip();
	test_child_error();
	test_child_dies();
	test_unexpected();
	return tap_done();
}
