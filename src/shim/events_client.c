/* Ordered, retrying publisher of task events (see events_client.h). */
#include "config.h"
#include "shim/events_client.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "events_ttrpc.pb-c.h"
#include "google_types.pb-c.h"
#include "shim/ttrpc/ttrpc.h"

/* containerd-shim-runc-v2's publisher: at most 5 retries, the n-th after n
 * seconds, a 2048-event queue, a 5 s deadline per Forward. */
#define MAX_RETRIES 5
#define QUEUE_MAX 2048
#define FORWARD_TIMEOUT_UNITS 5
#define DEFAULT_UNIT_MS 1000

struct event {
	struct event *next;
	char *topic;
	uint8_t *req; /* packed ForwardRequest */
	size_t len;
	unsigned failures;
};

struct events_publisher {
	struct loop *loop;
	char *address;
	char *ns;
	struct event *head, **tail;
	size_t count;
	struct ttrpc_client *client;
	bool in_flight;
	bool flushing;
	struct loop_source *retry_timer;
	struct loop_source *call_timer;
	struct loop_source *flush_timer;
	unsigned unit_ms; /* one "second" of the retry policy */
};

static void kick(struct events_publisher *pub);

struct events_publisher *events_publisher_new(struct loop *l, const char *ttrpc_address,
					      const char *ns)
{
	struct events_publisher *pub = xmalloc0(sizeof(*pub));
	pub->loop = l;
	pub->address = xstrdup(ttrpc_address ? ttrpc_address : "");
	pub->ns = xstrdup(ns ? ns : "");
	pub->tail = &pub->head;
	pub->unit_ms = DEFAULT_UNIT_MS;
	return pub;
}

static void event_free(struct event *ev)
{
	free(ev->topic);
	free(ev->req);
	free(ev);
}

static void pop_head(struct events_publisher *pub)
{
	struct event *ev = pub->head;
	pub->head = ev->next;
	if (pub->head == NULL)
		pub->tail = &pub->head;
	pub->count--;
	event_free(ev);
	if (pub->head == NULL && pub->flushing)
		loop_quit(pub->loop);
}

void events_publish(struct events_publisher *pub, const char *topic, const ProtobufCMessage *event)
{
	Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
	Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	Containerd__Services__Events__Ttrpc__V1__Envelope env =
		CONTAINERD__SERVICES__EVENTS__TTRPC__V1__ENVELOPE__INIT;
	Containerd__Services__Events__Ttrpc__V1__ForwardRequest fwd =
		CONTAINERD__SERVICES__EVENTS__TTRPC__V1__FORWARD_REQUEST__INIT;
	struct timespec now;

	if (pub->count >= QUEUE_MAX) {
		cleat_warn("events: queue full, dropping %s", topic);
		return;
	}
	size_t elen = protobuf_c_message_get_packed_size(event);
	_cleanup_free_ uint8_t *ebuf = xmalloc(elen ? elen : 1);
	protobuf_c_message_pack(event, ebuf);
	/* The type_url is the bare full proto name, "containerd.events.TaskExit". */
	any.type_url = (char *) event->descriptor->name;
	any.value.data = ebuf;
	any.value.len = elen;
	/* containerd rejects an envelope with a zero timestamp. */
	clock_gettime(CLOCK_REALTIME, &now);
	ts.seconds = now.tv_sec;
	ts.nanos = (int32_t) now.tv_nsec;
	env.timestamp = &ts;
	env.namespace_ = pub->ns;
	env.topic = (char *) topic;
	env.event = &any;
	fwd.envelope = &env;

	struct event *ev = xmalloc0(sizeof(*ev));
	ev->topic = xstrdup(topic);
	ev->len = protobuf_c_message_get_packed_size(&fwd.base);
	ev->req = xmalloc(ev->len);
	protobuf_c_message_pack(&fwd.base, ev->req);
	*pub->tail = ev;
	pub->tail = &ev->next;
	pub->count++;
	kick(pub);
}

static void retry_cb(struct loop *l, struct loop_source *src, void *data)
{
	struct events_publisher *pub = data;
	pub->retry_timer = NULL;
	kick(pub);
}

/* A Forward attempt failed: it counts as a failed attempt for every queued
 * event, so while containerd is down events age out in order instead of each
 * one waiting out its own 15 s behind the head. */
static void failed(struct events_publisher *pub, const char *why)
{
	cleat_error_t e = NULL;

	for (struct event *ev = pub->head; ev; ev = ev->next)
		ev->failures++;
	if (pub->head)
		cleat_warn("events: forward %s: %s (attempt %u)", pub->head->topic, why,
			   pub->head->failures);
	while (pub->head && pub->head->failures > MAX_RETRIES) {
		cleat_error_log("events: dropping %s after %d retries", pub->head->topic,
				MAX_RETRIES);
		pop_head(pub);
	}
	if (pub->head == NULL || pub->retry_timer)
		return;
	pub->retry_timer = loop_add_timer(pub->loop, (uint64_t) pub->head->failures * pub->unit_ms,
					  retry_cb, pub, &e);
	if (pub->retry_timer == NULL) {
		cleat_error_log("events: %s", e->msg);
		cleat_error_free(&e);
	}
}

static void drop_client(struct events_publisher *pub)
{
	ttrpc_client_free(pub->client);
	pub->client = NULL;
}

static void on_reply(enum ttrpc_code code, const char *message, const uint8_t *payload, size_t len,
		     void *data)
{
	struct events_publisher *pub = data;

	pub->in_flight = false;
	if (pub->call_timer) {
		loop_remove(pub->loop, pub->call_timer);
		pub->call_timer = NULL;
	}
	if (code != TTRPC_OK) {
		_cleanup_free_ char *why = xasprintf("code %d: %s", (int) code, message);
		failed(pub, why);
		return;
	}
	pop_head(pub);
	kick(pub);
}

static void call_timeout_cb(struct loop *l, struct loop_source *src, void *data)
{
	struct events_publisher *pub = data;

	pub->call_timer = NULL;
	pub->in_flight = false;
	/* A late reply must not be taken for the retry's: use a new connection. */
	drop_client(pub);
	failed(pub, "timed out");
}

static int connect_client(struct events_publisher *pub, cleat_error_t *err)
{
	if (ttrpc_client_connect(pub->loop, pub->address, &pub->client, err) < 0) {
		pub->client = NULL;
		return -1;
	}
	ttrpc_client_set_timeout(pub->client,
				 (int64_t) FORWARD_TIMEOUT_UNITS * pub->unit_ms * 1000000LL);
	return 0;
}

/* Send the head event.  A kept connection may have died unnoticed
 * (containerd restarted): a failed send on it earns one immediate try on a
 * fresh connection. */
static int send_head(struct events_publisher *pub, cleat_error_t *err)
{
	if (pub->client && !ttrpc_client_alive(pub->client))
		drop_client(pub);
	for (int attempt = 0;; attempt++) {
		bool fresh = pub->client == NULL;
		if (fresh && connect_client(pub, err) < 0)
			return -1;
		if (ttrpc_client_call(pub->client, EVENTS_SERVICE, EVENTS_METHOD, pub->head->req,
				      pub->head->len, pub->ns, on_reply, pub, err) == 0)
			return 0;
		drop_client(pub);
		if (fresh || attempt > 0)
			return -1;
		cleat_error_free(err);
	}
}

static void kick(struct events_publisher *pub)
{
	cleat_error_t e = NULL;

	if (pub->in_flight || pub->retry_timer || pub->head == NULL)
		return;
	if (send_head(pub, &e) < 0) {
		_cleanup_free_ char *why = cleat_error_string(e);
		cleat_error_free(&e);
		failed(pub, why);
		return;
	}
	pub->in_flight = true;
	pub->call_timer = loop_add_timer(pub->loop, (uint64_t) FORWARD_TIMEOUT_UNITS * pub->unit_ms,
					 call_timeout_cb, pub, &e);
	if (pub->call_timer == NULL) {
		cleat_warn("events: %s", e->msg);
		cleat_error_free(&e);
	}
}

size_t events_pending(const struct events_publisher *pub) { return pub->count; }

void events_publisher_set_time_unit(struct events_publisher *pub, unsigned ms)
{
	pub->unit_ms = ms ? ms : DEFAULT_UNIT_MS;
}

static void flush_timeout_cb(struct loop *l, struct loop_source *src, void *data)
{
	struct events_publisher *pub = data;
	pub->flush_timer = NULL;
	loop_quit(l);
}

size_t events_flush(struct events_publisher *pub, unsigned timeout_ms)
{
	cleat_error_t e = NULL;

	if (pub->head == NULL)
		return 0;
	pub->flush_timer = loop_add_timer(pub->loop, timeout_ms, flush_timeout_cb, pub, &e);
	if (pub->flush_timer) {
		pub->flushing = true;
		kick(pub);
		if (pub->head)
			loop_run(pub->loop, &e);
		pub->flushing = false;
		if (pub->flush_timer)
			loop_remove(pub->loop, pub->flush_timer);
		pub->flush_timer = NULL;
	}
	if (e) {
		cleat_error_log("events: flush: %s", e->msg);
		cleat_error_free(&e);
	}
	return pub->count;
}

void events_publisher_free(struct events_publisher *pub)
{
	if (pub == NULL)
		return;
	drop_client(pub);
	if (pub->retry_timer)
		loop_remove(pub->loop, pub->retry_timer);
	if (pub->call_timer)
		loop_remove(pub->loop, pub->call_timer);
	if (pub->flush_timer)
		loop_remove(pub->loop, pub->flush_timer);
	if (pub->count)
		cleat_warn("events: %zu undelivered events dropped", pub->count);
	while (pub->head)
		pop_head(pub);
	free(pub->address);
	free(pub->ns);
	free(pub);
}
