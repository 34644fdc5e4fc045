/* ttrpc framing and message codecs against frames captured from containerd
 * 1.6.20 and containerd-shim-runc-v2: every frame splits, decodes into our
 * protobuf-c messages and re-encodes to the very same bytes. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cgroups_v1.pb-c.h"
#include "events.pb-c.h"
#include "events_ttrpc.pb-c.h"
#include "shim.pb-c.h"
#include "shim/ttrpc/conn.h"
#include "test-ttrpc-tap.h"
#include "test-ttrpc-vectors.h"
#include "ttrpc.pb-c.h"

#define N_CAPTURED (sizeof(captured) / sizeof(captured[0]))

static const struct captured *find(const char *kind, const char *label)
{
	for (size_t i = 0; i < N_CAPTURED; i++)
		if (strcmp(captured[i].kind, kind) == 0 && strcmp(captured[i].label, label) == 0)
			return &captured[i];
	return NULL;
}

static bool same_bytes(const ProtobufCMessage *m, const uint8_t *want, size_t len)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	uint8_t *buf = malloc(n ? n : 1);
	protobuf_c_message_pack(m, buf);
	bool ok = n == len && memcmp(buf, want, len) == 0;
	free(buf);
	return ok;
}

struct collect {
	size_t n;
	struct ttrpc_frame f[128];
};

static bool collect_cb(const struct ttrpc_frame *f, void *data)
{
	struct collect *c = data;
	if (c->n < 128)
		c->f[c->n++] = *f;
	return true;
}

static void test_header(void)
{
	uint8_t h[TTRPC_HEADER_LEN];
	struct ttrpc_frame f;
	ttrpc_header_encode(h, 0x00012345, 0x89abcdef, 2, 0x04);
	const uint8_t want[] = { 0x00, 0x01, 0x23, 0x45, 0x89, 0xab, 0xcd, 0xef, 0x02, 0x04 };
	tap_ok(memcmp(h, want, sizeof(want)) == 0, "header encodes big-endian");
	ttrpc_header_decode(want, &f);
	tap_ok(f.length == 0x12345 && f.stream_id == 0x89abcdef && f.type == 2 && f.flags == 4,
	       "header decodes");
}

/* All captured frames in one stream, split at once and one byte at a time. */
static void test_split(void)
{
	size_t total = 0;
	for (size_t i = 0; i < N_CAPTURED; i++)
		total += captured[i].len;
	uint8_t *stream = malloc(total);
	size_t off = 0;
	for (size_t i = 0; i < N_CAPTURED; i++) {
		memcpy(stream + off, captured[i].bytes, captured[i].len);
		off += captured[i].len;
	}

	struct collect c = { 0 };
	size_t used, need;
	cleat_error_t err = NULL;
	int r = ttrpc_frames_split(stream, total, collect_cb, &c, &used, &need, &err);
	bool ok = r == 0 && used == total && need == 0 && c.n == N_CAPTURED;
	for (size_t i = 0; ok && i < c.n; i++)
		ok = c.f[i].stream_id == captured[i].stream_id &&
		     c.f[i].length + TTRPC_HEADER_LEN == captured[i].len &&
		     c.f[i].type == (strstr(captured[i].kind, "request") ? 1 : 2) &&
		     c.f[i].flags == 0;
	tap_ok(ok, "%zu captured frames split from one stream", N_CAPTURED);

	/* Growing prefix, as a socket would deliver it. */
	size_t base = 0, frames = 0;
	ok = true;
	for (size_t end = 1; end <= total && ok; end++) {
		struct collect c2 = { 0 };
		r = ttrpc_frames_split(stream + base, end - base, collect_cb, &c2, &used, &need,
				       &err);
		ok = r == 0 && (need == 0 || need > end - base - used);
		frames += c2.n;
		base += used;
	}
	tap_ok(ok && base == total && frames == N_CAPTURED,
	       "byte-by-byte delivery yields every frame once");
	free(stream);

	uint8_t big[TTRPC_HEADER_LEN];
	ttrpc_header_encode(big, TTRPC_MAX_MESSAGE + 1, 1, 1, 0);
	r = ttrpc_frames_split(big, sizeof(big), collect_cb, &c, &used, &need, &err);
	tap_ok(r < 0 && err && strstr(err->msg, "exceeds maximum"),
	       "oversized frame is an error: %s", err ? err->msg : "(none)");
	cleat_error_free(&err);
	ttrpc_header_encode(big, TTRPC_MAX_MESSAGE, 1, 1, 0);
	r = ttrpc_frames_split(big, sizeof(big), collect_cb, &c, &used, &need, &err);
	tap_ok(r == 0 && need == TTRPC_HEADER_LEN + TTRPC_MAX_MESSAGE && used == 0,
	       "4 MiB frame is accepted and waits for its body");
}

/* Request envelopes decode and re-encode byte for byte. */
static void test_requests(void)
{
	for (size_t i = 0; i < N_CAPTURED; i++) {
		const struct captured *c = &captured[i];
		if (!strstr(c->kind, "request"))
			continue;
		const uint8_t *body = c->bytes + TTRPC_HEADER_LEN;
		size_t blen = c->len - TTRPC_HEADER_LEN;
		Ttrpc__Request *req = ttrpc__request__unpack(NULL, blen, body);
		bool ok = req && same_bytes(&req->base, body, blen);
		if (ok && strcmp(c->kind, "task-request") == 0)
			ok = strcmp(req->service, "containerd.task.v2.Task") == 0 &&
			     strcmp(req->method, c->label) == 0;
		tap_ok(ok, "%s %s (stream %u) round-trips", c->kind, c->label, c->stream_id);
		if (req)
			ttrpc__request__free_unpacked(req, NULL);
	}
}

static Ttrpc__Request *unpack_req(const struct captured *c)
{
	return ttrpc__request__unpack(NULL, c->len - TTRPC_HEADER_LEN, c->bytes + TTRPC_HEADER_LEN);
}

static void test_task_messages(void)
{
	Ttrpc__Request *req = unpack_req(find("task-request", "Create"));
	Containerd__Task__V2__CreateTaskRequest *cr =
		containerd__task__v2__create_task_request__unpack(NULL, req->payload.len,
								  req->payload.data);
	tap_ok(cr && strcmp(cr->id, "trace1") == 0 && strstr(cr->bundle, "/default/trace1") &&
		       strstr(cr->stdout, "trace1-stdout") && cr->options &&
		       strcmp(cr->options->type_url, "containerd.runc.v1.Options") == 0 &&
		       same_bytes(&cr->base, req->payload.data, req->payload.len),
	       "CreateTaskRequest decodes (id, bundle, stdio, runc Options Any) and round-trips");
	containerd__task__v2__create_task_request__free_unpacked(cr, NULL);
	ttrpc__request__free_unpacked(req, NULL);

	req = unpack_req(find("task-request", "Exec"));
	Containerd__Task__V2__ExecProcessRequest *ex =
		containerd__task__v2__exec_process_request__unpack(NULL, req->payload.len,
								   req->payload.data);
	tap_ok(ex && strcmp(ex->exec_id, "ex1") == 0 && ex->spec &&
		       strcmp(ex->spec->type_url,
			      "types.containerd.io/opencontainers/runtime-spec/1/Process") == 0 &&
		       ex->spec->value.len > 0 && ex->spec->value.data[0] == '{' &&
		       same_bytes(&ex->base, req->payload.data, req->payload.len),
	       "ExecProcessRequest carries the OCI Process JSON Any");
	containerd__task__v2__exec_process_request__free_unpacked(ex, NULL);
	ttrpc__request__free_unpacked(req, NULL);

	req = unpack_req(find("task-request", "Kill"));
	Containerd__Task__V2__KillRequest *k = containerd__task__v2__kill_request__unpack(
		NULL, req->payload.len, req->payload.data);
	tap_ok(k && strcmp(k->id, "trace2") == 0 && k->signal == 9 && !k->all,
	       "KillRequest signal 9");
	containerd__task__v2__kill_request__free_unpacked(k, NULL);
	ttrpc__request__free_unpacked(req, NULL);

	req = unpack_req(find("task-request", "State"));
	tap_ok(req->timeout_nano == 0 && req->n_metadata == 0,
	       "containerd 1.6 sends Task requests without metadata");
	ttrpc__request__free_unpacked(req, NULL);
}

static Ttrpc__Response *unpack_resp(const char *label)
{
	const struct captured *c = find("task-response", label);
	return c ? ttrpc__response__unpack(NULL, c->len - TTRPC_HEADER_LEN,
					   c->bytes + TTRPC_HEADER_LEN)
		 : NULL;
}

static void test_responses(void)
{
	for (size_t i = 0; i < N_CAPTURED; i++) {
		const struct captured *c = &captured[i];
		if (!strstr(c->kind, "response"))
			continue;
		Ttrpc__Response *r = ttrpc__response__unpack(NULL, c->len - TTRPC_HEADER_LEN,
							     c->bytes + TTRPC_HEADER_LEN);
		tap_ok(r && r->status == NULL &&
			       same_bytes(&r->base, c->bytes + TTRPC_HEADER_LEN,
					  c->len - TTRPC_HEADER_LEN),
		       "%s %s: success has no status, round-trips", c->kind, c->label);
		if (r)
			ttrpc__response__free_unpacked(r, NULL);
	}
	const struct captured *sd = find("task-response", "Shutdown-reply");
	tap_ok(sd && sd->len == TTRPC_HEADER_LEN, "Empty reply is a frame of length 0");

	Ttrpc__Response *r = unpack_resp("Wait-reply");
	Containerd__Task__V2__WaitResponse *w = containerd__task__v2__wait_response__unpack(
		NULL, r->payload.len, r->payload.data);
	tap_ok(w && w->exit_status == 3 && w->exited_at && w->exited_at->seconds > 1700000000,
	       "WaitResponse: exit 3 and a real time");
	containerd__task__v2__wait_response__free_unpacked(w, NULL);
	ttrpc__response__free_unpacked(r, NULL);

	r = unpack_resp("State-reply");
	Containerd__Task__V2__StateResponse *st = containerd__task__v2__state_response__unpack(
		NULL, r->payload.len, r->payload.data);
	tap_ok(st && strcmp(st->id, "trace1") == 0 && st->pid > 0 && st->exited_at &&
		       same_bytes(&st->base, r->payload.data, r->payload.len),
	       "StateResponse decodes (status %d) and round-trips", st ? (int) st->status : -1);
	containerd__task__v2__state_response__free_unpacked(st, NULL);
	ttrpc__response__free_unpacked(r, NULL);

	r = unpack_resp("Stats-reply");
	Containerd__Task__V2__StatsResponse *sr = containerd__task__v2__stats_response__unpack(
		NULL, r->payload.len, r->payload.data);
	Io__Containerd__Cgroups__V1__Metrics *m = NULL;
	if (sr && sr->stats)
		m = io__containerd__cgroups__v1__metrics__unpack(NULL, sr->stats->value.len,
								 sr->stats->value.data);
	tap_ok(m && strcmp(sr->stats->type_url, "io.containerd.cgroups.v1.Metrics") == 0 &&
		       m->memory && m->memory->usage && m->memory->usage->usage > 0 &&
		       same_bytes(&m->base, sr->stats->value.data, sr->stats->value.len),
	       "Stats: cgroup v1 Metrics decode and round-trip");
	if (m)
		io__containerd__cgroups__v1__metrics__free_unpacked(m, NULL);
	containerd__task__v2__stats_response__free_unpacked(sr, NULL);
	ttrpc__response__free_unpacked(r, NULL);
}

static void test_forward(void)
{
	static const struct {
		const char *topic, *type;
	} want[] = {
		{ "/tasks/create", "containerd.events.TaskCreate" },
		{ "/tasks/start", "containerd.events.TaskStart" },
		{ "/tasks/exit", "containerd.events.TaskExit" },
		{ "/tasks/delete", "containerd.events.TaskDelete" },
		{ "/tasks/exec-added", "containerd.events.TaskExecAdded" },
		{ "/tasks/exec-started", "containerd.events.TaskExecStarted" },
		{ "/tasks/paused", "containerd.events.TaskPaused" },
		{ "/tasks/resumed", "containerd.events.TaskResumed" },
	};
	const ProtobufCMessageDescriptor *descs[] = {
		&containerd__events__task_create__descriptor,
		&containerd__events__task_start__descriptor,
		&containerd__events__task_exit__descriptor,
		&containerd__events__task_delete__descriptor,
		&containerd__events__task_exec_added__descriptor,
		&containerd__events__task_exec_started__descriptor,
		&containerd__events__task_paused__descriptor,
		&containerd__events__task_resumed__descriptor,
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct captured *c = find("forward-request", want[i].topic);
		Ttrpc__Request *req = c ? unpack_req(c) : NULL;
		/* Go derives timeout_nano from the 5 s context deadline: a bit under 5 s. */
		bool ok = req &&
			  strcmp(req->service, "containerd.services.events.ttrpc.v1.Events") == 0 &&
			  strcmp(req->method, "Forward") == 0 && req->timeout_nano > 4000000000LL &&
			  req->timeout_nano <= 5000000000LL && req->n_metadata == 1 &&
			  strcmp(req->metadata[0]->key, "containerd-namespace-ttrpc") == 0 &&
			  strcmp(req->metadata[0]->value, "default") == 0;
		Containerd__Services__Events__Ttrpc__V1__ForwardRequest *fw = NULL;
		if (ok)
			fw = containerd__services__events__ttrpc__v1__forward_request__unpack(
				NULL, req->payload.len, req->payload.data);
		ok = ok && fw && fw->envelope && fw->envelope->timestamp &&
		     fw->envelope->timestamp->seconds > 0 &&
		     strcmp(fw->envelope->namespace_, "default") == 0 &&
		     strcmp(fw->envelope->topic, want[i].topic) == 0 && fw->envelope->event &&
		     strcmp(fw->envelope->event->type_url, want[i].type) == 0 &&
		     strcmp(descs[i]->name, want[i].type) == 0;
		ProtobufCMessage *ev = NULL;
		if (ok)
			ev = protobuf_c_message_unpack(descs[i], NULL,
						       fw->envelope->event->value.len,
						       fw->envelope->event->value.data);
		ok = ok && ev &&
		     same_bytes(ev, fw->envelope->event->value.data,
				fw->envelope->event->value.len) &&
		     same_bytes(&fw->base, req->payload.data, req->payload.len);
		tap_ok(ok, "Forward %s: envelope, type_url %s, metadata, 5 s timeout",
		       want[i].topic, want[i].type);
		if (ev)
			protobuf_c_message_free_unpacked(ev, NULL);
		if (fw)
			containerd__services__events__ttrpc__v1__forward_request__free_unpacked(
				fw, NULL);
		if (req)
			ttrpc__request__free_unpacked(req, NULL);
	}

	const struct captured *c = find("forward-request", "/tasks/exit");
	Ttrpc__Request *req = unpack_req(c);
	Containerd__Services__Events__Ttrpc__V1__ForwardRequest *fw =
		containerd__services__events__ttrpc__v1__forward_request__unpack(
			NULL, req->payload.len, req->payload.data);
	Containerd__Events__TaskExit *ex = containerd__events__task_exit__unpack(
		NULL, fw->envelope->event->value.len, fw->envelope->event->value.data);
	tap_ok(ex && strcmp(ex->container_id, "trace1") == 0 && strcmp(ex->id, "trace1") == 0 &&
		       ex->exit_status == 3 && ex->pid > 0,
	       "TaskExit of init: id = container id, exit status 3");
	containerd__events__task_exit__free_unpacked(ex, NULL);
	containerd__services__events__ttrpc__v1__forward_request__free_unpacked(fw, NULL);
	ttrpc__request__free_unpacked(req, NULL);
}

/* Error replies of the real shim decode into google.rpc.Status. */
static void test_probe_replies(void)
{
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		const struct probe *p = &probes[i];
		Ttrpc__Response *r = ttrpc__response__unpack(NULL, p->resp_len - TTRPC_HEADER_LEN,
							     p->resp + TTRPC_HEADER_LEN);
		tap_ok(r && r->status && r->status->code > 0 && r->payload.len == 0 &&
			       same_bytes(&r->base, p->resp + TTRPC_HEADER_LEN,
					  p->resp_len - TTRPC_HEADER_LEN),
		       "runc-v2 reply to %s: code %d \"%s\"", p->name,
		       r && r->status ? r->status->code : -1,
		       r && r->status ? r->status->message : "");
		if (r)
			ttrpc__response__free_unpacked(r, NULL);
	}
}

static void test_zero_time(void)
{
	/* Go's zero time, which 1.6's shim sends for "not exited". */
	Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	ts.seconds = -62135596800LL;
	const uint8_t want[] = { 0x08, 0x80, 0x92, 0xb8, 0xc3, 0x98, 0xfe, 0xff, 0xff, 0xff, 0x01 };
	tap_ok(same_bytes(&ts.base, want, sizeof(want)), "zero-time Timestamp encodes as Go's");
}

int main(void)
{
	test_header();
	test_split();
	test_requests();
	test_task_messages();
	test_responses();
	test_forward();
	test_probe_replies();
	test_zero_time();
	return tap_done();
}
