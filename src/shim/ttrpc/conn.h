/* ttrpc internals shared by the server, the client, the tests and the fuzzer:
 * frame header codec, the pure frame splitter, and a non-blocking socket with
 * a per-connection read buffer (grown on demand) and an output queue. */
#ifndef CLEAT_SHIM_TTRPC_CONN_H
#define CLEAT_SHIM_TTRPC_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "common/error.h"
#include "shim/loop.h"

#define TTRPC_HEADER_LEN 10
#define TTRPC_MAX_MESSAGE (4u << 20)

enum ttrpc_msg_type {
	TTRPC_TYPE_REQUEST = 1,
	TTRPC_TYPE_RESPONSE = 2,
	TTRPC_TYPE_DATA = 3
};

struct ttrpc_frame {
	uint32_t length;
	uint32_t stream_id;
	uint8_t type;
	uint8_t flags;
	const uint8_t *data; /* `length` bytes, valid during the callback only */
};

void ttrpc_header_encode(uint8_t *buf, uint32_t length, uint32_t stream_id, uint8_t type,
			 uint8_t flags);
void ttrpc_header_decode(const uint8_t *buf, struct ttrpc_frame *f);

/* Return false to stop the splitter (the connection is going away). */
typedef bool (*ttrpc_frame_fn)(const struct ttrpc_frame *f, void *data);

/* Hand every complete frame of buf to fn.  *consumed = bytes of whole frames
 * used; *need = total size the buffer must reach for the next frame (0 when
 * unknown yet).  Returns < 0 (err set) for a frame over TTRPC_MAX_MESSAGE. */
int ttrpc_frames_split(const uint8_t *buf, size_t len, ttrpc_frame_fn fn, void *data,
		       size_t *consumed, size_t *need, cleat_error_t *err);

struct ttrpc_io {
	struct loop *loop;
	struct loop_source *src;
	int fd;
	uint32_t mask; /* epoll events registered */
	bool broken; /* a syscall failed or the peer closed: stop using it */
	uint8_t *rbuf;
	size_t rlen, rcap;
	uint8_t *wbuf;
	size_t wlen, woff, wcap;
};

/* Take ownership of fd (non-blocking, CLOEXEC) and register it with cb. */
int ttrpc_io_init(struct ttrpc_io *io, struct loop *l, int fd, loop_fd_cb cb, void *data,
		  cleat_error_t *err);
void ttrpc_io_close(struct ttrpc_io *io);
/* Read what is available and split frames.  Returns 1 while open, 0 at EOF,
 * < 0 on error (err set). */
int ttrpc_io_read(struct ttrpc_io *io, ttrpc_frame_fn fn, void *data, cleat_error_t *err);
/* Queue one frame whose body is msg packed (msg NULL: empty body) and try to
 * send it.  Returns < 0 with err set if the message is too large or the
 * connection broke (then io->broken is set). */
int ttrpc_io_send(struct ttrpc_io *io, uint32_t stream_id, uint8_t type,
		  const ProtobufCMessage *msg, cleat_error_t *err);
/* Write queued bytes; on EAGAIN arm EPOLLOUT.  < 0 with err set on failure. */
int ttrpc_io_flush(struct ttrpc_io *io, cleat_error_t *err);

#endif
