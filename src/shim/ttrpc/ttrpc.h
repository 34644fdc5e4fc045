/* ttrpc server and client over the shim's loop.  Owner: ttrpc/*.c.
 * Frame: 10-byte header (u32 BE length, u32 BE stream id, u8 type, u8 flags),
 * payload = protobuf ttrpc.Request / ttrpc.Response; 4 MiB max message. */
#ifndef CLEAT_SHIM_TTRPC_H
#define CLEAT_SHIM_TTRPC_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "shim/loop.h"

/* gRPC status codes used by ttrpc. */
enum ttrpc_code {
	TTRPC_OK = 0, TTRPC_CANCELLED = 1, TTRPC_UNKNOWN = 2, TTRPC_INVALID_ARGUMENT = 3,
	TTRPC_DEADLINE_EXCEEDED = 4, TTRPC_NOT_FOUND = 5, TTRPC_ALREADY_EXISTS = 6,
	TTRPC_PERMISSION_DENIED = 7, TTRPC_RESOURCE_EXHAUSTED = 8, TTRPC_FAILED_PRECONDITION = 9,
	TTRPC_ABORTED = 10, TTRPC_OUT_OF_RANGE = 11, TTRPC_UNIMPLEMENTED = 12, TTRPC_INTERNAL = 13,
	TTRPC_UNAVAILABLE = 14, TTRPC_DATA_LOSS = 15, TTRPC_UNAUTHENTICATED = 16,
};

struct ttrpc_server;
/* A request awaiting its reply.  Handlers may reply at once or keep the call and
 * reply later (Wait).  The call stays valid until replied to; if the connection
 * closes first, the server frees the call and calls the on_cancel hook set below. */
struct ttrpc_call;

/* Handler for one method: payload is the serialized request message. */
typedef void (*ttrpc_method_fn)(struct ttrpc_call *call, const uint8_t *payload, size_t len,
				void *data);

int ttrpc_server_new(struct loop *l, int listen_fd, struct ttrpc_server **out, cleat_error_t *err);
void ttrpc_server_free(struct ttrpc_server *s);
/* Register "containerd.task.v2.Task" / "Create" → fn. */
void ttrpc_server_register(struct ttrpc_server *s, const char *service, const char *method,
			   ttrpc_method_fn fn, void *data);
/* Number of open client connections (the shim exits after Shutdown when idle). */
size_t ttrpc_server_connections(const struct ttrpc_server *s);

/* Reply with a serialized message (len may be 0 for Empty). Frees the call. */
void ttrpc_reply(struct ttrpc_call *call, const uint8_t *msg, size_t len);
/* Reply with an error status. Frees the call. */
void ttrpc_reply_error(struct ttrpc_call *call, enum ttrpc_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Metadata value sent by the caller (e.g. "containerd-namespace"), or NULL. */
const char *ttrpc_call_metadata(const struct ttrpc_call *call, const char *key);
typedef void (*ttrpc_cancel_fn)(struct ttrpc_call *call, void *data);
void ttrpc_call_on_cancel(struct ttrpc_call *call, ttrpc_cancel_fn fn, void *data);

/* Client side, for Events/Forward to $TTRPC_ADDRESS.  Non-blocking: the
 * publisher keeps an ordered queue and retries while containerd is down. */
struct ttrpc_client;
typedef void (*ttrpc_response_fn)(enum ttrpc_code code, const char *message, const uint8_t *payload,
				  size_t len, void *data);
int ttrpc_client_connect(struct loop *l, const char *path, struct ttrpc_client **out,
			 cleat_error_t *err);
int ttrpc_client_call(struct ttrpc_client *c, const char *service, const char *method,
		      const uint8_t *payload, size_t len, const char *ns, ttrpc_response_fn cb,
		      void *data, cleat_error_t *err);
void ttrpc_client_free(struct ttrpc_client *c);

#endif
