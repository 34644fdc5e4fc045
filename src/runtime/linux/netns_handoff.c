/* The setup helper makes the container's network namespace after the clone and
 * hands it to the container process (netns_handoff.h). */
#include "config.h"
#include "runtime/linux/netns_handoff.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/scm_fd.h"
#include "common/util.h"
#include "runtime/linux/raw_syscall.h"

/* What the setup helper sends: the step that failed and its errno, or STEP_DONE and
 * the namespace's fd (SCM_RIGHTS). */
enum handoff_step {
	STEP_DONE,
	STEP_UNSHARE,
	STEP_LO,
	STEP_OPEN
};

struct handoff_msg {
	int32_t step;
	int32_t errnum;
	char what[48]; /* STEP_LO: the step of lo's bring-up */
};

int cleat_netns_handoff_open(int fds[2], cleat_error_t *err)
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
		return cleat_error_errno(err, errno, "socketpair for the network namespace");
	return 0;
}

int cleat_netns_lo_up_raw(const char **what)
{
	/* Any socket reaches the device ioctls; a kernel without IPv4 has AF_UNIX. */
	*what = "socket to bring up lo";
	long s = cleat_raw_syscall(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0, 0, 0);
	if (s == -EAFNOSUPPORT)
		s = cleat_raw_syscall(SYS_socket, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, 0, 0);
	if (s < 0)
		return (int) s;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	memcpy(ifr.ifr_name, "lo", 3);
	*what = "get the flags of lo";
	long r = cleat_raw_syscall(SYS_ioctl, s, SIOCGIFFLAGS, (long) &ifr, 0, 0);
	if (r == 0) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		*what = "bring up lo";
		r = cleat_raw_syscall(SYS_ioctl, s, SIOCSIFFLAGS, (long) &ifr, 0, 0);
	}
	cleat_raw_syscall(SYS_close, s, 0, 0, 0, 0);
	return (int) r;
}

_Noreturn void cleat_netns_handoff_make(int fd)
{
	struct handoff_msg m;
	memset(&m, 0, sizeof m);
	long ns = -1;
	long r = cleat_raw_syscall(SYS_unshare, CLONE_NEWNET, 0, 0, 0, 0);
	if (r < 0) {
		m.step = STEP_UNSHARE;
	} else {
		const char *what = NULL;
		r = cleat_netns_lo_up_raw(&what);
		if (r < 0) {
			m.step = STEP_LO;
			for (size_t i = 0; what[i] && i + 1 < sizeof m.what; i++)
				m.what[i] = what[i];
		} else {
			r = ns = cleat_raw_syscall(SYS_openat, AT_FDCWD, (long) "/proc/self/ns/net",
						   O_RDONLY | O_CLOEXEC, 0, 0);
			m.step = r < 0 ? STEP_OPEN : STEP_DONE;
		}
	}
	m.errnum = r < 0 ? (int32_t) -r : 0;
	union cleat_scm_fd u;
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof m };
	struct msghdr h = { .msg_iov = &iov, .msg_iovlen = 1 };
	cleat_scm_fd_attach(&h, &u, (int) ns);
	/* The container process may have failed and gone: no SIGPIPE, and nothing to
	 * report to anyone then. */
	cleat_raw_syscall(SYS_sendmsg, fd, (long) &h, MSG_NOSIGNAL, 0, 0);
	for (;;)
		cleat_raw_syscall(SYS_exit_group, 0, 0, 0, 0, 0);
}

int cleat_netns_handoff_join(int *fd, cleat_error_t *err)
{
	if (*fd < 0)
		return 0;
	_cleanup_close_ int sock = *fd;
	*fd = -1;
	struct handoff_msg m;
	union cleat_scm_fd u;
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof m };
	struct msghdr h = { .msg_iov = &iov, .msg_iovlen = 1 };
	cleat_scm_fd_room(&h, &u);
	ssize_t n;
	while ((n = recvmsg(sock, &h, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (n < 0)
		return cleat_error_errno(err, errno, "receive the network namespace");
	_cleanup_close_ int ns = cleat_scm_fd_take(&h);
	if (n == 0)
		return cleat_error_errno(err, EPIPE,
					 "the setup helper exited before the network namespace");
	if ((size_t) n != sizeof m || (h.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		return cleat_error_errno(err, EPROTO, "network namespace handoff: bad message");
	m.what[sizeof m.what - 1] = '\0';
	switch (m.step) {
	case STEP_DONE: break;
	case STEP_UNSHARE: return cleat_error_errno(err, m.errnum, "unshare network namespace");
	case STEP_LO: return cleat_error_errno(err, m.errnum, "%s", m.what);
	case STEP_OPEN:
		return cleat_error_errno(err, m.errnum,
					 "open the new network namespace (\"/proc/self/ns/net\")");
	default: return cleat_error_errno(err, EPROTO, "network namespace handoff: bad message");
	}
	if (ns < 0)
		return cleat_error_errno(err, EPROTO, "network namespace handoff: no namespace");
	if (setns(ns, CLONE_NEWNET) < 0)
		return cleat_error_errno(err, errno, "join the new network namespace");
	return 0;
}
