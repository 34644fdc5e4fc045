/* seccomp-listener SOCKET LOG [ERRNO]
 *
 * A seccomp user-notification agent for the tests.  It listens on the unix
 * socket SOCKET; each connection (from the runtime, runc's protocol) carries
 * the ContainerProcessState JSON with the listener fd attached (SCM_RIGHTS).
 * The JSON is appended to LOG as one line.  Then every notified syscall is
 * answered: mkdir/mkdirat get -ERRNO (or a fake success, without creating
 * anything, when ERRNO is 0), anything else continues as if unfiltered.  Each
 * answer is logged as "notify pid=P nr=N".
 *
 * The socket appears only once it listens (bound under a temporary name and
 * renamed), so a test may wait for the path to exist.  Stops on SIGTERM.
 * Plain libc only: it is also built statically into the test image. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_FDS 64

static FILE *logf;

static int listen_on(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char tmp[sizeof addr.sun_path];
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int) sizeof tmp) {
		fprintf(stderr, "socket path too long\n");
		exit(1);
	}
	unlink(tmp);
	strcpy(addr.sun_path, tmp);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *) &addr, sizeof addr) < 0 || listen(fd, 16) < 0 ||
	    rename(tmp, path) < 0) {
		perror("listen");
		exit(1);
	}
	return fd;
}

/* Read the state and the fd from one connection. */
static int accept_listener_fd(int lfd)
{
	int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return -1;
	char buf[65536];
	union {
		char b[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} ctrl;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf - 1 };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctrl.b,
			     .msg_controllen = sizeof ctrl.b };
	ssize_t n = recvmsg(c, &mh, MSG_CMSG_CLOEXEC);
	int fd = -1;
	if (n > 0) {
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(cm), sizeof fd);
		size_t len = (size_t) n;
		/* The rest of a long state may follow without the fd. */
		while (len < sizeof buf - 1) {
			struct pollfd p = { .fd = c, .events = POLLIN };
			if (poll(&p, 1, 100) <= 0)
				break;
			ssize_t m = read(c, buf + len, sizeof buf - 1 - len);
			if (m <= 0)
				break;
			len += (size_t) m;
		}
		buf[len] = '\0';
		fprintf(logf, "%s\n", buf);
	}
	fprintf(logf, "fd %s\n", fd >= 0 ? "received" : "missing");
	fflush(logf);
	close(c);
	return fd;
}

static void answer(int nfd, int err_for_mkdir)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	memset(&req, 0, sizeof req);
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		return; /* the target died meanwhile */
	memset(&resp, 0, sizeof resp);
	resp.id = req.id;
	if (req.data.nr == SYS_mkdir || req.data.nr == SYS_mkdirat) {
		resp.error = err_for_mkdir ? -err_for_mkdir : 0;
		resp.val = 0;
	} else {
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	}
	fprintf(logf, "notify pid=%u nr=%d\n", req.pid, req.data.nr);
	fflush(logf);
	ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s SOCKET LOG [ERRNO]\n", argv[0]);
		return 2;
	}
	int err_for_mkdir = argc > 3 ? atoi(argv[3]) : 0;
	logf = fopen(argv[2], "ae");
	if (logf == NULL) {
		perror(argv[2]);
		return 1;
	}
	int lfd = listen_on(argv[1]);
	struct pollfd fds[MAX_FDS + 1];
	int n = 0;
	for (;;) {
		fds[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (int i = 0; i < n; i++)
			fds[i + 1].events = POLLIN;
		if (poll(fds, (nfds_t) n + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("poll");
			return 1;
		}
		for (int i = 1; i <= n; i++) {
			if (fds[i].revents & POLLIN) {
				answer(fds[i].fd, err_for_mkdir);
			} else if (fds[i].revents & (POLLHUP | POLLERR)) {
				/* Every process under the filter is gone. */
				close(fds[i].fd);
				fds[i] = fds[n];
				n--;
				i--;
			}
		}
		if ((fds[0].revents & POLLIN) && n < MAX_FDS) {
			int nfd = accept_listener_fd(lfd);
			if (nfd >= 0)
				fds[++n] = (struct pollfd){ .fd = nfd, .events = POLLIN };
		}
	}
}
