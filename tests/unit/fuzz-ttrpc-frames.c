/* libFuzzer target: ttrpc frame splitting, Request / Response decoding, the
 * Task request messages, the live server fed the input over a socket
 * (dispatch, replies, parked and cancelled calls, bad frames), and the client
 * fed the input as the server's replies. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"
#include "events_ttrpc.pb-c.h"
#include "shim.pb-c.h"
#include "shim/ttrpc/conn.h"
#include "shim/ttrpc/ttrpc.h"
#include "ttrpc.pb-c.h"

static const struct {
	const char *method;
	const ProtobufCMessageDescriptor *desc;
} task_methods[] = {
	{ "State", &containerd__task__v2__state_request__descriptor },
	{ "Create", &containerd__task__v2__create_task_request__descriptor },
	{ "Start", &containerd__task__v2__start_request__descriptor },
	{ "Delete", &containerd__task__v2__delete_request__descriptor },
	{ "Pids", &containerd__task__v2__pids_request__descriptor },
	{ "Pause", &containerd__task__v2__pause_request__descriptor },
	{ "Resume", &containerd__task__v2__resume_request__descriptor },
	{ "Checkpoint", &containerd__task__v2__checkpoint_task_request__descriptor },
	{ "Kill", &containerd__task__v2__kill_request__descriptor },
	{ "Exec", &containerd__task__v2__exec_process_request__descriptor },
	{ "ResizePty", &containerd__task__v2__resize_pty_request__descriptor },
	{ "CloseIO", &containerd__task__v2__close_iorequest__descriptor },
	{ "Update", &containerd__task__v2__update_task_request__descriptor },
	{ "Wait", &containerd__task__v2__wait_request__descriptor },
	{ "Stats", &containerd__task__v2__stats_request__descriptor },
	{ "Connect", &containerd__task__v2__connect_request__descriptor },
	{ "Shutdown", &containerd__task__v2__shutdown_request__descriptor },
};
#define N_METHODS (sizeof(task_methods) / sizeof(task_methods[0]))

/* ---- pure decoding ---- */

static void decode_payload(const char *method, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < N_METHODS; i++) {
		if (strcmp(task_methods[i].method, method) != 0)
			continue;
		ProtobufCMessage *m = protobuf_c_message_unpack(task_methods[i].desc, NULL, len, p);
		if (m) {
			/* Re-encoding must never overrun the size it reports. */
			size_t n = protobuf_c_message_get_packed_size(m);
			uint8_t *buf = malloc(n + 1);
			if (protobuf_c_message_pack(m, buf) != n)
				abort();
			free(buf);
			protobuf_c_message_free_unpacked(m, NULL);
		}
	}
}

static bool frame_cb(const struct ttrpc_frame *f, void *data)
{
	if (f->type == TTRPC_TYPE_REQUEST) {
		Ttrpc__Request *r = ttrpc__request__unpack(NULL, f->length, f->data);
		if (r) {
			decode_payload(r->method, r->payload.data, r->payload.len);
			ttrpc__request__free_unpacked(r, NULL);
		}
	} else if (f->type == TTRPC_TYPE_RESPONSE) {
		Ttrpc__Response *r = ttrpc__response__unpack(NULL, f->length, f->data);
		if (r)
			ttrpc__response__free_unpacked(r, NULL);
		Containerd__Services__Events__Ttrpc__V1__ForwardRequest *fw =
			containerd__services__events__ttrpc__v1__forward_request__unpack(
				NULL, f->length, f->data);
		if (fw)
			containerd__services__events__ttrpc__v1__forward_request__free_unpacked(
				fw, NULL);
	}
	return true;
}

/* ---- live server ---- */

static struct loop *L;
static struct ttrpc_server *S;
static char sock_path[108];
static struct ttrpc_call *parked[4];
static size_t n_parked;

static void on_cancel(struct ttrpc_call *call, void *data)
{
	for (size_t i = 0; i < n_parked; i++)
		if (parked[i] == call)
			parked[i] = parked[--n_parked];
}

/* Decode like a Task handler; Wait parks (until the next Start), Start
 * releases the parked calls, everything else answers at once. */
static void h_task(struct ttrpc_call *call, const uint8_t *p, size_t len, void *data)
{
	const ProtobufCMessageDescriptor *desc = data;
	ProtobufCMessage *m = protobuf_c_message_unpack(desc, NULL, len, p);
	if (m == NULL) {
		ttrpc_reply_error(call, TTRPC_INTERNAL, "ttrpc: error unmarshalling payload");
		return;
	}
	protobuf_c_message_free_unpacked(m, NULL);
	if (desc == &containerd__task__v2__wait_request__descriptor && n_parked < 4) {
		ttrpc_call_on_cancel(call, on_cancel, NULL);
		parked[n_parked++] = call;
		return;
	}
	if (desc == &containerd__task__v2__start_request__descriptor) {
		Containerd__Task__V2__WaitResponse w = CONTAINERD__TASK__V2__WAIT_RESPONSE__INIT;
		while (n_parked)
			ttrpc_reply_message(parked[--n_parked], &w.base);
	}
	if (len & 1)
		ttrpc_reply_error(call, TTRPC_NOT_FOUND, "container not created: %s", "not found");
	else
		ttrpc_reply(call, p, len);
}

static char client_sock_path[108];

static void remove_sockets(void)
{
	unlink(sock_path);
	unlink(client_sock_path);
}

static void setup(void)
{
	cleat_error_t err = NULL;
	signal(SIGPIPE, SIG_IGN);
	/* Every bad frame is logged; keep the fuzzer's output readable and fast. */
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null >= 0)
		cleat_log_set_fd(null, CLEAT_LOG_TEXT, false);
	snprintf(sock_path, sizeof(sock_path), "/tmp/fuzz-ttrpc-%d.sock", (int) getpid());
	unlink(sock_path);
	atexit(remove_sockets);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, sock_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(fd, 4) < 0)
		abort();
	if (loop_new(&L, &err) < 0 || ttrpc_server_new(L, fd, &S, &err) < 0)
		abort();
	for (size_t i = 0; i < N_METHODS; i++)
		ttrpc_server_register(S, "containerd.task.v2.Task", task_methods[i].method, h_task,
				      (void *) task_methods[i].desc);
}

struct peer {
	int fd;
	const uint8_t *data;
	size_t len, off;
	bool eof;
};

static void peer_cb(struct loop *l, struct loop_source *src, int fd, uint32_t ev, void *data)
{
	struct peer *p = data;
	uint8_t buf[4096];
	if (ev & EPOLLOUT) {
		if (p->off < p->len) {
			ssize_t n = send(fd, p->data + p->off, p->len - p->off, MSG_NOSIGNAL);
			if (n > 0)
				p->off += (size_t) n;
			else if (n < 0 && errno != EAGAIN)
				p->off = p->len;
		}
		if (p->off == p->len) {
			shutdown(fd, SHUT_WR);
			cleat_error_t err = NULL;
			loop_mod_fd(l, src, EPOLLIN, &err);
			cleat_error_free(&err);
		}
	}
	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n == 0 || (n < 0 && errno != EAGAIN)) {
			p->eof = true;
			loop_remove(l, src);
			loop_quit(l);
		}
	}
}

static void timeout_cb(struct loop *l, struct loop_source *src, void *data)
{
	*(bool *) data = true;
	loop_quit(l);
}

static void feed_server(const uint8_t *data, size_t size)
{
	cleat_error_t err = NULL;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, sock_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
		abort();
	struct peer p = { .fd = fd, .data = data, .len = size };
	struct loop_source *src = loop_add_fd(L, fd, EPOLLIN | EPOLLOUT, peer_cb, &p, &err);
	bool timed_out = false;
	struct loop_source *t = loop_add_timer(L, 2000, timeout_cb, &timed_out, &err);
	while (!p.eof && !timed_out)
		loop_run(L, &err);
	if (timed_out)
		abort(); /* the server must answer or close, never hang */
	loop_remove(L, t);
	if (!p.eof)
		loop_remove(L, src);
	close(fd);
	/* Let the server reap the connection (0 ms timer). */
	for (int i = 0; i < 100 && ttrpc_server_connections(S) > 0; i++) {
		bool t2 = false;
		loop_add_timer(L, 0, timeout_cb, &t2, &err);
		loop_run(L, &err);
	}
	if (ttrpc_server_connections(S) != 0 || n_parked != 0)
		abort();
}

/* ---- client: the input is what the "containerd" side sends back ---- */

static int client_listen_fd = -1;

static void client_setup(void)
{
	snprintf(client_sock_path, sizeof(client_sock_path), "/tmp/fuzz-ttrpc-c-%d.sock",
		 (int) getpid());
	unlink(client_sock_path);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, client_sock_path);
	client_listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (bind(client_listen_fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 ||
	    listen(client_listen_fd, 4) < 0)
		abort();
}

static int client_replies[3];
static struct ttrpc_client *fuzz_client;
static bool free_in_callback;

static void client_reply_cb(enum ttrpc_code code, const char *message, const uint8_t *payload,
			    size_t len, void *data)
{
	int *n = data;
	(*n)++;
	loop_quit(L);
	if (message == NULL || (len && payload == NULL))
		abort();
	/* As the events publisher may do when it drops a broken connection. */
	if (free_in_callback && fuzz_client) {
		ttrpc_client_free(fuzz_client);
		fuzz_client = NULL;
	}
}

static int client_total_replies(void)
{
	return client_replies[0] + client_replies[1] + client_replies[2];
}

static bool client_done(void)
{
	if (fuzz_client == NULL)
		return true;
	for (int i = 0; i < 3; i++)
		if (client_replies[i] == 0)
			return false;
	return true;
}

static void feed_client(const uint8_t *data, size_t size)
{
	cleat_error_t err = NULL;
	if (ttrpc_client_connect(L, client_sock_path, &fuzz_client, &err) < 0)
		abort();
	free_in_callback = size > 0 && (data[size - 1] & 1);
	memset(client_replies, 0, sizeof(client_replies));
	for (int i = 0; i < 3; i++)
		if (ttrpc_client_call(fuzz_client, "containerd.services.events.ttrpc.v1.Events",
				      "Forward", data, size < 64 ? size : 64, "default",
				      client_reply_cb, &client_replies[i], &err) < 0)
			abort();
	int peer = accept4(client_listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (peer < 0)
		abort();
	/* The input goes back as the "server" stream, then EOF: every pending
	 * call must complete exactly once, from a reply or from the loss (or,
	 * once the client was freed in a callback, not at all). */
	if (send(peer, data, size, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 && errno != EAGAIN)
		abort();
	shutdown(peer, SHUT_WR);
	bool timed_out = false;
	struct loop_source *t = loop_add_timer(L, 2000, timeout_cb, &timed_out, &err);
	while (!client_done() && !timed_out)
		loop_run(L, &err);
	if (timed_out)
		abort();
	loop_remove(L, t);
	if (fuzz_client) {
		for (int i = 0; i < 3; i++)
			if (client_replies[i] != 1)
				abort();
		ttrpc_client_free(fuzz_client);
		fuzz_client = NULL;
	} else if (client_total_replies() != 1) {
		abort();
	}
	close(peer);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t used, need;
	cleat_error_t err = NULL;

	if (L == NULL) {
		setup();
		client_setup();
	}
	if (ttrpc_frames_split(data, size, frame_cb, NULL, &used, &need, &err) < 0)
		cleat_error_free(&err);
	if (size <= 256 * 1024) {
		feed_server(data, size);
		feed_client(data, size);
	}
	return 0;
}
