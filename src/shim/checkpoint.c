/* Checkpoint and restore through the runtime's CRIU support, with the command
 * lines containerd-shim-runc-v2 uses: the Checkpoint RPC runs `checkpoint`,
 * and the Start of an init created from a checkpoint runs `restore` (Create
 * only records the image, as runc-v2's createdCheckpointState does). */
#include "config.h"
#include "shim/checkpoint.h"
#include "shim/events.h"
#include "shim/status.h"
#include "shim/stdio.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "runc_options.pb-c.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

/* A growing NULL-terminated argv of borrowed strings. */
struct args {
	const char **v;
	size_t n, cap;
};

static void args_add(struct args *a, const char *s)
{
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? a->cap * 2 : 32;
		a->v = xrealloc(a->v, a->cap * sizeof *a->v);
	}
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

static void args_add2(struct args *a, const char *flag, const char *value)
{
	if (!value || !*value)
		return;
	args_add(a, flag);
	args_add(a, value);
}

static void args_flag(struct args *a, bool on, const char *flag)
{
	if (on)
		args_add(a, flag);
}

static void args_clear(struct args *a)
{
	free(a->v);
	a->v = NULL;
	a->n = a->cap = 0;
}

/* ---- Checkpoint ------------------------------------------------------------ */

/* containerd.runc.v1.CheckpointOptions; dockerd 20.10 sends the older
 * containerd.linux.runc.CheckpointOptions, whose fields 1-9 are the same. */
static int unpack_options(const Google__Protobuf__Any *any,
			  Containerd__Runc__V1__CheckpointOptions **out, cleat_error_t *err)
{
	*out = NULL;
	if (!any || !any->type_url || !*any->type_url)
		return 0;
	const char *t = strrchr(any->type_url, '/');
	t = t ? t + 1 : any->type_url;
	if (strcmp(t, "containerd.runc.v1.CheckpointOptions") != 0 &&
	    strcmp(t, "containerd.linux.runc.CheckpointOptions") != 0)
		return shim_error(err, TTRPC_INVALID_ARGUMENT,
				  "checkpoint options: unsupported type %s", any->type_url);
	*out = containerd__runc__v1__checkpoint_options__unpack(NULL, any->value.len,
								any->value.data);
	if (!*out)
		return shim_error(err, TTRPC_INVALID_ARGUMENT,
				  "checkpoint options: cannot decode %s", any->type_url);
	return 0;
}

struct checkpoint_op {
	struct task_op *op;
	char *image, *work, *dump_log;
	bool own_work; /* the default work dir, removed afterwards */
};

static void checkpoint_op_free(struct checkpoint_op *ck)
{
	cleat_error_t err = NULL;
	if (ck->own_work && rm_rf(ck->work, &err) < 0)
		shim_warn_error(&err);
	task_op_free(ck->op);
	free(ck->image);
	free(ck->work);
	free(ck->dump_log);
	free(ck);
}

/* Keep CRIU's dump.log next to the bundle, where the error message points, as
 * the work dir may be removed.  Returns whether it was copied. */
static bool keep_dump_log(const struct checkpoint_op *ck)
{
	cleat_error_t err = NULL;
	_cleanup_free_ char *from = xasprintf("%s/dump.log", ck->work);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	if (read_file(from, &buf, &len, &err) < 0 ||
	    write_file(ck->dump_log, buf, len, 0600, &err) < 0) {
		cleat_debug("criu dump log: %s", err->msg);
		cleat_error_free(&err);
		return false;
	}
	return true;
}

static void checkpoint_done(struct shim *s, struct runtime_result *res, void *data)
{
	struct checkpoint_op *ck = data;
	struct task_op *op = ck->op;
	cleat_error_t err = NULL;
	if (res->status != 0) {
		runtime_result_error(res, "OCI runtime checkpoint failed", &err);
		if (keep_dump_log(ck)) {
			/* runc-v2's wording: "<error> path= <bundle>/criu-dump.log". */
			_cleanup_free_ char *msg = xstrdup(err->msg);
			cleat_error_free(&err);
			cleat_error_msg(&err, "%s path= %s", msg, ck->dump_log);
		}
		shim_reply_error(TAKE_PTR(op->call), &err);
	} else {
		event_task_checkpointed(op->c, ck->image);
		if (op->call)
			ttrpc_reply_message(TAKE_PTR(op->call), NULL);
	}
	checkpoint_op_free(ck);
}

/* `checkpoint` with go-runc's flag order: paths, then the options, then
 * --leave-running unless the task is to exit. */
static int run_checkpoint(struct checkpoint_op *ck,
			  const Containerd__Runc__V1__CheckpointOptions *o, cleat_error_t *err)
{
	struct container *c = ck->op->c;
	struct args a = { 0 };
	args_add(&a, "checkpoint");
	args_add2(&a, "--image-path", ck->image);
	args_add2(&a, "--work-path", ck->work);
	if (o) {
		args_add2(&a, "--parent-path", o->parent_path);
		args_flag(&a, o->open_tcp, "--tcp-established");
		args_flag(&a, o->external_unix_sockets, "--ext-unix-sk");
		args_flag(&a, o->terminal, "--shell-job");
		args_flag(&a, o->file_locks, "--file-locks");
		args_add2(&a, "--manage-cgroups-mode", o->cgroups_mode);
		for (size_t i = 0; i < o->n_empty_namespaces; i++)
			args_add2(&a, "--empty-ns", o->empty_namespaces[i]);
	}
	args_flag(&a, !o || !o->exit, "--leave-running");
	args_add(&a, c->id);
	/* task_runtime's spawn, with the checkpoint op (not the task op) as the data. */
	_cleanup_strv_ char **argv = container_runtime_argv(c, a.v);
	args_clear(&a);
	struct runtime_spawn_opts so = { .fd = { RUNTIME_FD_NULL, RUNTIME_FD_CAPTURE,
						 RUNTIME_FD_CAPTURE },
					 .log_path = c->log_path };
	return runtime_run(c->shim, argv, &so, checkpoint_done, ck, err);
}

void task_checkpoint(struct ttrpc_call *call, const uint8_t *payload, size_t len, void *data)
{
	struct shim *s = data;
	cleat_error_t err = NULL;
	TASK_UNPACK(r, Containerd__Task__V2__CheckpointTaskRequest,
		    containerd__task__v2__checkpoint_task_request);
	_cleanup_pb_ Containerd__Runc__V1__CheckpointOptions *o = NULL;
	struct process *p = task_process(s, call, r->id, NULL, PROC_OP_CHECKPOINT);
	if (!p)
		return;
	if (unpack_options(r->options, &o, &err) < 0) {
		shim_reply_error(call, &err);
		return;
	}
	/* containerd passes the image directory as the request's path; the
	 * options' image_path is its own business (it then skips the content
	 * store), used here only when the path is empty. */
	const char *image = *r->path ? r->path : o ? o->image_path : "";
	if (!*image) {
		shim_error(&err, TTRPC_INVALID_ARGUMENT, "checkpoint %s: no image path", r->id);
		shim_reply_error(call, &err);
		return;
	}
	struct container *c = p->c;
	struct checkpoint_op *ck = xmalloc0(sizeof *ck);
	ck->image = xstrdup(image);
	ck->own_work = !o || !*o->work_path;
	ck->work = ck->own_work ? xasprintf("%s/criu-work", c->bundle) : xstrdup(o->work_path);
	ck->dump_log = xasprintf("%s/criu-dump.log", c->bundle);
	unlink(ck->dump_log);
	ck->op = task_op_new(c, p, call);
	if (run_checkpoint(ck, o, &err) < 0) {
		shim_reply_error(TAKE_PTR(ck->op->call), &err);
		checkpoint_op_free(ck);
	}
}

/* ---- Restore --------------------------------------------------------------- */

static void restore_done(struct shim *s, struct runtime_result *res, void *data)
{
	struct task_op *op = data;
	struct container *c = op->c;
	struct process *p = op->p;
	cleat_error_t err = NULL;
	pid_t pid = 0;
	int status = 0;
	struct timespec at;
	_cleanup_free_ char *pidfile = xasprintf("%s/init.pid", c->bundle);
	if (res->status != 0) {
		runtime_result_error(res, "OCI runtime restore failed", &err);
		goto fail;
	}
	if (task_read_pid_file(pidfile, &pid, &err) < 0 || stdio_started(p->io, &err) < 0) {
		if (pid > 0)
			kill(pid, SIGKILL);
		goto fail;
	}
	p->pid = pid;
	/* An exit seen meanwhile is held (starting) until the start event is out. */
	if (shim_claim_exit(s, pid, &status, &at))
		process_exited(p, status, &at);
	shim_spawn_done(s);
	event_task_start(c, (uint32_t) pid);
	oom_watch_start(c, pid);
	if (op->call) {
		Containerd__Task__V2__StartResponse r = CONTAINERD__TASK__V2__START_RESPONSE__INIT;
		r.pid = (uint32_t) pid;
		ttrpc_reply_message(TAKE_PTR(op->call), &r.base);
	}
	process_start_done(p);
	task_op_free(op);
	return;
fail:
	shim_spawn_done(s);
	shim_reply_error(TAKE_PTR(op->call), &err);
	process_start_failed(p);
	task_op_free(op);
}

int task_restore(struct task_op *op, cleat_error_t *err)
{
	struct container *c = op->c;
	struct process *p = op->p;
	_cleanup_free_ char *pidfile = xasprintf("%s/init.pid", c->bundle);
	struct args a = { 0 };
	args_add(&a, "restore");
	args_add2(&a, "--image-path", p->checkpoint);
	args_add2(&a, "--work-path", c->criu_work_path);
	args_add2(&a, "--parent-path", p->parent_checkpoint);
	args_add(&a, "--detach");
	args_add2(&a, "--pid-file", pidfile);
	args_add2(&a, "--console-socket", stdio_console_socket(p->io));
	args_flag(&a, c->opts.no_pivot_root, "--no-pivot");
	/* The shim reaps the restored tree: it is a subreaper itself. */
	args_add(&a, "--no-subreaper");
	args_add2(&a, "--bundle", c->bundle);
	args_add(&a, c->id);
	int ret = task_runtime(op, a.v, NULL, 0, restore_done, err);
	args_clear(&a);
	if (ret == 0)
		c->shim->spawns_in_flight++;
	return ret;
}
