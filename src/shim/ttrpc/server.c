/* ttrpc server: accepts connections on the shim socket, checks the peer's
 * credentials, decodes requests and dispatches them by service and method.
 *
 * Calls are independent of each other: a handler may keep its call (Wait) and
 * reply later while the same connection goes on serving other requests; the
 * replies go out in whatever order handlers finish, matched by stream id.
 *
 * A connection is never freed while its read callback runs or from inside
 * ttrpc_reply(): a failure only marks it broken, and the actual teardown runs
 * as a deferred call at the end of the loop iteration.  So a handler replying
 * to many waiters in a row never sees on_cancel hooks fire underneath it, and
 * tearing down needs nothing new (no fd, no memory): it works at the fd limit.
 *
 * Out of fds, accept() would fail forever with the peer left in the backlog,
 * so the server keeps one spare fd (/dev/null) open: on EMFILE/ENFILE it closes
 * it, accepts and at once closes the connection, and opens the spare again.
 * Peers are refused while the shim is full and served again once fds are
 * free; the connections the shim already has keep working. */
#include "config.h"
#include "shim/ttrpc/ttrpc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "shim/ttrpc/conn.h"
#include "ttrpc.pb-c.h"

#define ACCEPT_PAUSE_MS 100

struct method {
	struct method *next;
	char *service;
	char *method;
	ttrpc_method_fn fn;
	void *data;
};

struct conn {
	struct conn *prev, *next;
	struct ttrpc_server *srv;
	struct ttrpc_io io;
	struct ttrpc_call *calls; /* pending, doubly linked */
	struct loop_defer reap; /* frees a broken connection */
	bool busy; /* inside the read callback */
};

struct ttrpc_call {
	struct ttrpc_call *prev, *next;
	struct conn *conn;
	uint32_t stream_id;
	int64_t timeout_ns;
	size_t nmeta;
	char **meta; /* key, value, key, value... */
	ttrpc_cancel_fn cancel;
	void *cancel_data;
};

struct ttrpc_server {
	struct loop *loop;
	int listen_fd;
	struct loop_source *listen_src;
	struct method *methods;
	struct conn *conns;
	size_t nconns;
	int spare_fd; /* /dev/null, given up to shed a connection at the fd limit */
	struct loop_source *pause_timer; /* the listener is paused (ENOMEM & co) */
	uid_t euid;
	gid_t egid;
};

static void call_free(struct ttrpc_call *call)
{
	for (size_t i = 0; i < call->nmeta * 2; i++)
		free(call->meta[i]);
	free(call->meta);
	free(call);
}

static void call_unlink(struct ttrpc_call *call)
{
	struct conn *c = call->conn;
	if (call->prev)
		call->prev->next = call->next;
	else
		c->calls = call->next;
	if (call->next)
		call->next->prev = call->prev;
	call->prev = call->next = NULL;
}

static void conn_destroy(struct conn *c)
{
	struct ttrpc_server *s = c->srv;

	loop_defer_cancel(s->loop, &c->reap);
	ttrpc_io_close(&c->io);
	while (c->calls) {
		struct ttrpc_call *call = c->calls;
		call_unlink(call);
		if (call->cancel)
			call->cancel(call, call->cancel_data);
		call_free(call);
	}
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	free(c);
}

static void conn_reap_cb(struct loop *l, struct loop_defer *d, void *data) { conn_destroy(data); }

/* Mark broken and free the connection at the end of this loop iteration. */
static void conn_close_later(struct conn *c)
{
	c->io.broken = true;
	if (!c->busy)
		loop_defer(c->srv->loop, &c->reap, conn_reap_cb, c);
}

static void send_response(struct conn *c, uint32_t stream_id, const Ttrpc__Response *resp)
{
	cleat_error_t e = NULL;
	if (c->io.broken)
		return;
	if (ttrpc_io_send(&c->io, stream_id, TTRPC_TYPE_RESPONSE, &resp->base, &e) < 0) {
		_cleanup_free_ char *msg = cleat_error_string(e);
		cleat_error_free(&e);
		if (!c->io.broken) {
			/* Too large to send: tell the caller instead of dropping the reply. */
			Google__Rpc__Status st = GOOGLE__RPC__STATUS__INIT;
			Ttrpc__Response r = TTRPC__RESPONSE__INIT;
			st.code = TTRPC_RESOURCE_EXHAUSTED;
			st.message = msg;
			r.status = &st;
			if (ttrpc_io_send(&c->io, stream_id, TTRPC_TYPE_RESPONSE, &r.base, &e) == 0)
				return;
			cleat_error_free(&e);
		}
		cleat_warn("ttrpc: reply to stream %u: %s", stream_id, msg);
		conn_close_later(c);
	}
}

static void send_status(struct conn *c, uint32_t stream_id, enum ttrpc_code code, const char *msg)
{
	Google__Rpc__Status st = GOOGLE__RPC__STATUS__INIT;
	Ttrpc__Response r = TTRPC__RESPONSE__INIT;
	st.code = code;
	st.message = (char *) msg;
	r.status = &st;
	send_response(c, stream_id, &r);
}

static const struct method *find_method(const struct ttrpc_server *s, const char *service,
					const char *method, bool *service_known)
{
	*service_known = false;
	for (const struct method *m = s->methods; m; m = m->next) {
		if (strcmp(m->service, service) != 0)
			continue;
		*service_known = true;
		if (strcmp(m->method, method) == 0)
			return m;
	}
	return NULL;
}

static void dispatch_request(struct conn *c, const struct ttrpc_frame *f)
{
	struct ttrpc_server *s = c->srv;

	if (f->stream_id % 2 == 0) {
		send_status(c, f->stream_id, TTRPC_INVALID_ARGUMENT,
			    "StreamID must be odd for client initiated streams");
		return;
	}
	Ttrpc__Request *req = ttrpc__request__unpack(NULL, f->length, f->data);
	if (req == NULL) {
		cleat_warn("ttrpc: stream %u: undecodable request", f->stream_id);
		send_status(c, f->stream_id, TTRPC_INVALID_ARGUMENT,
			    "unmarshal request error: invalid ttrpc.Request");
		return;
	}
	bool service_known;
	const struct method *m = find_method(s, req->service, req->method, &service_known);
	if (m == NULL) {
		_cleanup_free_ char *msg = service_known ? xasprintf("method %s", req->method)
							 : xasprintf("service %s", req->service);
		send_status(c, f->stream_id, TTRPC_UNIMPLEMENTED, msg);
		ttrpc__request__free_unpacked(req, NULL);
		return;
	}

	struct ttrpc_call *call = xmalloc0(sizeof(*call));
	call->conn = c;
	call->stream_id = f->stream_id;
	call->timeout_ns = req->timeout_nano;
	if (req->n_metadata) {
		call->meta = xmalloc(sizeof(char *) * 2 * req->n_metadata);
		for (size_t i = 0; i < req->n_metadata; i++) {
			call->meta[2 * i] = xstrdup(req->metadata[i]->key);
			call->meta[2 * i + 1] = xstrdup(req->metadata[i]->value);
		}
		call->nmeta = req->n_metadata;
	}
	call->next = c->calls;
	if (c->calls)
		c->calls->prev = call;
	c->calls = call;

	m->fn(call, req->payload.data, req->payload.len, m->data);
	ttrpc__request__free_unpacked(req, NULL);
}

static bool on_frame(const struct ttrpc_frame *f, void *data)
{
	struct conn *c = data;
	/* Responses and stream data (ttrpc >= 1.2 streaming) are not for a
	 * unary server: ignored, as the Go server ignores unknown types. */
	if (f->type == TTRPC_TYPE_REQUEST)
		dispatch_request(c, f);
	return !c->io.broken;
}

static void conn_cb(struct loop *l, struct loop_source *src, int fd, uint32_t events, void *data)
{
	struct conn *c = data;
	cleat_error_t e = NULL;

	if (c->io.broken) {
		conn_close_later(c);
		return;
	}
	if (events & EPOLLOUT) {
		if (ttrpc_io_flush(&c->io, &e) < 0) {
			cleat_debug("ttrpc: %s", e->msg);
			cleat_error_free(&e);
			conn_close_later(c);
			return;
		}
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) {
		c->busy = true;
		int r = ttrpc_io_read(&c->io, on_frame, c, &e);
		c->busy = false;
		if (r < 0) {
			_cleanup_free_ char *msg = cleat_error_string(e);
			cleat_error_log("ttrpc: closing connection: %s", msg);
			cleat_error_free(&e);
		}
		if (r <= 0 || c->io.broken)
			conn_close_later(c);
	}
}

static bool peer_allowed(const struct ttrpc_server *s, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		cleat_warn("ttrpc: SO_PEERCRED: %s", strerror(errno));
		return false;
	}
	/* Same rule as ttrpc's UnixSocketRequireSameUser: only a peer with our
	 * effective uid and gid (containerd) may drive the shim. */
	if (cred.uid != s->euid || cred.gid != s->egid) {
		cleat_warn("ttrpc: rejecting peer pid %d uid %u gid %u", (int) cred.pid,
			   (unsigned) cred.uid, (unsigned) cred.gid);
		return false;
	}
	return true;
}

static void accept_resume_cb(struct loop *l, struct loop_source *src, void *data)
{
	struct ttrpc_server *s = data;
	cleat_error_t e = NULL;
	s->pause_timer = NULL;
	if (s->spare_fd < 0)
		s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (loop_mod_fd(l, s->listen_src, EPOLLIN, &e) < 0) {
		cleat_error_log("ttrpc: listener: %s", e->msg);
		cleat_error_free(&e);
	}
}

/* Out of memory (or fds without a spare): the pending connection keeps the
 * listener readable, so pause it for a while instead of spinning (it stays in
 * the backlog). */
static void accept_pause(struct ttrpc_server *s)
{
	cleat_error_t e = NULL;
	if (s->pause_timer || loop_mod_fd(s->loop, s->listen_src, 0, &e) < 0) {
		cleat_error_free(&e);
		return;
	}
	s->pause_timer = loop_add_timer(s->loop, ACCEPT_PAUSE_MS, accept_resume_cb, s, &e);
}

/* At the fd limit: refuse the oldest pending peer by accepting and closing it
 * with the spare fd's slot.  False without a spare. */
static bool accept_shed(struct ttrpc_server *s)
{
	if (s->spare_fd < 0)
		return false;
	close(s->spare_fd);
	int cfd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (cfd >= 0)
		close(cfd);
	s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return cfd >= 0;
}

static void accept_cb(struct loop *l, struct loop_source *src, int fd, uint32_t events, void *data)
{
	struct ttrpc_server *s = data;
	cleat_error_t e = NULL;

	int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (cfd < 0) {
		int err = errno;
		if (err == EAGAIN || err == EINTR || err == ECONNABORTED)
			return;
		if ((err == EMFILE || err == ENFILE) && accept_shed(s)) {
			cleat_warn("ttrpc: accept: %s: connection refused", strerror(err));
			return;
		}
		cleat_warn("ttrpc: accept: %s", strerror(err));
		accept_pause(s);
		return;
	}
	if (!peer_allowed(s, cfd)) {
		close(cfd);
		return;
	}
	struct conn *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		cleat_warn("ttrpc: accept: %s: connection refused", strerror(ENOMEM));
		close(cfd);
		return;
	}
	c->srv = s;
	if (ttrpc_io_init(&c->io, l, cfd, conn_cb, c, &e) < 0) {
		cleat_warn("ttrpc: %s", e->msg);
		cleat_error_free(&e);
		free(c);
		return;
	}
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->nconns++;
}

int ttrpc_server_new(struct loop *l, int listen_fd, struct ttrpc_server **out, cleat_error_t *err)
{
	if (fd_set_nonblock(listen_fd, true) < 0 || fd_set_cloexec(listen_fd, true) < 0)
		return cleat_error_errno(err, errno, "ttrpc: listener fd %d", listen_fd);
	struct ttrpc_server *s = xmalloc0(sizeof(*s));
	s->loop = l;
	s->listen_fd = listen_fd;
	s->euid = geteuid();
	s->egid = getegid();
	s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (s->spare_fd < 0) {
		free(s);
		return cleat_error_errno(err, errno, "ttrpc: open /dev/null");
	}
	s->listen_src = loop_add_fd(l, listen_fd, EPOLLIN, accept_cb, s, err);
	if (s->listen_src == NULL) {
		close(s->spare_fd);
		free(s);
		return -1;
	}
	*out = s;
	return 0;
}

void ttrpc_server_free(struct ttrpc_server *s)
{
	if (s == NULL)
		return;
	while (s->conns) {
		cleat_error_t e = NULL;
		/* Best effort for replies still queued (Shutdown's, typically). */
		if (!s->conns->io.broken && ttrpc_io_flush(&s->conns->io, &e) < 0)
			cleat_error_free(&e);
		conn_destroy(s->conns);
	}
	loop_remove(s->loop, s->pause_timer);
	if (s->spare_fd >= 0)
		close(s->spare_fd);
	loop_remove(s->loop, s->listen_src);
	close(s->listen_fd);
	while (s->methods) {
		struct method *m = s->methods;
		s->methods = m->next;
		free(m->service);
		free(m->method);
		free(m);
	}
	free(s);
}

void ttrpc_server_register(struct ttrpc_server *s, const char *service, const char *method,
			   ttrpc_method_fn fn, void *data)
{
	struct method *m = xmalloc0(sizeof(*m));
	m->service = xstrdup(service);
	m->method = xstrdup(method);
	m->fn = fn;
	m->data = data;
	m->next = s->methods;
	s->methods = m;
}

size_t ttrpc_server_connections(const struct ttrpc_server *s) { return s->nconns; }

static void finish_call(struct ttrpc_call *call, const Ttrpc__Response *resp)
{
	struct conn *c = call->conn;
	call_unlink(call);
	send_response(c, call->stream_id, resp);
	call_free(call);
}

void ttrpc_reply(struct ttrpc_call *call, const uint8_t *msg, size_t len)
{
	Ttrpc__Response r = TTRPC__RESPONSE__INIT;
	r.payload.data = (uint8_t *) msg;
	r.payload.len = len;
	finish_call(call, &r);
}

void ttrpc_reply_message(struct ttrpc_call *call, const ProtobufCMessage *msg)
{
	if (msg == NULL) {
		ttrpc_reply(call, NULL, 0);
		return;
	}
	size_t len = protobuf_c_message_get_packed_size(msg);
	_cleanup_free_ uint8_t *buf = xmalloc(len ? len : 1);
	protobuf_c_message_pack(msg, buf);
	ttrpc_reply(call, buf, len);
}

/* proto3 strings must be UTF-8: containerd 1.7+ (golang/protobuf) rejects the
 * whole Response otherwise, and runtime errors may quote arbitrary bytes. */
static void utf8_sanitize(char *str)
{
	unsigned char *p = (unsigned char *) str;
	while (*p) {
		size_t n = *p < 0x80		 ? 1
			   : (*p & 0xe0) == 0xc0 ? 2
			   : (*p & 0xf0) == 0xe0 ? 3
			   : (*p & 0xf8) == 0xf0 ? 4
						 : 0;
		bool ok = n > 0 && !(n == 2 && *p < 0xc2) && !(n == 4 && *p > 0xf4);
		for (size_t i = 1; ok && i < n; i++)
			ok = (p[i] & 0xc0) == 0x80;
		/* Overlong 3/4-byte forms, surrogates and values past U+10FFFF. */
		if (ok && n == 3)
			ok = !(p[0] == 0xe0 && p[1] < 0xa0) && !(p[0] == 0xed && p[1] >= 0xa0);
		if (ok && n == 4)
			ok = !(p[0] == 0xf0 && p[1] < 0x90) && !(p[0] == 0xf4 && p[1] >= 0x90);
		if (!ok) {
			*p++ = '?';
			continue;
		}
		p += n;
	}
}

void ttrpc_reply_error(struct ttrpc_call *call, enum ttrpc_code code, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);

	Google__Rpc__Status st = GOOGLE__RPC__STATUS__INIT;
	Ttrpc__Response r = TTRPC__RESPONSE__INIT;
	if (msg)
		utf8_sanitize(msg);
	st.code = code;
	st.message = msg ? msg : (char *) "";
	r.status = &st;
	finish_call(call, &r);
}

const char *ttrpc_call_metadata(const struct ttrpc_call *call, const char *key)
{
	for (size_t i = 0; i < call->nmeta; i++)
		if (strcmp(call->meta[2 * i], key) == 0)
			return call->meta[2 * i + 1];
	return NULL;
}

int64_t ttrpc_call_timeout_ns(const struct ttrpc_call *call) { return call->timeout_ns; }

void ttrpc_call_on_cancel(struct ttrpc_call *call, ttrpc_cancel_fn fn, void *data)
{
	call->cancel = fn;
	call->cancel_data = data;
}
