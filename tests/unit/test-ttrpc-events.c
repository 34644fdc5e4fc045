/* The events publisher against a fake containerd Events service served by our
 * own ttrpc server: order, envelope contents, retry while containerd is down
 * or failing, drop after 5 retries, Forward deadline, flush.
 *
 * With CLEAT_TEST_TTRPC_ADDRESS set (a real containerd's ttrpc socket), one
 * /tasks/oom event is also forwarded to that containerd. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "events.pb-c.h"
#include "events_ttrpc.pb-c.h"
#include "shim/events_client.h"
#include "shim/ttrpc/ttrpc.h"
#include "test-ttrpc-tap.h"

/* Retry policy "second" used here, so 5 retries take 150 ms, not 15 s.
 * Cases that must not time out (valgrind is slow) use a longer one. */
#define UNIT_MS 10
#define SLOW_UNIT_MS 200

static struct loop *L;
static char tmpdir[64], sock_path[108];
static struct ttrpc_server *S;

enum mode {
	ACCEPT,
	FAIL_ONCE,
	FAIL_ALWAYS,
	NEVER_REPLY
};
static enum mode server_mode;
static int fail_count;

#define MAX_GOT 64
static struct {
	char topic[64];
	char type_url[64];
	char ns_meta[32];
	char ns_env[32];
	int64_t ts;
	char container_id[64];
} got[MAX_GOT];
static int n_got;
static struct ttrpc_call *parked[8];
static int n_parked;

static void forward(struct ttrpc_call *call, const uint8_t *p, size_t len, void *data)
{
	if (server_mode == NEVER_REPLY && n_parked < 8) {
		parked[n_parked++] = call;
		return;
	}
	if (server_mode == FAIL_ALWAYS || (server_mode == FAIL_ONCE && fail_count == 0)) {
		fail_count++;
		ttrpc_reply_error(call, TTRPC_UNAVAILABLE, "try later");
		return;
	}
	Containerd__Services__Events__Ttrpc__V1__ForwardRequest *fw =
		containerd__services__events__ttrpc__v1__forward_request__unpack(NULL, len, p);
	if (fw && fw->envelope && fw->envelope->event && n_got < MAX_GOT) {
		Containerd__Services__Events__Ttrpc__V1__Envelope *e = fw->envelope;
		const char *ns = ttrpc_call_metadata(call, "containerd-namespace-ttrpc");
		snprintf(got[n_got].topic, 64, "%s", e->topic);
		snprintf(got[n_got].type_url, 64, "%s", e->event->type_url);
		snprintf(got[n_got].ns_meta, 32, "%s", ns ? ns : "");
		snprintf(got[n_got].ns_env, 32, "%s", e->namespace_);
		got[n_got].ts = e->timestamp ? e->timestamp->seconds : 0;
		/* Every task event has container_id as field 1. */
		Containerd__Events__TaskOOM *oom = containerd__events__task_oom__unpack(
			NULL, e->event->value.len, e->event->value.data);
		snprintf(got[n_got].container_id, 64, "%s", oom ? oom->container_id : "?");
		if (oom)
			containerd__events__task_oom__free_unpacked(oom, NULL);
		n_got++;
	}
	if (fw)
		containerd__services__events__ttrpc__v1__forward_request__free_unpacked(fw, NULL);
	ttrpc_reply(call, NULL, 0);
}

static void server_start(void)
{
	cleat_error_t err = NULL;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, sock_path);
	unlink(sock_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(fd, 16) < 0 ||
	    ttrpc_server_new(L, fd, &S, &err) < 0)
		abort();
	ttrpc_server_register(S, EVENTS_SERVICE, EVENTS_METHOD, forward, NULL);
}

static void server_stop(void)
{
	ttrpc_server_free(S);
	S = NULL;
	n_parked = 0;
	unlink(sock_path);
}

static void quit_cb(struct loop *l, struct loop_source *src, void *data) { loop_quit(l); }

static void spin(unsigned ms)
{
	cleat_error_t err = NULL;
	loop_add_timer(L, ms, quit_cb, NULL, &err);
	loop_run(L, &err);
}

/* Run until `n` events arrived or the pending queue is empty, at most ms. */
static void spin_until(struct events_publisher *pub, int n, unsigned ms)
{
	for (unsigned t = 0; t < ms && (n_got < n || events_pending(pub) > 0); t += 5)
		spin(5);
}

static void publish_oom(struct events_publisher *pub, const char *id)
{
	Containerd__Events__TaskOOM ev = CONTAINERD__EVENTS__TASK_OOM__INIT;
	ev.container_id = (char *) id;
	events_publish(pub, "/tasks/oom", &ev.base);
}

static void publish_exit(struct events_publisher *pub, const char *id, uint32_t status)
{
	Containerd__Events__TaskExit ev = CONTAINERD__EVENTS__TASK_EXIT__INIT;
	Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	ts.seconds = time(NULL);
	ev.container_id = (char *) id;
	ev.id = (char *) id;
	ev.pid = 42;
	ev.exit_status = status;
	ev.exited_at = &ts;
	events_publish(pub, "/tasks/exit", &ev.base);
}

static bool got_in_order(int from, int n, const char *prefix)
{
	for (int i = 0; i < n; i++) {
		char want[64];
		snprintf(want, sizeof(want), "%s%d", prefix, i);
		if (from + i >= n_got || strcmp(got[from + i].container_id, want) != 0)
			return false;
	}
	return true;
}

static void test_delivery(void)
{
	struct events_publisher *pub = events_publisher_new(L, sock_path, "k8s.io");
	events_publisher_set_time_unit(pub, SLOW_UNIT_MS);
	server_mode = ACCEPT;
	n_got = 0;
	for (int i = 0; i < 20; i++) {
		char id[16];
		snprintf(id, sizeof(id), "a%d", i);
		if (i % 2)
			publish_exit(pub, id, 3);
		else
			publish_oom(pub, id);
	}
	spin_until(pub, 20, 2000);
	tap_ok(n_got == 20 && got_in_order(0, 20, "a"), "20 events delivered in publish order");
	tap_ok(strcmp(got[0].topic, "/tasks/oom") == 0 &&
		       strcmp(got[0].type_url, "containerd.events.TaskOOM") == 0 &&
		       strcmp(got[1].topic, "/tasks/exit") == 0 &&
		       strcmp(got[1].type_url, "containerd.events.TaskExit") == 0,
	       "topic and Any type_url per event");
	tap_ok(strcmp(got[0].ns_meta, "k8s.io") == 0 && strcmp(got[0].ns_env, "k8s.io") == 0,
	       "namespace in metadata and envelope");
	tap_ok(got[0].ts > 1600000000, "envelope timestamp is set");
	tap_ok(events_pending(pub) == 0, "queue empty");
	events_publisher_free(pub);
}

static void test_down_then_up(void)
{
	struct events_publisher *pub = events_publisher_new(L, sock_path, "default");
	events_publisher_set_time_unit(pub, SLOW_UNIT_MS);
	server_stop();
	n_got = 0;
	for (int i = 0; i < 3; i++) {
		char id[16];
		snprintf(id, sizeof(id), "b%d", i);
		publish_oom(pub, id);
	}
	spin(UNIT_MS * 2);
	tap_ok(events_pending(pub) == 3, "containerd down: events stay queued");
	server_start();
	spin_until(pub, 3, 2000);
	tap_ok(n_got == 3 && got_in_order(0, 3, "b"),
	       "containerd back: queued events delivered in order");

	/* An error reply is retried, order kept. */
	server_mode = FAIL_ONCE;
	fail_count = 0;
	n_got = 0;
	publish_oom(pub, "c0");
	publish_oom(pub, "c1");
	spin_until(pub, 2, 2000);
	tap_ok(fail_count == 1 && n_got == 2 && got_in_order(0, 2, "c"),
	       "Forward error retried, order kept");

	/* The server drops connections: the publisher reconnects. */
	server_mode = ACCEPT;
	server_stop();
	server_start();
	n_got = 0;
	publish_oom(pub, "d0");
	spin_until(pub, 1, 2000);
	tap_ok(n_got == 1, "reconnects after the connection was closed");
	events_publisher_free(pub);
}

static void test_drop(void)
{
	struct events_publisher *pub = events_publisher_new(L, sock_path, "default");
	events_publisher_set_time_unit(pub, UNIT_MS);
	server_mode = FAIL_ALWAYS;
	fail_count = 0;
	n_got = 0;
	publish_oom(pub, "e0");
	spin_until(pub, 1, 2000);
	tap_ok(events_pending(pub) == 0 && fail_count == 6,
	       "event dropped after 1 attempt + 5 retries (%d attempts)", fail_count);

	/* A Forward that is never answered times out and is retried. */
	server_mode = NEVER_REPLY;
	publish_oom(pub, "f0");
	spin(UNIT_MS * 5 + 50);
	int parked_before = n_parked;
	server_mode = ACCEPT;
	spin_until(pub, 1, 2000);
	tap_ok(parked_before >= 1 && n_got == 1 && strcmp(got[0].container_id, "f0") == 0,
	       "unanswered Forward times out and is retried");
	events_publisher_free(pub);
}

static void test_flush(void)
{
	struct events_publisher *pub = events_publisher_new(L, sock_path, "default");
	events_publisher_set_time_unit(pub, SLOW_UNIT_MS);
	server_mode = ACCEPT;
	n_got = 0;
	for (int i = 0; i < 5; i++) {
		char id[16];
		snprintf(id, sizeof(id), "g%d", i);
		publish_oom(pub, id);
	}
	size_t left = events_flush(pub, 2000);
	tap_ok(left == 0 && n_got == 5 && got_in_order(0, 5, "g"), "flush delivers everything");

	server_stop();
	publish_oom(pub, "h0");
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	left = events_flush(pub, 100);
	clock_gettime(CLOCK_MONOTONIC, &b);
	long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	tap_ok(left == 1 && ms >= 90 && ms < 1000, "flush gives up after its timeout (%ld ms)", ms);
	events_publisher_free(pub);
	server_start();
}

/* Optional: a real containerd accepts our Forward. */
static void test_real_containerd(void)
{
	const char *addr = getenv("CLEAT_TEST_TTRPC_ADDRESS");
	if (addr == NULL || *addr == '\0') {
		tap_ok(true, "# SKIP CLEAT_TEST_TTRPC_ADDRESS not set (real containerd)");
		return;
	}
	struct events_publisher *pub = events_publisher_new(L, addr, "default");
	publish_oom(pub, "cleat-ttrpc-unit-test");
	publish_exit(pub, "cleat-ttrpc-unit-test", 7);
	size_t left = events_flush(pub, 5000);
	tap_ok(left == 0, "real containerd at %s accepted /tasks/oom and /tasks/exit", addr);
	events_publisher_free(pub);
}

int main(void)
{
	cleat_error_t err = NULL;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-ttrpc-ev-XXXXXX");
	if (!mkdtemp(tmpdir))
		abort();
	snprintf(sock_path, sizeof(sock_path), "%s/events.sock", tmpdir);
	if (loop_new(&L, &err) < 0)
		abort();
	server_start();

	test_delivery();
	test_down_then_up();
	test_drop();
	test_flush();
	test_real_containerd();

	server_stop();
	loop_free(L);
	rmdir(tmpdir);
	return tap_done();
}
