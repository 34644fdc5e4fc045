/* ttrpc client: unary calls over one non-blocking unix socket connection,
 * used for Events/Forward to containerd.  Replies are matched by stream id.
 *
 * Callbacks may free the client; `busy` defers the free until the dispatch
 * that called them has unwound. */
#include "config.h"
#include "shim/ttrpc/ttrpc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "shim/ttrpc/conn.h"
#include "ttrpc.pb-c.h"

#define NS_METADATA_KEY "containerd-namespace-ttrpc"

struct pending {
	struct pending *next;
	uint32_t stream_id;
	ttrpc_response_fn cb;
	void *data;
};

struct ttrpc_client {
	struct ttrpc_io io;
	uint32_t next_id;
	int64_t timeout_ns;
	struct pending *pending; /* oldest first */
	struct pending **tail;
	int busy;
	bool freed;
};

static void client_destroy(struct ttrpc_client *c)
{
	ttrpc_io_close(&c->io);
	while (c->pending) {
		struct pending *p = c->pending;
		c->pending = p->next;
		free(p);
	}
	free(c);
}

/* The connection is gone: every pending call fails with Unavailable. */
static void fail_pending(struct ttrpc_client *c, const char *why)
{
	ttrpc_io_close(&c->io);
	c->busy++;
	while (c->pending && !c->freed) {
		struct pending *p = c->pending;
		c->pending = p->next;
		if (c->pending == NULL)
			c->tail = &c->pending;
		p->cb(TTRPC_UNAVAILABLE, why, NULL, 0, p->data);
		free(p);
	}
	c->busy--;
}

static struct pending *take_pending(struct ttrpc_client *c, uint32_t id)
{
	for (struct pending **pp = &c->pending; *pp; pp = &(*pp)->next) {
		struct pending *p = *pp;
		if (p->stream_id != id)
			continue;
		*pp = p->next;
		if (*pp == NULL)
			c->tail = pp;
		return p;
	}
	return NULL;
}

static bool on_frame(const struct ttrpc_frame *f, void *data)
{
	struct ttrpc_client *c = data;

	if (f->type != TTRPC_TYPE_RESPONSE)
		return true;
	struct pending *p = take_pending(c, f->stream_id);
	if (p == NULL) {
		cleat_debug("ttrpc client: response for unknown stream %u", f->stream_id);
		return true;
	}
	Ttrpc__Response *resp = ttrpc__response__unpack(NULL, f->length, f->data);
	if (resp == NULL) {
		p->cb(TTRPC_INTERNAL, "ttrpc: undecodable response", NULL, 0, p->data);
	} else {
		enum ttrpc_code code = resp->status ? (enum ttrpc_code) resp->status->code
						    : TTRPC_OK;
		const char *msg = resp->status ? resp->status->message : "";
		p->cb(code, msg, resp->payload.data, resp->payload.len, p->data);
		ttrpc__response__free_unpacked(resp, NULL);
	}
	free(p);
	return !c->freed && !c->io.broken;
}

static void client_cb(struct loop *l, struct loop_source *src, int fd, uint32_t events, void *data)
{
	struct ttrpc_client *c = data;
	cleat_error_t e = NULL;
	_cleanup_free_ char *why = NULL;

	c->busy++;
	if ((events & EPOLLOUT) && ttrpc_io_flush(&c->io, &e) < 0)
		why = cleat_error_string(e);
	if (why == NULL && (events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP))) {
		int r = ttrpc_io_read(&c->io, on_frame, c, &e);
		if (r < 0)
			why = cleat_error_string(e);
		else if (r == 0)
			why = xstrdup("ttrpc: connection closed");
	}
	cleat_error_free(&e);
	if (why == NULL && c->io.broken)
		why = xstrdup("ttrpc: connection lost");
	if (why && !c->freed)
		fail_pending(c, why);
	c->busy--;
	if (c->freed && c->busy == 0)
		client_destroy(c);
}

int ttrpc_client_connect(struct loop *l, const char *path, struct ttrpc_client **out,
			 cleat_error_t *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (str_has_prefix(path, "unix://"))
		path += strlen("unix://");
	if (strlen(path) >= sizeof(sa.sun_path))
		return cleat_error_errno(err, ENAMETOOLONG, "ttrpc: socket path \"%s\"", path);
	strcpy(sa.sun_path, path);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return cleat_error_errno(err, errno, "ttrpc: socket");
	/* A unix connect completes at once or fails (EAGAIN: backlog full); it
	 * never blocks the loop. */
	if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
		return cleat_error_errno(err, errno, "ttrpc: connect \"%s\"", path);

	struct ttrpc_client *c = xmalloc0(sizeof(*c));
	c->next_id = 1;
	c->tail = &c->pending;
	if (ttrpc_io_init(&c->io, l, TAKE_FD(fd), client_cb, c, err) < 0) {
		free(c);
		return -1;
	}
	*out = c;
	return 0;
}

int ttrpc_client_call(struct ttrpc_client *c, const char *service, const char *method,
		      const uint8_t *payload, size_t len, const char *ns, ttrpc_response_fn cb,
		      void *data, cleat_error_t *err)
{
	Ttrpc__Request req = TTRPC__REQUEST__INIT;
	Ttrpc__KeyValue kv = TTRPC__KEY_VALUE__INIT;
	Ttrpc__KeyValue *kvs[1] = { &kv };

	if (c->io.broken)
		return cleat_error_errno(err, ENOTCONN, "ttrpc: connection closed");
	req.service = (char *) service;
	req.method = (char *) method;
	req.payload.data = (uint8_t *) payload;
	req.payload.len = len;
	req.timeout_nano = c->timeout_ns;
	if (ns) {
		kv.key = (char *) NS_METADATA_KEY;
		kv.value = (char *) ns;
		req.metadata = kvs;
		req.n_metadata = 1;
	}
	uint32_t id = c->next_id;
	if (ttrpc_io_send(&c->io, id, TTRPC_TYPE_REQUEST, &req.base, err) < 0)
		return -1;
	/* Client stream ids are odd; wrapping after 2^31 calls is harmless for a
	 * connection that never has more than a few calls in flight. */
	c->next_id += 2;
	struct pending *p = xmalloc0(sizeof(*p));
	p->stream_id = id;
	p->cb = cb;
	p->data = data;
	*c->tail = p;
	c->tail = &p->next;
	return 0;
}

void ttrpc_client_set_timeout(struct ttrpc_client *c, int64_t timeout_ns)
{
	c->timeout_ns = timeout_ns;
}

bool ttrpc_client_alive(const struct ttrpc_client *c) { return !c->io.broken; }

void ttrpc_client_free(struct ttrpc_client *c)
{
	if (c == NULL)
		return;
	c->freed = true;
	if (c->busy == 0)
		client_destroy(c);
	else
		ttrpc_io_close(&c->io);
}
