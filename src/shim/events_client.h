/* Ordered publisher of task events to containerd.
 *
 * Each event is wrapped in google.protobuf.Any (type_url = the message's full
 * proto name, e.g. "containerd.events.TaskExit") inside an Envelope stamped
 * with the publish time and the namespace, and sent as
 * containerd.services.events.ttrpc.v1.Events/Forward to $TTRPC_ADDRESS.
 *
 * Delivery is strictly in publish order, one Forward in flight at a time
 * (containerd serves concurrent requests concurrently, so pipelining could
 * reorder them).  While containerd is unreachable the queue is retried after
 * 1, 2, 3, 4, 5 s; an event that failed more than 5 retries is dropped, as
 * containerd-shim-runc-v2 does.  The connection is made lazily and remade
 * after any failure. */
#ifndef CLEAT_SHIM_EVENTS_CLIENT_H
#define CLEAT_SHIM_EVENTS_CLIENT_H

#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

#include "shim/loop.h"

#define EVENTS_SERVICE "containerd.services.events.ttrpc.v1.Events"
#define EVENTS_METHOD "Forward"

struct events_publisher;

/* ttrpc_address: a unix socket path (as in $TTRPC_ADDRESS; "unix://" allowed).
 * ns: the containerd namespace (the shim's -namespace).  Never fails: the
 * connection is made when the first event is sent. */
struct events_publisher *events_publisher_new(struct loop *l, const char *ttrpc_address,
					      const char *ns);
/* Queue one event; topic like "/tasks/exit".  The event is packed at once, so
 * the caller keeps ownership of it.  The envelope timestamp is taken now. */
void events_publish(struct events_publisher *pub, const char *topic, const ProtobufCMessage *event);
/* Events queued and not yet acknowledged by containerd. */
size_t events_pending(const struct events_publisher *pub);
/* Run the loop until the queue is empty or timeout_ms have passed; call it
 * only outside loop_run() (at shutdown, after the main loop returned).
 * Returns the number of events left undelivered. */
size_t events_flush(struct events_publisher *pub, unsigned timeout_ms);
/* Tests only: length in ms of the policy's "second" (default 1000), which
 * scales the retry delays and the 5 s Forward deadline. */
void events_publisher_set_time_unit(struct events_publisher *pub, unsigned ms);
/* Drops whatever is still queued. */
void events_publisher_free(struct events_publisher *pub);

#endif
