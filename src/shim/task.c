/* The containerd.task.v2.Task service: one handler per RPC.  Create, Start,
 * Exec and Delete live in task_lifecycle.c.  Error codes and messages follow
 * containerd-shim-runc-v2. */
#include "config.h"
#include "shim/task.h"
#include "shim/checkpoint.h"
#include "shim/events.h"
#include "shim/json.h"
#include "shim/metrics.h"
#include "shim/reaper.h"
#include "shim/status.h"
#include "shim/stdio.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "runc_options.pb-c.h"
#include "task_types.pb-c.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

/* ---- shared helpers -------------------------------------------------------- */

static void on_op_cancel(struct ttrpc_call *call, void *data)
{
	struct task_op *op = data;
	op->call = NULL;
}

struct task_op *task_op_new(struct container *c, struct process *p, struct ttrpc_call *call)
{
	struct task_op *op = xmalloc0(sizeof *op);
	op->c = c;
	op->p = p;
	op->call = call;
	c->busy++;
	ttrpc_call_on_cancel(call, on_op_cancel, op);
	return op;
}

void task_op_free(struct task_op *op)
{
	if (!op)
		return;
	if (op->call) {
		/* Every path replies before freeing; this is the safety net. */
		cleat_error_t err = NULL;
		ttrpc_call_on_cancel(op->call, NULL, NULL);
		shim_error(&err, TTRPC_INTERNAL, "request abandoned");
		shim_reply_error(op->call, &err);
	}
	op->c->busy--;
	pb_freep(&op->req);
	free(op->tmpfile);
	free(op);
}

int task_runtime(struct task_op *op, const char *const *args, const char *input, size_t input_len,
		 runtime_done_fn done, cleat_error_t *err)
{
	struct container *c = op->c;
	_cleanup_strv_ char **argv = container_runtime_argv(c, args);
	struct runtime_spawn_opts o = { .fd = { RUNTIME_FD_NULL, RUNTIME_FD_CAPTURE,
						RUNTIME_FD_CAPTURE },
					.input = input,
					.input_len = input_len,
					.log_path = c->log_path };
	/* create/exec/restore hand the process's stdio to the runtime, which passes it on
	 * (restore: CRIU reattaches the checkpointed stdio to these). */
	if (op->p && op->p->io &&
	    (strcmp(args[0], "create") == 0 || strcmp(args[0], "exec") == 0 ||
	     strcmp(args[0], "restore") == 0))
		stdio_child_fds(op->p->io, o.fd);
	return runtime_run(c->shim, argv, &o, done, op, err);
}

int task_read_pid_file(const char *path, pid_t *pid, cleat_error_t *err)
{
	_cleanup_free_ char *buf = NULL;
	long long v;
	if (read_file(path, &buf, NULL, err) < 0)
		return -1;
	size_t n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	if (parse_int(buf, 1, INT32_MAX, &v) < 0)
		return cleat_error_msg(err, "bad pid file \"%s\": \"%s\"", path, buf);
	*pid = (pid_t) v;
	return 0;
}

struct container *task_container(struct shim *s, struct ttrpc_call *call, const char *id)
{
	cleat_error_t err = NULL;
	struct container *c = shim_find_container(s, id);
	if (!c) {
		shim_error(&err, TTRPC_NOT_FOUND, "container not created");
		shim_reply_error(call, &err);
	}
	return c;
}

struct process *task_process(struct shim *s, struct ttrpc_call *call, const char *id,
			     const char *exec_id, enum proc_op op)
{
	cleat_error_t err = NULL;
	struct container *c = task_container(s, call, id);
	if (!c)
		return NULL;
	struct process *p = container_find_process(c, exec_id);
	if (!p && exec_id && *exec_id)
		shim_error(&err, TTRPC_NOT_FOUND, "process does not exist %s", exec_id);
	else if (!p)
		shim_error(&err, TTRPC_NOT_FOUND, "container not created");
	else if (process_check(p, op, &err) == 0)
		return p;
	shim_reply_error(call, &err);
	return NULL;
}

/* Reply to a runtime command that needs no result beyond success. */
static bool op_failed(struct task_op *op, struct runtime_result *res, const char *what)
{
	if (res->status == 0)
		return false;
	cleat_error_t err = NULL;
	runtime_result_error(res, what, &err);
	shim_reply_error(TAKE_PTR(op->call), &err);
	return true;
}

static void op_reply_empty(struct task_op *op)
{
	if (op->call)
		ttrpc_reply_message(TAKE_PTR(op->call), NULL);
}

/* Start a runtime command for an RPC; on failure reply and return false. */
static bool op_run(struct ttrpc_call *call, struct container *c, struct process *p,
		   const char *const *args, const char *input, size_t input_len,
		   runtime_done_fn done)
{
	cleat_error_t err = NULL;
	struct task_op *op = task_op_new(c, p, call);
	if (task_runtime(op, args, input, input_len, done, &err) == 0)
		return true;
	ttrpc_call_on_cancel(call, NULL, NULL);
	op->call = NULL;
	task_op_free(op);
	shim_reply_error(call, &err);
	return false;
}

/* ---- State ----------------------------------------------------------------- */

static void task_state(struct ttrpc_call *call, const uint8_t *payload, size_t len, void *data)
{
	struct shim *s = data;
	TASK_UNPACK(r, Containerd__Task__V2__StateRequest, containerd__task__v2__state_request);
	struct process *p = task_process(s, call, r->id, r->exec_id, PROC_OP_STATE);
	if (!p)
		return;
	enum proc_state st = process_reported_state(p);
	Containerd__Task__V2__StateResponse resp = CONTAINERD__TASK__V2__STATE_RESPONSE__INIT;
	Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	shim_timestamp(&ts, process_reaped(p) ? &p->exited_at : NULL);
	resp.id = p->id;
	resp.bundle = p->c->bundle;
	resp.pid = (uint32_t) p->pid;
	resp.status = (Containerd__V1__Types__Status) proc_state_status(st);
	resp.stdin = p->stdin_path ? p->stdin_path : "";
	resp.stdout = p->stdout_path ? p->stdout_path : "";
	resp.stderr = p->stderr_path ? p->stderr_path : "";
	resp.terminal = p->terminal;
	/* An exit held back during the start is not reported yet. */
	resp.exit_status = process_reaped(p) ? (uint32_t) p->exit_status : 0;
	resp.exited_at = &ts;
	ttrpc_reply_message(call, &resp.base);
}

/* ---- Pids ------------------------------------------------------------------ */

static void pids_done(struct shim *s, struct runtime_result *res, void *data)
{
	struct task_op *op = data;
	if (op_failed(op, res, "failed to list pids")) {
		task_op_free(op);
		return;
	}
	const char *it = res->out ? res->out : "[]", *v;
	size_t n = 0, cap = 16;
	Containerd__V1__Types__ProcessInfo **infos = xmalloc0(cap * sizeof *infos);
	Containerd__Runc__V1__ProcessDetails *details = xmalloc0(cap * sizeof *details);
	Google__Protobuf__Any *anys = xmalloc0(cap * sizeof *anys);
	uint8_t **bufs = xmalloc0(cap * sizeof *bufs);
	it = json_ws(it);
	while ((v = json_array_next(&it))) {
		long long pid;
		if (!json_int(v, &pid))
			continue;
		if (n == cap) {
			cap *= 2;
			infos = xrealloc(infos, cap * sizeof *infos);
			details = xrealloc(details, cap * sizeof *details);
			anys = xrealloc(anys, cap * sizeof *anys);
			bufs = xrealloc(bufs, cap * sizeof *bufs);
			/* Re-point: the arrays moved. */
			for (size_t k = 0; k < n; k++)
				if (infos[k]->info)
					infos[k]->info = &anys[k];
		}
		Containerd__V1__Types__ProcessInfo *pi = xmalloc0(sizeof *pi);
		containerd__v1__types__process_info__init(pi);
		pi->pid = (uint32_t) pid;
		bufs[n] = NULL;
		for (struct process *p = op->c->execs; p; p = p->next)
			if (p->pid == (pid_t) pid) {
				containerd__runc__v1__process_details__init(&details[n]);
				details[n].exec_id = p->id;
				size_t sz = containerd__runc__v1__process_details__get_packed_size(
					&details[n]);
				bufs[n] = xmalloc(sz + 1);
				containerd__runc__v1__process_details__pack(&details[n], bufs[n]);
				google__protobuf__any__init(&anys[n]);
				anys[n].type_url = "containerd.runc.v1.ProcessDetails";
				anys[n].value.data = bufs[n];
				anys[n].value.len = sz;
				pi->info = &anys[n];
			}
		infos[n++] = pi;
	}
	Containerd__Task__V2__PidsResponse resp = CONTAINERD__TASK__V2__PIDS_RESPONSE__INIT;
	resp.n_processes = n;
	resp.processes = infos;
	if (op->call)
		ttrpc_reply_message(TAKE_PTR(op->call), &resp.base);
	for (size_t k = 0; k < n; k++) {
		free(infos[k]);
		free(bufs[k]);
	}
	free(infos);
	free(details);
	free(anys);
	free(bufs);
	task_op_free(op);
}

static void task_pids(struct ttrpc_call *call, const uint8_t *payload, size_t len, void *data)
{
	struct shim *s = data;
	TASK_UNPACK(r, Containerd__Task__V2__PidsRequest, containerd__task__v2__pids_request);
	struct container *c = task_container(s, call, r->id);
	if (!c)
		return;
	const char *args[] = { "ps", "--format", "json", c->id, NULL };
	op_run(call, c, c->init, args, NULL, 0, pids_done);
}

/* ---- Pause / Resume -------------------------------------------------------- */

/* A move after a runtime command, checked before it was started: the
 * process's exit meanwhile is the only reason it can be refused. */
static void task_move(struct process *p, enum proc_state to)
{
	cleat_error_t err = NULL;
	if (process_set_state(p, to, &err) < 0) {
		cleat_debug("%s", err->msg);
		cleat_error_free(&err);
	}
}

static void pause_done(struct shim *s, struct runtime_result *res, void *data)
{
	struct task_op *op = data;
	struct process *p = op->p;
	if (op_failed(op, res, "OCI runtime pause failed")) {
		if (p->state == PROC_PAUSING)
			task_move(p, PROC_RUNNING);
	} else {
		if (p->state == PROC_PAUSING)
			task_move(p, PROC_PAUSED);
		event_task_paused(op->c);
		op_reply_empty(op);
	}
	task_op_free(op);
}

static void resume_done(struct shim *s, struct runtime_result *res, void *data)
{
	struct task_op *op = data;
	struct process *p = op->p;
	if (!op_failed(op, res, "OCI runtime resume failed")) {
		if (p->state == PROC_PAUSED)
			task_move(p, PROC_RUNNING);
		event_task_resumed(op->c);
		op_reply_empty(op);
	}
	task_op_free(op);
}

static void task_pause(struct ttrpc_call *call, const uint8_t *payload, size_t len, void *data)
{
	struct shim *s = data;
	cleat_error_t err = NULL;
	TASK_UNPACK(r, Containerd__Task__V2__PauseRequest, containerd__task__v2__pause_request);
	struct process *p = task_process(s, call, r->id, NULL, PROC_OP_PAUSE);
	if (!p)
		return;
	if (process_set_state(p, PROC_PAUSING, &err) < 0) {
		shim_reply_error(call, &err);
		return;
	}
	const char *args[] = { "pause", p->c->id, NULL };
	if (!op_run(call, p->c, p, args, NULL, 0, pause_done))
		task_move(p, PROC_RUNNING);
}

static void task_resume(struct ttrpc_call *call, const uint8_t *payload, size_t len, void *data)
{
	struct shim *s = data;
	TASK_UNPACK(r, Containerd__Task__V2__ResumeRequest, containerd__task__v2__resume_request);
	struct process *p = task_process(s, call, r->id, NULL, PROC_OP_RESUME);
	if (!p)
		return;
	const char *args[] = { "resume", p->c->id, NULL };
	op_run(call, p->c, p, args, NULL, 0, resume_done);
}

/* ---- Kill ------------------------------------------------------------------ */

/* As runc-v2's checkKillError: a process or container that is gone is NotFound. */
static void kill_done(struct shim *s, struct runtime_result *res, void *data)
{
	struct task_op *op = data;
	cleat_error_t err = NULL;
	if (res->status == 0) {
		op_reply_empty(op);
		task_op_free(op);
		return;
	}
	_cleanup_free_ char *msg = runtime_result_message(res, "OCI runtime kill failed");
	if (strstr(msg, "not running") || strcasestr(msg, "no such process"))
		shim_error(&err, TTRPC_NOT_FOUND, "process already finished");
	else if (strstr(msg, "does not exist"))
		shim_error(&err, TTRPC_NOT_FOUND, "no such container");
	else
		shim_error(&err, TTRPC_UNKNOWN, "unknown error after kill: %s", msg);
	shim_reply_error(TAKE_PTR(op->call), &err);
	task_op_free(op);
}

static void task_kill(struct ttrpc_call *call, const uint8_t *payload, size_t len, void *data)
{
	struct shim *s = data;
	cleat_error_t err = NULL;
	TASK_UNPACK(r, Containerd__Task__V2__KillRequest, containerd__task__v2__kill_request);
	/* --all still matters after init died: it kills what init left behind. */
	struct process *p = task_process(s, call, r->id, r->exec_id,
					 r->all ? PROC_OP_KILL_ALL : PROC_OP_KILL);
	if (!p)
		return;
	if (!p->is_init) {
		if (kill(p->pid, (int) r->signal) == 0) {
			ttrpc_reply_message(call, NULL);
			return;
		}
		if (errno == ESRCH)
			shim_error(&err, TTRPC_NOT_FOUND, "process already finished");
		else
			cleat_error_errno(&err, errno, "exec kill error: unknown error after kill");
		shim_reply_error(call, &err);
		return;
	}
	char sig[16];
	snprintf(sig, sizeof sig, "%u", r->signal);
	const char *args_all[] = { "kill", "--all", p->c->id, sig, NULL };
	const char *args_one[] = { "kill", p->c->id, sig, NULL };
	op_run(call, p->c, p, r->all ? args_all : args_one, NULL, 0, kill_done);
}

/* ---- ResizePty / CloseIO --------------------------------------------------- */

static void task_resize_pty(struct ttrpc_call *call, const uint8_t *payload, size_t len, void *data)
{
	struct shim *s = data;
	cleat_error_t err = NULL;
	TASK_UNPACK(r, Containerd__Task__V2__ResizePtyRequest,
		    containerd__task__v2__resize_pty_request);
	struct process *p = task_process(s, call, r->id, r->exec_id, PROC_OP_RESIZE_PTY);
	if (!p)
		return;
	if (stdio_resize(p->io, r->width, r->height, &err) < 0) {
		shim_reply_error(call, &err);
		return;
	}
	ttrpc_reply_message(call, NULL);
}

static void task_close_io(struct ttrpc_call *call, const uint8_t *payload, size_t len, void *data)
{
	struct shim *s = data;
	TASK_UNPACK(r, Containerd__Task__V2__CloseIORequest, containerd__task__v2__close_iorequest);
	struct process *p = task_process(s, call, r->id, r->exec_id, PROC_OP_CLOSE_IO);
	if (!p)
		return;
	stdio_close_stdin(p->io);
	ttrpc_reply_message(call, NULL);
}

/* ---- Update ---------------------------------------------------------------- */

static void update_done(struct shim *s, struct runtime_result *res, void *data)
{
	struct task_op *op = data;
	if (!op_failed(op, res, "OCI runtime update failed"))
		op_reply_empty(op);
	task_op_free(op);
}

static void task_update(struct ttrpc_call *call, const uint8_t *payload, size_t len, void *data)
{
	struct shim *s = data;
	TASK_UNPACK(r, Containerd__Task__V2__UpdateTaskRequest,
		    containerd__task__v2__update_task_request);
	cleat_error_t err = NULL;
	struct process *p = task_process(s, call, r->id, NULL, PROC_OP_UPDATE);
	if (!p)
		return;
	if (!r->resources) {
		shim_error(&err, TTRPC_INVALID_ARGUMENT, "no resources");
		shim_reply_error(call, &err);
		return;
	}
	const char *args[] = { "update", "--resources", "-", p->c->id, NULL };
	op_run(call, p->c, p, args, (const char *) r->resources->value.data,
	       r->resources->value.len, update_done);
}

/* ---- Wait / Stats / Connect / Shutdown ------------------------------------- */

static void reply_wait(struct process *p, struct ttrpc_call *call)
{
	Containerd__Task__V2__WaitResponse r = CONTAINERD__TASK__V2__WAIT_RESPONSE__INIT;
	Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	shim_timestamp(&ts, &p->exited_at);
	r.exit_status = (uint32_t) p->exit_status;
	r.exited_at = &ts;
	ttrpc_reply_message(call, &r.base);
}

static void task_wait(struct ttrpc_call *call, const uint8_t *payload, size_t len, void *data)
{
	struct shim *s = data;
	TASK_UNPACK(r, Containerd__Task__V2__WaitRequest, containerd__task__v2__wait_request);
	struct process *p = task_process(s, call, r->id, r->exec_id, PROC_OP_WAIT);
	if (p)
		process_wait(p, call, reply_wait);
}

static void task_stats(struct ttrpc_call *call, const uint8_t *payload, size_t len, void *data)
{
	struct shim *s = data;
	cleat_error_t err = NULL;
	TASK_UNPACK(r, Containerd__Task__V2__StatsRequest, containerd__task__v2__stats_request);
	struct process *p = task_process(s, call, r->id, NULL, PROC_OP_STATE);
	if (!p)
		return;
	if (p->pid <= 0 || process_reaped(p)) {
		shim_error(&err, TTRPC_NOT_FOUND, "container %s has no cgroup", r->id);
		shim_reply_error(call, &err);
		return;
	}
	const char *type_url;
	_cleanup_free_ uint8_t *buf = NULL;
	size_t n;
	if (metrics_collect(p->pid, &type_url, &buf, &n, &err) < 0) {
		shim_error_classify(&err, TTRPC_NOT_FOUND);
		shim_reply_error(call, &err);
		return;
	}
	Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
	any.type_url = (char *) type_url;
	any.value.data = buf;
	any.value.len = n;
	Containerd__Task__V2__StatsResponse resp = CONTAINERD__TASK__V2__STATS_RESPONSE__INIT;
	resp.stats = &any;
	ttrpc_reply_message(call, &resp.base);
}

static void task_connect(struct ttrpc_call *call, const uint8_t *payload, size_t len, void *data)
{
	struct shim *s = data;
	TASK_UNPACK(r, Containerd__Task__V2__ConnectRequest, containerd__task__v2__connect_request);
	struct container *c = shim_find_container(s, r->id);
	Containerd__Task__V2__ConnectResponse resp = CONTAINERD__TASK__V2__CONNECT_RESPONSE__INIT;
	resp.shim_pid = (uint32_t) getpid();
	resp.task_pid = c && c->init ? (uint32_t) c->init->pid : 0;
	ttrpc_reply_message(call, &resp.base);
}

static void task_shutdown(struct ttrpc_call *call, const uint8_t *payload, size_t len, void *data)
{
	struct shim *s = data;
	/* A grouped shim keeps serving while any container remains. */
	ttrpc_reply_message(call, NULL);
	shim_maybe_exit(s);
}

void task_register(struct shim *s)
{
	static const struct {
		const char *name;
		ttrpc_method_fn fn;
	} methods[] = {
		{ "State", task_state },
		{ "Create", task_create },
		{ "Start", task_start },
		{ "Delete", task_delete },
		{ "Pids", task_pids },
		{ "Pause", task_pause },
		{ "Resume", task_resume },
		{ "Checkpoint", task_checkpoint },
		{ "Kill", task_kill },
		{ "Exec", task_exec },
		{ "ResizePty", task_resize_pty },
		{ "CloseIO", task_close_io },
		{ "Update", task_update },
		{ "Wait", task_wait },
		{ "Stats", task_stats },
		{ "Connect", task_connect },
		{ "Shutdown", task_shutdown },
	};
	/* containerd 2.x's task API v3 has v2's messages and field numbers. */
	for (size_t i = 0; i < ARRAY_SIZE(methods); i++) {
		ttrpc_server_register(s->server, SHIM_TASK_SERVICE, methods[i].name, methods[i].fn,
				      s);
		ttrpc_server_register(s->server, SHIM_TASK_SERVICE_V3, methods[i].name,
				      methods[i].fn, s);
	}
}
