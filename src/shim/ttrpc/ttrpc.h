/* ttrpc server and client over the shim's loop.
 * Implemented in src/shim/ttrpc/ (server.c, client.c, conn.c).
 * Frame: 10-byte header (u32 BE length, u32 BE stream id, u8 type, u8 flags),
 * payload = protobuf ttrpc.Request / ttrpc.Response; 4 MiB max message. */
#ifndef CLEAT_SHIM_TTRPC_H
#define CLEAT_SHIM_TTRPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "common/error.h"
#include "shim/loop.h"

/* gRPC status codes used by ttrpc. */
enum ttrpc_code {
	TTRPC_OK = 0,
	TTRPC_CANCELLED = 1,
	TTRPC_UNKNOWN = 2,
	TTRPC_INVALID_ARGUMENT = 3,
	TTRPC_DEADLINE_EXCEEDED = 4,
	TTRPC_NOT_FOUND = 5,
	TTRPC_ALREADY_EXISTS = 6,
	TTRPC_PERMISSION_DENIED = 7,
	TTRPC_RESOURCE_EXHAUSTED = 8,
	TTRPC_FAILED_PRECONDITION = 9,
	TTRPC_ABORTED = 10,
	TTRPC_OUT_OF_RANGE = 11,
	TTRPC_UNIMPLEMENTED = 12,
	TTRPC_INTERNAL = 13,
	TTRPC_UNAVAILABLE = 14,
	TTRPC_DATA_LOSS = 15,
	TTRPC_UNAUTHENTICATED = 16,
};

struct ttrpc_server;
/* A request awaiting its reply.  Handlers may reply at once or keep the call and
 * reply later (Wait).  The call stays valid until replied to; if the connection
 * closes first, the server frees the call and calls the on_cancel hook set below.
 * Replying never tears a connection down synchronously (a broken one is freed
 * from a later loop iteration), so replying to many kept calls in a row is safe.
 * Handlers must not call ttrpc_server_free(). */
struct ttrpc_call;

/* Handler for one method: payload is the serialized request message (NULL/0
 * when it encodes to nothing); it is valid only until the handler returns. */
typedef void (*ttrpc_method_fn)(struct ttrpc_call *call, const uint8_t *payload, size_t len,
				void *data);

/* Serve connections accepted on listen_fd (a listening AF_UNIX socket; the
 * server owns it from now on and sets it non-blocking and CLOEXEC).  Peers
 * must have the shim's euid and egid (SO_PEERCRED), as with Go ttrpc. */
int ttrpc_server_new(struct loop *l, int listen_fd, struct ttrpc_server **out, cleat_error_t *err);
/* Closes every connection (on_cancel hooks of pending calls run) and the
 * listener.  Free the server before the state its handlers' hooks touch. */
void ttrpc_server_free(struct ttrpc_server *s);
/* Register "containerd.task.v2.Task" / "Create" → fn. */
void ttrpc_server_register(struct ttrpc_server *s, const char *service, const char *method,
			   ttrpc_method_fn fn, void *data);
/* Number of open client connections (the shim exits after Shutdown when idle). */
size_t ttrpc_server_connections(const struct ttrpc_server *s);

/* Reply with a serialized message (len may be 0 for Empty). Frees the call. */
void ttrpc_reply(struct ttrpc_call *call, const uint8_t *msg, size_t len);
/* Pack msg (NULL for google.protobuf.Empty) and reply with it. Frees the call. */
void ttrpc_reply_message(struct ttrpc_call *call, const ProtobufCMessage *msg);
/* Reply with an error status. Frees the call.  By containerd's convention the
 * message ends with the class text, e.g. "container not created: not found". */
void ttrpc_reply_error(struct ttrpc_call *call, enum ttrpc_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Metadata value sent by the caller (e.g. "containerd-namespace"), or NULL. */
const char *ttrpc_call_metadata(const struct ttrpc_call *call, const char *key);
/* The caller's relative deadline (Request.timeout_nano), 0 when none. */
int64_t ttrpc_call_timeout_ns(const struct ttrpc_call *call);
/* Called when the connection closes before the reply: the call is freed right
 * after the hook returns, so forget it there and do not reply to it. */
typedef void (*ttrpc_cancel_fn)(struct ttrpc_call *call, void *data);
void ttrpc_call_on_cancel(struct ttrpc_call *call, ttrpc_cancel_fn fn, void *data);

/* Client side, for Events/Forward to $TTRPC_ADDRESS.  Non-blocking: the
 * publisher keeps an ordered queue and retries while containerd is down. */
struct ttrpc_client;
/* code TTRPC_UNAVAILABLE with a NULL payload when the connection was lost
 * before the reply.  The callback may call ttrpc_client_free(). */
typedef void (*ttrpc_response_fn)(enum ttrpc_code code, const char *message, const uint8_t *payload,
				  size_t len, void *data);
/* Connect without blocking to a unix socket path ("unix://" prefix allowed). */
int ttrpc_client_connect(struct loop *l, const char *path, struct ttrpc_client **out,
			 cleat_error_t *err);
/* Queue a unary call.  ns non-NULL adds the metadata
 * containerd-namespace-ttrpc=<ns>.  Fails (err set) once the connection is lost. */
int ttrpc_client_call(struct ttrpc_client *c, const char *service, const char *method,
		      const uint8_t *payload, size_t len, const char *ns, ttrpc_response_fn cb,
		      void *data, cleat_error_t *err);
/* timeout_nano sent with later calls (the server's deadline), 0 for none. */
void ttrpc_client_set_timeout(struct ttrpc_client *c, int64_t timeout_ns);
/* False once the connection is lost; pending callbacks have then run. */
bool ttrpc_client_alive(const struct ttrpc_client *c);
/* Safe from inside a response callback.  Pending calls are dropped silently. */
void ttrpc_client_free(struct ttrpc_client *c);

#endif
