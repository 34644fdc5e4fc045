/* shim-rpc: a minimal ttrpc client for tests, talking straight to a shim.
 *
 *   shim-rpc unix:///run/containerd/s/HEX update ID 'LinuxResources JSON'
 *   shim-rpc ADDRESS state ID [EXEC_ID]      prints "status=N pid=N exit_status=N"
 *   shim-rpc ADDRESS connect ID              prints "shim_pid=N task_pid=N"
 *   shim-rpc ADDRESS call METHOD ID [EXEC]   any {id, exec_id} request; prints "ok" or the error
 *
 * Errors print "code=N message=..." and exit 1.  (ctr 1.6 cannot send Update, and
 * hides gRPC codes; the tests need both.) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "shim/loop.h"
#include "shim/ttrpc/ttrpc.h"
#include "shim.pb-c.h"

struct result {
	struct loop *loop;
	const char *what;
	int rc;
};

static void on_reply(enum ttrpc_code code, const char *message, const uint8_t *payload, size_t len,
		     void *data)
{
	struct result *r = data;
	loop_quit(r->loop);
	if (code != TTRPC_OK) {
		printf("code=%d message=%s\n", code, message ? message : "");
		r->rc = 1;
		return;
	}
	r->rc = 0;
	if (strcmp(r->what, "state") == 0) {
		Containerd__Task__V2__StateResponse *s =
			containerd__task__v2__state_response__unpack(NULL, len, payload);
		if (!s) {
			r->rc = 1;
			return;
		}
		printf("status=%d pid=%u exit_status=%u\n", s->status, s->pid, s->exit_status);
		containerd__task__v2__state_response__free_unpacked(s, NULL);
	} else if (strcmp(r->what, "connect") == 0) {
		Containerd__Task__V2__ConnectResponse *c =
			containerd__task__v2__connect_response__unpack(NULL, len, payload);
		if (!c) {
			r->rc = 1;
			return;
		}
		printf("shim_pid=%u task_pid=%u\n", c->shim_pid, c->task_pid);
		containerd__task__v2__connect_response__free_unpacked(c, NULL);
	} else {
		printf("ok\n");
	}
}

int main(int argc, char **argv)
{
	cleat_error_t err = NULL;
	if (argc < 4) {
		fprintf(stderr, "usage: shim-rpc ADDRESS update|state|connect|call ...\n");
		return 2;
	}
	const char *addr = argv[1], *what = argv[2];
	const char *method;
	uint8_t *buf = NULL;
	size_t len = 0;
	if (strcmp(what, "update") == 0 && argc == 5) {
		Containerd__Task__V2__UpdateTaskRequest u =
			CONTAINERD__TASK__V2__UPDATE_TASK_REQUEST__INIT;
		Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
		any.type_url = "types.containerd.io/opencontainers/runtime-spec/1/LinuxResources";
		any.value.data = (uint8_t *) argv[4];
		any.value.len = strlen(argv[4]);
		u.id = argv[3];
		u.resources = &any;
		len = containerd__task__v2__update_task_request__get_packed_size(&u);
		buf = xmalloc(len + 1);
		containerd__task__v2__update_task_request__pack(&u, buf);
		method = "Update";
	} else if (strcmp(what, "state") == 0) {
		Containerd__Task__V2__StateRequest s = CONTAINERD__TASK__V2__STATE_REQUEST__INIT;
		s.id = argv[3];
		s.exec_id = argc > 4 ? argv[4] : "";
		len = containerd__task__v2__state_request__get_packed_size(&s);
		buf = xmalloc(len + 1);
		containerd__task__v2__state_request__pack(&s, buf);
		method = "State";
	} else if (strcmp(what, "connect") == 0 || (strcmp(what, "call") == 0 && argc >= 5)) {
		/* Requests are {1 id, 2 exec_id, ...}: StateRequest's encoding will do. */
		Containerd__Task__V2__StateRequest s = CONTAINERD__TASK__V2__STATE_REQUEST__INIT;
		s.id = argv[strcmp(what, "call") == 0 ? 4 : 3];
		s.exec_id = strcmp(what, "call") == 0 && argc > 5 ? argv[5] : "";
		len = containerd__task__v2__state_request__get_packed_size(&s);
		buf = xmalloc(len + 1);
		containerd__task__v2__state_request__pack(&s, buf);
		method = strcmp(what, "call") == 0 ? argv[3] : "Connect";
	} else {
		fprintf(stderr, "shim-rpc: bad arguments\n");
		return 2;
	}
	/* CLEAT_SHIM_RPC_SERVICE=containerd.task.v3.Task for a shim that serves only
	 * task API v3 (containerd 2.x's runc-v2): v3 has v2's messages. */
	const char *service = getenv("CLEAT_SHIM_RPC_SERVICE");
	struct result r = { .what = what, .rc = 1 };
	struct ttrpc_client *c = NULL;
	if (loop_new(&r.loop, &err) < 0 || ttrpc_client_connect(r.loop, addr, &c, &err) < 0 ||
	    ttrpc_client_call(c, service ? service : "containerd.task.v2.Task", method, buf, len,
			      NULL, on_reply, &r, &err) < 0 ||
	    loop_run(r.loop, &err) < 0) {
		fprintf(stderr, "shim-rpc: %s\n", err ? err->msg : "failed");
		return 1;
	}
	ttrpc_client_free(c);
	loop_free(r.loop);
	free(buf);
	return r.rc;
}
