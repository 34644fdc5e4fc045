/* A console socket for the criu VM (busybox has none): recvtty SOCKET PREFIX listens
 * on the unix socket SOCKET; the pty master sent (SCM_RIGHTS) over the n-th connection
 * (from 1) is read until it closes, everything written to PREFIX.n.  Runs until
 * killed. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int recv_fd(int conn)
{
	char payload[256];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { payload, sizeof payload };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = u.buf,
			      .msg_controllen = sizeof u.buf };
	if (recvmsg(conn, &msg, 0) < 0)
		return -1;
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

/* In a child: copy the master to PREFIX.n until the pty closes. */
static void copy_out(int master, const char *prefix, int n)
{
	char path[4096], buf[4096];
	snprintf(path, sizeof path, "%s.%d", prefix, n);
	int out = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	ssize_t k;
	while (out >= 0 && (k = read(master, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t) k) != k)
			break;
	_exit(0);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: recvtty SOCKET PREFIX\n");
		return 2;
	}
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof a.sun_path, "%s", argv[1]);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *) &a, sizeof a) < 0 || listen(s, 4) < 0) {
		perror(argv[1]);
		return 1;
	}
	signal(SIGCHLD, SIG_IGN);
	for (int n = 1;; n++) {
		int conn = accept(s, NULL, NULL);
		if (conn < 0)
			continue;
		int master = recv_fd(conn);
		close(conn);
		if (master >= 0 && fork() == 0)
			copy_out(master, argv[2], n);
		if (master >= 0)
			close(master);
	}
}
