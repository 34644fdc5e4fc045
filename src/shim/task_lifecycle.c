/* Create, Start, Exec and Delete: the RPCs that move a process through its
 * life and run the runtime's create/start/exec/delete. */
#include "config.h"
#include "shim/task.h"
#include "shim/checkpoint.h"
#include "shim/events.h"
#include "shim/json.h"
#include "shim/memtrim.h"
#include "shim/mount.h"
#include "shim/mount_idmap.h"
#include "shim/options.h"
#include "shim/status.h"
#include "shim/stdio.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- helpers --------------------------------------------------------------- */

/* options.json and runtime in the bundle, read back by the `delete` subcommand. */
static void write_bundle_options(struct container *c, const struct shim_options *o,
				 const char *binary_name)
{
	cleat_error_t err = NULL;
	_cleanup_free_ char *root = o->root ? cleat_json_escape(o->root) : NULL;
	_cleanup_free_ char *binary = cleat_json_escape(binary_name);
	_cleanup_free_ char *json = xasprintf(
		"{\"binary_name\":\"%s\",\"root\":\"%s\",\"systemd_cgroup\":%s}", binary,
		root ? root : "", o->systemd_cgroup ? "true" : "false");
	_cleanup_free_ char *opath = xasprintf("%s/options.json", c->bundle);
	_cleanup_free_ char *rpath = xasprintf("%s/runtime", c->bundle);
	if (write_file_atomic(opath, json, strlen(json), 0600, &err) < 0 ||
	    write_file_atomic(rpath, binary_name, strlen(binary_name), 0600, &err) < 0)
		shim_warn_error(&err);
}

static void apply_options(struct container *c, const Google__Protobuf__Any *any)
{
	struct shim_options o = { 0 };
	if (any)
		shim_options_from_any(any->type_url, any->value.data, any->value.len, &o);
	container_set_options(c, o.binary_name, o.root, o.systemd_cgroup, o.no_pivot_root,
			      o.no_new_keyring, o.io_uid, o.io_gid);
	free(c->criu_work_path);
	c->criu_work_path = TAKE_PTR(o.criu_work_path);
	write_bundle_options(c, &o, container_runtime_name(o.binary_name));
	shim_options_clear(&o);
}

static void unmount_rootfs(struct container *c)
{
	if (!c->rootfs_mounted)
		return;
	cleat_error_t err = NULL;
	_cleanup_free_ char *rootfs = xasprintf("%s/rootfs", c->bundle);
	if (unmount_all(rootfs, &err) < 0)
		shim_warn_error(&err);
	c->rootfs_mounted = false;
}

static int mount_request_rootfs(struct container *c,
				const Containerd__Task__V2__CreateTaskRequest *r,
				cleat_error_t *err)
{
	if (r->n_rootfs == 0)
		return 0;
	struct shim_mount *m = xmalloc0(r->n_rootfs * sizeof *m);
	for (size_t i = 0; i < r->n_rootfs; i++) {
		m[i].type = r->rootfs[i]->type;
		m[i].source = r->rootfs[i]->source;
		m[i].options = r->rootfs[i]->options;
		m[i].n_options = r->rootfs[i]->n_options;
	}
	idmap_sweep(c->bundle);
	_cleanup_free_ char *rootfs = xasprintf("%s/rootfs", c->bundle);
	int ret = mount_rootfs(m, r->n_rootfs, rootfs, err);
	free(m);
	if (ret == 0)
		c->rootfs_mounted = true;
	return ret;
}

/* stdio_prepare for p's stdio paths and terminal, its failure worded as runc-v2's. */
static int prepare_stdio(struct shim *s, struct process *p, cleat_error_t *err)
{
	const struct container *c = p->c;
	struct stdio_cfg cfg = { .in = p->stdin_path,
				 .out = p->stdout_path,
				 .err = p->stderr_path,
				 .terminal = p->terminal,
				 .uid = c->opts.io_uid,
				 .gid = c->opts.io_gid,
				 .id = c->id,
				 .ns = s->ns };
	if (stdio_prepare(s, &cfg, &p->io, err) == 0)
		return 0;
	if (!cfg.terminal)
		return cleat_error_wrap(err, "failed to create init process I/O");
	return cleat_error_wrap(err, p->is_init ? "failed to create OCI runtime console socket"
						: "failed to create runc console socket");
}

/* A copy of the borrowed error stdio_when_ready reports (its errno and code kept) in *err;
 * returns err. */
static cleat_error_t *stdio_error_copy(const cleat_error_t io_err, cleat_error_t *err)
{
	cleat_error_make(err, io_err->errnum, "%s", io_err->msg);
	(*err)->code = io_err->code;
	return err;
}

static void fail_container(struct container *c)
{
	unmount_rootfs(c);
	container_free(c);
}

/* ---- Create ---------------------------------------------------------------- */

static void create_done(struct shim *s, struct runtime_result *res, void *data)
{
	struct task_op *op = data;
	struct container *c = op->c;
	struct process *p = op->p;
	cleat_error_t err = NULL;
	pid_t pid = 0;
	_cleanup_free_ char *pidfile = xasprintf("%s/init.pid", c->bundle);
	int status = 0;
	struct timespec at;

	if (res->status != 0) {
		runtime_result_error(res, "OCI runtime create failed", &err);
		shim_reply_error(TAKE_PTR(op->call), &err);
		goto fail;
	}
	if (task_read_pid_file(pidfile, &pid, &err) < 0 || stdio_started(p->io, &err) < 0) {
		shim_reply_error(TAKE_PTR(op->call), &err);
		if (pid > 0)
			kill(pid, SIGKILL);
		goto fail;
	}
	p->pid = pid;
	bool early = shim_claim_exit(s, pid, &status, &at);
	shim_spawn_done(s);
	event_task_create(c, (Containerd__Task__V2__CreateTaskRequest *) op->req, (uint32_t) pid);
	if (op->call) {
		Containerd__Task__V2__CreateTaskResponse r =
			CONTAINERD__TASK__V2__CREATE_TASK_RESPONSE__INIT;
		r.pid = (uint32_t) pid;
		ttrpc_reply_message(TAKE_PTR(op->call), &r.base);
	}
	if (early)
		process_exited(p, status, &at);
	task_op_free(op);
	return;
fail:
	shim_spawn_done(s);
	op->p = NULL;
	task_op_free(op);
	fail_container(c);
}

/* A Create that cannot go on after its reply was deferred: answer with err (freed), drop
 * the container. */
static void create_abort(struct task_op *op, cleat_error_t *err)
{
	struct container *c = op->c;
	shim_reply_error(TAKE_PTR(op->call), err);
	op->p = NULL;
	task_op_free(op);
	fail_container(c);
}

/* The stdio is ready (a binary:// logger may have taken a while): run `create`. */
static void create_run(void *data, cleat_error_t io_err)
{
	struct task_op *op = data;
	struct container *c = op->c;
	struct process *p = op->p;
	cleat_error_t err = NULL;
	if (io_err) {
		create_abort(op, stdio_error_copy(io_err, &err));
		return;
	}
	_cleanup_free_ char *pidfile = xasprintf("%s/init.pid", c->bundle);
	const char *args[16];
	size_t n = 0;
	args[n++] = "create";
	args[n++] = "--bundle";
	args[n++] = c->bundle;
	args[n++] = "--pid-file";
	args[n++] = pidfile;
	if (stdio_console_socket(p->io)) {
		args[n++] = "--console-socket";
		args[n++] = stdio_console_socket(p->io);
	}
	if (c->opts.no_pivot_root)
		args[n++] = "--no-pivot";
	if (c->opts.no_new_keyring)
		args[n++] = "--no-new-keyring";
	args[n++] = c->id;
	args[n] = NULL;
	if (task_runtime(op, args, NULL, 0, create_done, &err) < 0) {
		create_abort(op, &err);
		return;
	}
	c->shim->spawns_in_flight++;
}

/* The stdio is ready: a task created from a checkpoint only records it, as runc-v2's
 * createdCheckpointState; its Start runs the runtime's `restore`.  No pid yet. */
static void create_from_checkpoint(void *data, cleat_error_t io_err)
{
	struct task_op *op = data;
	struct process *p = op->p;
	cleat_error_t err = NULL;
	if (io_err) {
		create_abort(op, stdio_error_copy(io_err, &err));
		return;
	}
	const Containerd__Task__V2__CreateTaskRequest *r = (const void *) op->req;
	p->checkpoint = xstrdup(r->checkpoint);
	p->parent_checkpoint = *r->parent_checkpoint ? xstrdup(r->parent_checkpoint) : NULL;
	event_task_create(op->c, r, 0);
	if (op->call) {
		Containerd__Task__V2__CreateTaskResponse resp =
			CONTAINERD__TASK__V2__CREATE_TASK_RESPONSE__INIT;
		ttrpc_reply_message(TAKE_PTR(op->call), &resp.base);
	}
	task_op_free(op);
}

void task_create(struct ttrpc_call *call, const uint8_t *payload, size_t len, void *data)
{
	struct shim *s = data;
	cleat_error_t err = NULL;
	TASK_UNPACK(r, Containerd__Task__V2__CreateTaskRequest,
		    containerd__task__v2__create_task_request);
	if (shim_find_container(s, r->id)) {
		shim_error(&err, TTRPC_ALREADY_EXISTS, "container %s", r->id);
		shim_reply_error(call, &err);
		return;
	}
	struct container *c = container_new(s, r->id, r->bundle);
	apply_options(c, r->options);
	_cleanup_free_ char *config_path = xasprintf("%s/config.json", c->bundle);
	_cleanup_free_ char *config = NULL;
	if (read_file(config_path, &config, NULL, &err) < 0)
		goto fail;
	c->private_pidns = container_spec_private_pidns(config);
	if (mount_request_rootfs(c, r, &err) < 0)
		goto fail;

	struct process *p = c->init = process_new(c, r->id, true);
	p->stdin_path = xstrdup(r->stdin);
	p->stdout_path = xstrdup(r->stdout);
	p->stderr_path = xstrdup(r->stderr);
	p->terminal = r->terminal;
	if (prepare_stdio(s, p, &err) < 0)
		goto fail;
	/* From here the op pins the container (busy) until the reply, which
	 * may come from the loop much later. */
	struct task_op *op = task_op_new(c, p, call);
	bool restore = *r->checkpoint;
	op->req = (ProtobufCMessage *) TAKE_PTR(r);
	stdio_when_ready(p->io, restore ? create_from_checkpoint : create_run, op);
	return;
fail:
	shim_reply_error(call, &err);
	fail_container(c);
}

/* ---- Start ----------------------------------------------------------------- */

static void start_init_done(struct shim *s, struct runtime_result *res, void *data)
{
	struct task_op *op = data;
	struct container *c = op->c;
	struct process *p = op->p;
	cleat_error_t err = NULL;
	if (res->status != 0) {
		runtime_result_error(res, "OCI runtime start failed", &err);
		shim_reply_error(TAKE_PTR(op->call), &err);
		process_start_failed(p);
	} else {
		/* Ordering rule: /tasks/start is queued here, before the exit that
		 * process_start_done() may release just below. */
		event_task_start(c, (uint32_t) p->pid);
		oom_watch_start(c, p->pid);
		if (op->call) {
			Containerd__Task__V2__StartResponse r =
				CONTAINERD__TASK__V2__START_RESPONSE__INIT;
			r.pid = (uint32_t) p->pid;
			ttrpc_reply_message(TAKE_PTR(op->call), &r.base);
		}
		process_start_done(p);
	}
	task_op_free(op);
	/* From now on the shim mostly waits for the container to exit. */
	shim_memtrim_soon(s->loop);
}

static void start_exec_done(struct shim *s, struct runtime_result *res, void *data)
{
	struct task_op *op = data;
	struct container *c = op->c;
	struct process *p = op->p;
	cleat_error_t err = NULL;
	pid_t pid = 0;
	int status;
	struct timespec at;
	unlink(op->tmpfile);
	_cleanup_free_ char *pidfile = xasprintf("%s/%s.pid", c->bundle, p->id);
	if (res->status != 0) {
		runtime_result_error(res, "OCI runtime exec failed", &err);
		shim_reply_error(TAKE_PTR(op->call), &err);
		process_start_failed(p);
		goto out;
	}
	if (task_read_pid_file(pidfile, &pid, &err) < 0 || stdio_started(p->io, &err) < 0) {
		shim_reply_error(TAKE_PTR(op->call), &err);
		if (pid > 0)
			kill(pid, SIGKILL);
		process_start_failed(p);
		goto out;
	}
	p->pid = pid;
	/* Held back until process_start_done(): the process is starting. */
	if (shim_claim_exit(s, pid, &status, &at))
		process_exited(p, status, &at);
	event_exec_started(c, p->id, (uint32_t) pid);
	if (op->call) {
		Containerd__Task__V2__StartResponse r = CONTAINERD__TASK__V2__START_RESPONSE__INIT;
		r.pid = (uint32_t) pid;
		ttrpc_reply_message(TAKE_PTR(op->call), &r.base);
	}
	process_start_done(p);
out:
	shim_spawn_done(s);
	task_op_free(op);
	/* The exec path ran code and data the idle shim never touches again. */
	shim_memtrim_soon(s->loop);
}

/* A Start (init or exec) that failed before the runtime ran: answer with err (freed),
 * release its waiters. */
static void start_abort(struct task_op *op, cleat_error_t *err)
{
	struct process *p = op->p;
	if (op->tmpfile)
		unlink(op->tmpfile);
	shim_reply_error(TAKE_PTR(op->call), err);
	process_start_failed(p);
	task_op_free(op);
}

static int run_exec(struct task_op *op, cleat_error_t *err)
{
	struct container *c = op->c;
	struct process *p = op->p;
	const char *base = getenv("XDG_RUNTIME_DIR");
	op->tmpfile = xasprintf("%s/runc-process-XXXXXX", base && *base ? base : "/tmp");
	_cleanup_close_ int fd = mkostemp(op->tmpfile, O_CLOEXEC);
	if (fd < 0 || write_all(fd, p->spec, strlen(p->spec)) < 0)
		return cleat_error_errno(err, errno, "write process spec \"%s\"", op->tmpfile);
	_cleanup_free_ char *pidfile = xasprintf("%s/%s.pid", c->bundle, p->id);
	const char *args[12];
	size_t n = 0;
	args[n++] = "exec";
	args[n++] = "--process";
	args[n++] = op->tmpfile;
	if (stdio_console_socket(p->io)) {
		args[n++] = "--console-socket";
		args[n++] = stdio_console_socket(p->io);
	}
	args[n++] = "--detach";
	args[n++] = "--pid-file";
	args[n++] = pidfile;
	args[n++] = c->id;
	args[n] = NULL;
	if (task_runtime(op, args, NULL, 0, start_exec_done, err) < 0)
		return -1;
	c->shim->spawns_in_flight++;
	return 0;
}

/* The stdio is ready (a binary:// logger may have taken a while): run `exec`. */
static void start_exec_run(void *data, cleat_error_t io_err)
{
	struct task_op *op = data;
	cleat_error_t err = NULL;
	if (io_err)
		start_abort(op, stdio_error_copy(io_err, &err));
	else if (run_exec(op, &err) < 0)
		start_abort(op, &err);
}

static int start_exec(struct shim *s, struct task_op *op, cleat_error_t *err)
{
	struct process *p = op->p;
	if (prepare_stdio(s, p, err) < 0)
		return -1;
	stdio_when_ready(p->io, start_exec_run, op);
	return 0;
}

void task_start(struct ttrpc_call *call, const uint8_t *payload, size_t len, void *data)
{
	struct shim *s = data;
	cleat_error_t err = NULL;
	TASK_UNPACK(r, Containerd__Task__V2__StartRequest, containerd__task__v2__start_request);
	struct process *p = task_process(s, call, r->id, r->exec_id, PROC_OP_START);
	if (!p)
		return;
	struct container *c = p->c;
	if (!p->is_init && (!c->init || process_reaped(c->init)))
		shim_error(&err, TTRPC_FAILED_PRECONDITION,
			   "container %s init process is not running", c->id);
	if (err || process_set_state(p, PROC_STARTING, &err) < 0) {
		shim_reply_error(call, &err);
		return;
	}
	struct task_op *op = task_op_new(c, p, call);
	int ret;
	if (p->is_init && p->checkpoint) {
		ret = task_restore(op, &err);
	} else if (p->is_init) {
		const char *args[] = { "start", c->id, NULL };
		ret = task_runtime(op, args, NULL, 0, start_init_done, &err);
	} else {
		ret = start_exec(s, op, &err);
	}
	if (ret < 0)
		start_abort(op, &err);
}

/* ---- Exec ------------------------------------------------------------------ */

char *task_exec_spec(const char *spec, size_t len, bool terminal)
{
	_cleanup_free_ char *doc = xstrndup(spec, len);
	const char *p = json_ws(doc);
	if (!p || *p != '{' || !json_skip(p))
		return NULL;
	size_t cap = len + 32, n = 0;
	char *out = xmalloc(cap);
	n += (size_t) sprintf(out, "{\"terminal\":%s", terminal ? "true" : "false");
	const char *it = p, *k, *v, *e;
	while (json_object_next(&it, &k, &v, &e)) {
		if (json_key_is(k, "terminal"))
			continue;
		out[n++] = ',';
		memcpy(out + n, k, (size_t) (e - k));
		n += (size_t) (e - k);
	}
	out[n++] = '}';
	out[n] = '\0';
	return out;
}

void task_exec(struct ttrpc_call *call, const uint8_t *payload, size_t len, void *data)
{
	struct shim *s = data;
	cleat_error_t err = NULL;
	TASK_UNPACK(r, Containerd__Task__V2__ExecProcessRequest,
		    containerd__task__v2__exec_process_request);
	struct container *c = task_container(s, call, r->id);
	if (!c)
		return;
	if (!*r->exec_id || container_find_process(c, r->exec_id)) {
		shim_error(&err, TTRPC_ALREADY_EXISTS, "id %s", r->exec_id);
		shim_reply_error(call, &err);
		return;
	}
	if (process_check(c->init, PROC_OP_EXEC, &err) < 0) {
		shim_reply_error(call, &err);
		return;
	}
	char *spec = r->spec ? task_exec_spec((const char *) r->spec->value.data,
					      r->spec->value.len, r->terminal)
			     : NULL;
	if (!spec) {
		shim_error(&err, TTRPC_INVALID_ARGUMENT, "exec %s: spec is not an OCI process",
			   r->exec_id);
		shim_reply_error(call, &err);
		return;
	}
	struct process *p = process_new(c, r->exec_id, false);
	p->spec = spec;
	p->stdin_path = xstrdup(r->stdin);
	p->stdout_path = xstrdup(r->stdout);
	p->stderr_path = xstrdup(r->stderr);
	p->terminal = r->terminal;
	p->next = c->execs;
	c->execs = p;
	event_exec_added(c, p->id);
	ttrpc_reply_message(call, NULL);
}

/* ---- Delete ---------------------------------------------------------------- */

static void reply_delete(struct ttrpc_call *call, struct process *p)
{
	Containerd__Task__V2__DeleteResponse r = CONTAINERD__TASK__V2__DELETE_RESPONSE__INIT;
	Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	shim_timestamp(&ts, process_reaped(p) ? &p->exited_at : &now);
	r.pid = (uint32_t) p->pid;
	r.exit_status = (uint32_t) p->exit_status;
	r.exited_at = &ts;
	ttrpc_reply_message(call, &r.base);
}

static void delete_exec(struct process *p, struct ttrpc_call *call)
{
	struct container *c = p->c;
	cleat_error_t err = NULL;
	if (process_set_state(p, PROC_DELETED, &err) < 0) {
		shim_reply_error(call, &err);
		return;
	}
	_cleanup_free_ char *pidfile = xasprintf("%s/%s.pid", c->bundle, p->id);
	unlink(pidfile);
	for (struct process **pp = &c->execs; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	/* runc-v2 publishes no /tasks/delete for execs. */
	reply_delete(call, p);
	process_free(p);
	/* The end of an exec (a probe): back to waiting. */
	shim_memtrim_soon(c->shim->loop);
}

static void delete_init_done(struct shim *s, struct runtime_result *res, void *data)
{
	struct task_op *op = data;
	struct container *c = op->c;
	struct process *p = op->p;
	cleat_error_t err = NULL;
	if (res->status)
		runtime_result_error(res, "failed to delete task", &err);
	/* Already gone is fine (the `delete` subcommand or a crash got there first). */
	if (err && (strstr(err->msg, "not exist") || strstr(err->msg, "not found")))
		cleat_error_free(&err);
	if (err || process_set_state(p, PROC_DELETED, &err) < 0) {
		shim_reply_error(TAKE_PTR(op->call), &err);
		task_op_free(op);
		return;
	}
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	stdio_free(TAKE_PTR(p->io));
	unmount_rootfs(c);
	oom_watch_stop(c);
	event_task_delete(c, (uint32_t) p->pid, (uint32_t) p->exit_status,
			  process_reaped(p) ? &p->exited_at : &now);
	if (op->call)
		reply_delete(TAKE_PTR(op->call), p);
	task_op_free(op);
	container_free(c);
}

static void delete_init(struct process *p, struct ttrpc_call *call)
{
	struct container *c = p->c;
	cleat_error_t err = NULL;
	struct task_op *op = task_op_new(c, p, call);
	const char *args[] = { "delete", c->id, NULL };
	if (task_runtime(op, args, NULL, 0, delete_init_done, &err) < 0) {
		ttrpc_call_on_cancel(call, NULL, NULL);
		op->call = NULL;
		task_op_free(op);
		shim_reply_error(call, &err);
	}
}

static void delete_process(struct process *p, struct ttrpc_call *call)
{
	if (p->is_init)
		delete_init(p, call);
	else
		delete_exec(p, call);
}

struct deferred_delete {
	struct shim *shim;
	struct ttrpc_call *call;
	char *id, *exec_id;
};

static void on_deferred_cancel(struct ttrpc_call *call, void *data)
{
	struct deferred_delete *d = data;
	d->call = NULL;
}

static void deferred_delete(struct loop *l, struct loop_source *src, void *data)
{
	struct deferred_delete *d = data;
	if (d->call) {
		ttrpc_call_on_cancel(d->call, NULL, NULL);
		/* Looked up again: the process may have gone meanwhile. */
		struct process *p = task_process(d->shim, d->call, d->id, d->exec_id,
						 PROC_OP_DELETE);
		if (p)
			delete_process(p, d->call);
	}
	free(d->id);
	free(d->exec_id);
	free(d);
}

/* Runs from the exit path, which still walks the process: delete (and free
 * it) on the next loop turn instead. */
static void delete_when_done(struct process *p, struct ttrpc_call *call)
{
	cleat_error_t err = NULL;
	struct deferred_delete *d = xmalloc0(sizeof *d);
	d->shim = p->c->shim;
	d->call = call;
	d->id = xstrdup(p->c->id);
	d->exec_id = xstrdup(p->is_init ? "" : p->id);
	if (!loop_add_timer(d->shim->loop, 0, deferred_delete, d, &err)) {
		shim_error_classify(&err, TTRPC_INTERNAL);
		shim_reply_error(call, &err);
		free(d->id);
		free(d->exec_id);
		free(d);
		return;
	}
	ttrpc_call_on_cancel(call, on_deferred_cancel, d);
}

void task_delete(struct ttrpc_call *call, const uint8_t *payload, size_t len, void *data)
{
	struct shim *s = data;
	TASK_UNPACK(r, Containerd__Task__V2__DeleteRequest, containerd__task__v2__delete_request);
	cleat_error_t err = NULL;
	struct process *p = task_process(s, call, r->id, r->exec_id, PROC_OP_DELETE);
	if (!p)
		return;
	if (p->is_init && p->c->busy > 0) {
		shim_error(&err, TTRPC_FAILED_PRECONDITION,
			   "container %s has a runtime command in flight", p->c->id);
		shim_reply_error(call, &err);
		return;
	}
	/* An exited process whose output is still draining: answer once it is done. */
	if (process_reaped(p) && !process_exit_done(p))
		process_wait(p, call, delete_when_done);
	else
		delete_process(p, call);
}
