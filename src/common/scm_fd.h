/* One fd in the control data of a unix socket message (SCM_RIGHTS), to send or as
 * received.  Memory only, no system call and no errno: usable where nothing but the
 * caller's stack may be touched (netns_handoff.c). */
#ifndef CLEAT_COMMON_SCM_FD_H
#define CLEAT_COMMON_SCM_FD_H

#include <string.h>
#include <sys/socket.h>

/* Room for the control data of one fd, aligned as the kernel wants it. */
union cleat_scm_fd {
	char buf[CMSG_SPACE(sizeof(int))];
	struct cmsghdr align;
};

/* Point msg's control data at u and put fd there (fd < 0: no control data). */
static inline void cleat_scm_fd_attach(struct msghdr *msg, union cleat_scm_fd *u, int fd)
{
	if (fd < 0) {
		msg->msg_control = NULL;
		msg->msg_controllen = 0;
		return;
	}
	memset(u, 0, sizeof *u);
	msg->msg_control = u->buf;
	msg->msg_controllen = sizeof u->buf;
	struct cmsghdr *c = CMSG_FIRSTHDR(msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
}

/* Point msg's control data at u, to receive one fd into. */
static inline void cleat_scm_fd_room(struct msghdr *msg, union cleat_scm_fd *u)
{
	msg->msg_control = u->buf;
	msg->msg_controllen = sizeof u->buf;
}

/* The fd a received msg carries, or -1. */
static inline int cleat_scm_fd_take(struct msghdr *msg)
{
	int fd = -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

#endif
