/* ttrpc framing and buffered non-blocking socket I/O. */
#include "config.h"
#include "shim/ttrpc/conn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/util.h"

/* Starting size of a read buffer: a typical Task request (State, Kill, Wait)
 * is < 100 bytes, Create with overlay mounts a few hundred. */
#define RBUF_INITIAL 1024
/* Buffers that grew for one big message are released once empty above this
 * size, so an idle connection costs a few KiB at most. */
#define BUF_KEEP_MAX (64u * 1024)
/* Stop reading requests while this much reply data waits for the peer. */
#define OUT_BACKLOG_MAX (TTRPC_MAX_MESSAGE + TTRPC_HEADER_LEN)

void ttrpc_header_encode(uint8_t *buf, uint32_t length, uint32_t stream_id, uint8_t type,
			 uint8_t flags)
{
	buf[0] = (uint8_t) (length >> 24);
	buf[1] = (uint8_t) (length >> 16);
	buf[2] = (uint8_t) (length >> 8);
	buf[3] = (uint8_t) length;
	buf[4] = (uint8_t) (stream_id >> 24);
	buf[5] = (uint8_t) (stream_id >> 16);
	buf[6] = (uint8_t) (stream_id >> 8);
	buf[7] = (uint8_t) stream_id;
	buf[8] = type;
	buf[9] = flags;
}

void ttrpc_header_decode(const uint8_t *buf, struct ttrpc_frame *f)
{
	f->length = (uint32_t) buf[0] << 24 | (uint32_t) buf[1] << 16 | (uint32_t) buf[2] << 8 |
		    buf[3];
	f->stream_id = (uint32_t) buf[4] << 24 | (uint32_t) buf[5] << 16 | (uint32_t) buf[6] << 8 |
		       buf[7];
	f->type = buf[8];
	f->flags = buf[9];
	f->data = NULL;
}

int ttrpc_frames_split(const uint8_t *buf, size_t len, ttrpc_frame_fn fn, void *data,
		       size_t *consumed, size_t *need, cleat_error_t *err)
{
	size_t off = 0;

	*need = 0;
	while (len - off >= TTRPC_HEADER_LEN) {
		struct ttrpc_frame f;
		ttrpc_header_decode(buf + off, &f);
		if (f.length > TTRPC_MAX_MESSAGE) {
			*consumed = off;
			return cleat_error_msg(
				err,
				"ttrpc: stream %u: message length %u exceeds maximum "
				"message size of %u",
				f.stream_id, f.length, TTRPC_MAX_MESSAGE);
		}
		if (len - off - TTRPC_HEADER_LEN < f.length) {
			*need = TTRPC_HEADER_LEN + (size_t) f.length;
			break;
		}
		f.data = buf + off + TTRPC_HEADER_LEN;
		off += TTRPC_HEADER_LEN + f.length;
		if (!fn(&f, data))
			break;
	}
	*consumed = off;
	return 0;
}

int ttrpc_io_init(struct ttrpc_io *io, struct loop *l, int fd, loop_fd_cb cb, void *data,
		  cleat_error_t *err)
{
	memset(io, 0, sizeof(*io));
	io->loop = l;
	io->fd = fd;
	io->mask = EPOLLIN | EPOLLRDHUP;
	io->src = loop_add_fd(l, fd, io->mask, cb, data, err);
	if (io->src == NULL) {
		close(fd);
		io->fd = -1;
		return -1;
	}
	return 0;
}

void ttrpc_io_close(struct ttrpc_io *io)
{
	if (io->src)
		loop_remove(io->loop, io->src);
	io->src = NULL;
	if (io->fd >= 0)
		close(io->fd);
	io->fd = -1;
	io->broken = true;
	free(io->rbuf);
	free(io->wbuf);
	io->rbuf = io->wbuf = NULL;
	io->rlen = io->rcap = io->wlen = io->woff = io->wcap = 0;
}

/* Buffers grow on a peer's say-so (up to 4 MiB a message, per connection):
 * out of memory, that one connection fails rather than the shim. */
static int buf_reserve(uint8_t **buf, size_t *cap, size_t want, cleat_error_t *err)
{
	if (want <= *cap)
		return 0;
	uint8_t *p = realloc(*buf, want);
	if (p == NULL)
		return cleat_error_errno(err, ENOMEM, "ttrpc: buffer of %zu bytes", want);
	*buf = p;
	*cap = want;
	return 0;
}

static int rbuf_reserve(struct ttrpc_io *io, size_t want, cleat_error_t *err)
{
	if (buf_reserve(&io->rbuf, &io->rcap, want, err) == 0)
		return 0;
	io->broken = true;
	return -1;
}

int ttrpc_io_read(struct ttrpc_io *io, ttrpc_frame_fn fn, void *data, cleat_error_t *err)
{
	size_t need = 0;

	if (io->rcap == 0 && rbuf_reserve(io, RBUF_INITIAL, err) < 0)
		return -1;
	/* Bounded so one busy peer cannot starve the other sources; the fd is
	 * level-triggered and comes back in the next epoll_wait. */
	for (int round = 0; round < 16 && !io->broken; round++) {
		if (io->wlen - io->woff > OUT_BACKLOG_MAX)
			break;
		if (io->rlen == io->rcap &&
		    rbuf_reserve(io, need > io->rcap ? need : io->rcap * 2, err) < 0)
			return -1;
		ssize_t n = read(io->fd, io->rbuf + io->rlen, io->rcap - io->rlen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			io->broken = true;
			return cleat_error_errno(err, errno, "ttrpc: read");
		}
		if (n == 0)
			return 0;
		io->rlen += (size_t) n;

		size_t used;
		int r = ttrpc_frames_split(io->rbuf, io->rlen, fn, data, &used, &need, err);
		if (r < 0) {
			io->broken = true;
			return r;
		}
		/* A callback closed the connection (ttrpc_io_close freed rbuf). */
		if (io->fd < 0)
			return 1;
		memmove(io->rbuf, io->rbuf + used, io->rlen - used);
		io->rlen -= used;
		if (need > io->rcap && rbuf_reserve(io, need, err) < 0)
			return -1;
	}
	if (io->rlen == 0 && io->rcap > BUF_KEEP_MAX) {
		free(io->rbuf);
		io->rbuf = NULL;
		io->rcap = 0;
	}
	return 1;
}

/* EPOLLOUT while bytes are queued; EPOLLIN unless the peer lets a lot of
 * replies pile up unread, so a peer that never reads cannot grow the shim's
 * memory without bound (it gets back-pressure, as from Go's blocking writes). */
static void update_mask(struct ttrpc_io *io)
{
	cleat_error_t e = NULL;
	size_t backlog = io->wlen - io->woff;
	uint32_t want = backlog ? EPOLLOUT : 0;
	if (backlog <= OUT_BACKLOG_MAX)
		want |= EPOLLIN | EPOLLRDHUP;
	if (want == io->mask || io->src == NULL)
		return;
	if (loop_mod_fd(io->loop, io->src, want, &e) < 0) {
		cleat_error_free(&e);
		return;
	}
	io->mask = want;
}

int ttrpc_io_flush(struct ttrpc_io *io, cleat_error_t *err)
{
	while (io->woff < io->wlen) {
		/* MSG_NOSIGNAL: a vanished peer must not raise SIGPIPE in the shim. */
		ssize_t n = send(io->fd, io->wbuf + io->woff, io->wlen - io->woff, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				update_mask(io);
				return 0;
			}
			io->broken = true;
			return cleat_error_errno(err, errno, "ttrpc: write");
		}
		io->woff += (size_t) n;
	}
	io->woff = io->wlen = 0;
	if (io->wcap > BUF_KEEP_MAX) {
		free(io->wbuf);
		io->wbuf = NULL;
		io->wcap = 0;
	}
	update_mask(io);
	return 0;
}

int ttrpc_io_send(struct ttrpc_io *io, uint32_t stream_id, uint8_t type,
		  const ProtobufCMessage *msg, cleat_error_t *err)
{
	if (io->broken)
		return cleat_error_errno(err, EPIPE, "ttrpc: connection closed");
	size_t body = msg ? protobuf_c_message_get_packed_size(msg) : 0;
	if (body > TTRPC_MAX_MESSAGE)
		return cleat_error_msg(
			err, "ttrpc: message length %zu exceeds maximum message size of %u", body,
			TTRPC_MAX_MESSAGE);
	bool queued = io->woff < io->wlen;
	/* Drop the sent prefix once it is half the buffer (amortised moves). */
	if (io->woff > 0 && io->woff >= io->wlen / 2) {
		memmove(io->wbuf, io->wbuf + io->woff, io->wlen - io->woff);
		io->wlen -= io->woff;
		io->woff = 0;
	}
	size_t want = io->wlen + TTRPC_HEADER_LEN + body;
	if (want > io->wcap) {
		size_t cap = io->wcap ? io->wcap : 256;
		while (cap < want)
			cap *= 2;
		/* Not broken: the caller may still send a short error instead. */
		if (buf_reserve(&io->wbuf, &io->wcap, cap, err) < 0)
			return -1;
	}
	uint8_t *p = io->wbuf + io->wlen;
	ttrpc_header_encode(p, (uint32_t) body, stream_id, type, 0);
	if (msg)
		protobuf_c_message_pack(msg, p + TTRPC_HEADER_LEN);
	io->wlen = want;
	/* Behind bytes already waiting for EPOLLOUT, a frame just queues. */
	if (queued) {
		update_mask(io);
		return 0;
	}
	return ttrpc_io_flush(io, err);
}
