/* File descriptors in the control data of a unix socket message (SCM_RIGHTS), to send
 * or as received.  Memory only: no system call, no errno. */
#ifndef CLEAT_COMMON_SCM_FD_H
#define CLEAT_COMMON_SCM_FD_H

#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

/* The most fds one message carries (a cgroup join: a file per hierarchy). */
#define CLEAT_SCM_MAX_FDS 32

/* Room for the control data of up to CLEAT_SCM_MAX_FDS fds, aligned as the kernel wants. */
union cleat_scm_fds {
	char buf[CMSG_SPACE(sizeof(int) * CLEAT_SCM_MAX_FDS)];
	struct cmsghdr align;
};

/* Point msg's control data at u and put fds[0..n) there (n == 0: no control data;
 * n at most CLEAT_SCM_MAX_FDS). */
static inline void cleat_scm_fds_attach(struct msghdr *msg, union cleat_scm_fds *u, const int *fds,
					size_t n)
{
	if (n == 0) {
		msg->msg_control = NULL;
		msg->msg_controllen = 0;
		return;
	}
	memset(u, 0, CMSG_SPACE(sizeof(int) * n));
	msg->msg_control = u->buf;
	msg->msg_controllen = CMSG_SPACE(sizeof(int) * n);
	struct cmsghdr *c = CMSG_FIRSTHDR(msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
}

/* Point msg's control data at u, to receive fds into. */
static inline void cleat_scm_fds_room(struct msghdr *msg, union cleat_scm_fds *u)
{
	msg->msg_control = u->buf;
	msg->msg_controllen = sizeof u->buf;
}

/* The fds a received msg carries, into fds[0..max): their number. */
static inline size_t cleat_scm_fds_take(struct msghdr *msg, int *fds, size_t max)
{
	size_t n = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k && n < max; i++)
			memcpy(&fds[n++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
	}
	return n;
}

#endif
