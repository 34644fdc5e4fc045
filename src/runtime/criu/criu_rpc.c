/* The swrk conversation: one request, its notifications, the final response. */
#include "config.h"
#include "runtime/criu/criu_rpc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"

/* criu's responses are small; runc reads them into the same size. */
#define RESP_MAX (10 * 4096)
#define FDS_MAX 8

void *cleat_criu_req_own(struct cleat_criu_req *r, void *p)
{
	r->owned = xrealloc(r->owned, (r->n_owned + 1) * sizeof *r->owned);
	r->owned[r->n_owned++] = p;
	return p;
}

void cleat_criu_req_init(struct cleat_criu_req *r, CriuReqType type)
{
	memset(r, 0, sizeof *r);
	criu_req__init(&r->req);
	criu_opts__init(&r->opts);
	r->req.type = type;
	r->req.opts = &r->opts;
	r->dir_fds[0] = r->dir_fds[1] = -1;
}

void cleat_criu_req_free(struct cleat_criu_req *r)
{
	for (size_t i = 0; i < r->n_owned; i++)
		free(r->owned[i]);
	for (size_t i = 0; i < ARRAY_SIZE(r->dir_fds); i++)
		if (r->dir_fds[i] >= 0)
			close(r->dir_fds[i]);
	free(r->owned);
	free(r->opts.external);
	free(r->opts.inherit_fd);
	free(r->opts.cg_root);
	memset(r, 0, sizeof *r);
}

static char *vstr(struct cleat_criu_req *r, const char *fmt, va_list ap)
{
	char *s;
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	return cleat_criu_req_own(r, s);
}

char *cleat_criu_req_str(struct cleat_criu_req *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vstr(r, fmt, ap);
	va_end(ap);
	return s;
}

/* Grow a repeated field by one slot. */
#define APPEND(arr, n, item)                                        \
	do {                                                        \
		(arr) = xrealloc((arr), ((n) + 1) * sizeof *(arr)); \
		(arr)[(n)++] = (item);                              \
	} while (0)

void cleat_criu_req_external(struct cleat_criu_req *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vstr(r, fmt, ap);
	va_end(ap);
	APPEND(r->opts.external, r->opts.n_external, s);
}

void cleat_criu_req_inherit_fd(struct cleat_criu_req *r, const char *key, int fd)
{
	InheritFd *i = cleat_criu_req_own(r, xmalloc(sizeof *i));
	inherit_fd__init(i);
	i->key = cleat_criu_req_str(r, "%s", key);
	i->fd = fd;
	APPEND(r->opts.inherit_fd, r->opts.n_inherit_fd, i);
}

static void add_cg_root(void *data, const char *ctrl, const char *path)
{
	struct cleat_criu_req *r = data;
	CgroupRoot *g = cleat_criu_req_own(r, xmalloc(sizeof *g));
	cgroup_root__init(g);
	g->ctrl = ctrl ? cleat_criu_req_str(r, "%s", ctrl) : NULL;
	g->path = cleat_criu_req_str(r, "%s", path);
	APPEND(r->opts.cg_root, r->opts.n_cg_root, g);
}

static int send_req(int sock, const CriuReq *req, cleat_error_t *err)
{
	size_t len = criu_req__get_packed_size(req);
	_cleanup_free_ uint8_t *buf = xmalloc(len ? len : 1);
	criu_req__pack(req, buf);
	ssize_t n;
	do
		n = send(sock, buf, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t) n != len)
		return cleat_error_errno(err, n < 0 ? errno : EPIPE, "send to criu");
	return 0;
}

/* One response and the fds that came with it (-1 padded).  NULL with *eof set
 * when criu closed the socket or sent something unreadable. */
static CriuResp *recv_resp(int sock, int fds[FDS_MAX])
{
	_cleanup_free_ uint8_t *buf = xmalloc(RESP_MAX);
	union {
		char buf[CMSG_SPACE(FDS_MAX * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { buf, RESP_MAX };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = u.buf,
			      .msg_controllen = sizeof u.buf };
	for (int i = 0; i < FDS_MAX; i++)
		fds[i] = -1;
	ssize_t n;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0 || n == RESP_MAX)
		return NULL;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k && i < FDS_MAX; i++)
			memcpy(&fds[i], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
	}
	return criu_resp__unpack(NULL, (size_t) n, buf);
}

static void close_fds(int fds[FDS_MAX])
{
	for (int i = 0; i < FDS_MAX; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* One notification; network-lock/unlock need nothing for an OCI container (runc's
 * network strategies for them are libcontainer-only), post-dump neither (runc
 * marks its state "checkpointed" there, which cleat does not keep). */
static int notify(const CriuNotify *no, int fds[FDS_MAX], const struct cleat_criu_notify *n,
		  pid_t *pid, cleat_error_t *err)
{
	const char *script = no && no->script ? no->script : "";
	cleat_debug("criu notify: %s", script);
	if (strcmp(script, "setup-namespaces") == 0 && n->setup_namespaces)
		return n->setup_namespaces(n->data, (pid_t) no->pid, err);
	if (strcmp(script, "status-ready") == 0 && n->status_ready)
		return n->status_ready(n->data, err);
	if (strcmp(script, "post-restore") == 0 && no->has_pid)
		*pid = (pid_t) no->pid;
	if (strcmp(script, "orphan-pts-master") == 0) {
		if (fds[0] < 0)
			return cleat_error_msg(err, "criu sent orphan-pts-master without a fd");
		if (n->orphan_pts_master)
			return n->orphan_pts_master(n->data, fds[0], err);
	}
	return 0;
}

/* The conversation until the final response.  Returns 0 (done), -1 with *err set
 * by a callback (cb_err), or -1 with *detail (criu's own failure). */
static int converse(int sock, struct cleat_criu_req *r, const struct cleat_criu_notify *n,
		    pid_t *pid, char **detail, cleat_error_t *err)
{
	if (send_req(sock, &r->req, err) < 0)
		return -1;
	for (;;) {
		int fds[FDS_MAX];
		CriuResp *resp = recv_resp(sock, fds);
		if (!resp) {
			close_fds(fds);
			*detail = xstrdup("criu exited without an answer");
			return -1;
		}
		int ret = 0;
		bool done = false;
		if (!resp->success) {
			*detail = resp->cr_errmsg && *resp->cr_errmsg
					  ? xstrdup(resp->cr_errmsg)
					  : xasprintf("errno %d",
						      resp->has_cr_errno ? resp->cr_errno : 0);
			ret = -1;
		} else if (resp->type == CRIU_REQ_TYPE__NOTIFY) {
			ret = notify(resp->notify, fds, n, pid, err);
			if (ret == 0) {
				CriuReq ack = CRIU_REQ__INIT;
				ack.type = CRIU_REQ_TYPE__NOTIFY;
				ack.has_notify_success = true;
				ack.notify_success = true;
				ret = send_req(sock, &ack, err);
			}
		} else {
			if (resp->restore && *pid <= 0)
				*pid = resp->restore->pid;
			done = true;
		}
		close_fds(fds);
		criu_resp__free_unpacked(resp, NULL);
		if (ret < 0 || done)
			return ret;
	}
}

int cleat_criu_swrk(const char *criu, struct cleat_criu_cmd *c, struct cleat_criu_req *r,
		    const char *action, const struct cleat_criu_notify *n, pid_t *pid,
		    cleat_error_t *err)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return cleat_error_errno(err, errno, "socketpair for criu");
	cleat_criu_arg(c, "%s", criu);
	cleat_criu_arg(c, "swrk");
	cleat_criu_arg(c, "%d", sv[1]);
	c->keep[c->n_keep++] = sv[1];
	pid_t criu_pid;
	int ret = cleat_criu_spawn(criu, c, &criu_pid, err);
	close(sv[1]);
	if (ret < 0) {
		close(sv[0]);
		return cleat_error_wrap(err, "criu %s", action);
	}
	if (c->cgroup)
		cleat_criu_cgroup_roots(criu_pid, add_cg_root, r);
	pid_t restored = 0;
	_cleanup_free_ char *detail = NULL;
	ret = converse(sv[0], r, n, &restored, &detail, err);
	/* criu exits once the socket closes (and undoes a restore not finished). */
	close(sv[0]);
	int st = 0;
	cleat_error_t werr = NULL;
	if (cleat_criu_wait(criu_pid, &st, &werr) < 0) {
		if (ret == 0 || detail) {
			cleat_error_free(err);
			*err = werr;
			return -1;
		}
		cleat_error_free(&werr);
	}
	if (ret < 0 && !detail)
		return -1; /* a callback's error */
	/* After a pre-dump criu waits for the next request and exits on the closed
	 * socket with a failure (runc ignores it): its answer is what counts. */
	bool exited_ok = (WIFEXITED(st) && WEXITSTATUS(st) == 0) ||
			 r->req.type == CRIU_REQ_TYPE__PRE_DUMP;
	if (ret == 0 && exited_ok && pid && restored <= 0)
		detail = xstrdup("no restored pid in criu's answer");
	if (ret == 0 && exited_ok && !detail) {
		if (pid)
			*pid = restored;
		return 0;
	}
	return cleat_criu_failed(criu, c, action, st, detail, err);
}
