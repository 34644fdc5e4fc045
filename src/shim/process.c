#include "config.h"
#include "shim/process.h"
#include "shim/container.h"
#include "shim/events.h"
#include "shim/runtime.h"
#include "shim/status.h"
#include "shim/stdio.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"

#include <string.h>

/* How long a finished process's output may take to drain before the exit is
 * reported anyway (a daemonized grandchild can hold the pipe forever). */
#define DRAIN_TIMEOUT_MS 2000

/* allowed[from][to].  created → starting → running → stopped → deleted,
 * with the paused detour (through pausing); a failed start goes back to
 * created (init) or stops (exec, which never ran); a created process can be
 * deleted (the runtime kills it) or stop (it died before start). */
static const bool allowed[PROC_NSTATES][PROC_NSTATES] = {
	[PROC_CREATED] = { [PROC_STARTING] = true, [PROC_STOPPED] = true, [PROC_DELETED] = true },
	[PROC_STARTING] = { [PROC_CREATED] = true, [PROC_RUNNING] = true, [PROC_STOPPED] = true },
	[PROC_RUNNING] = { [PROC_PAUSING] = true, [PROC_STOPPED] = true },
	[PROC_PAUSING] = { [PROC_PAUSED] = true, [PROC_RUNNING] = true, [PROC_STOPPED] = true },
	[PROC_PAUSED] = { [PROC_RUNNING] = true, [PROC_STOPPED] = true },
	[PROC_STOPPED] = { [PROC_DELETED] = true },
	[PROC_DELETED] = { 0 },
};

bool proc_transition_ok(enum proc_state from, enum proc_state to)
{
	if (from >= PROC_NSTATES || to >= PROC_NSTATES)
		return false;
	return allowed[from][to];
}

const char *proc_state_name(enum proc_state s)
{
	static const char *const names[] = { "created", "starting", "running", "pausing",
					     "paused",	"stopped",  "deleted" };
	return s < PROC_NSTATES ? names[s] : "unknown";
}

unsigned proc_state_status(enum proc_state s)
{
	switch (s) {
	case PROC_CREATED:
	case PROC_STARTING: return 1;
	case PROC_RUNNING: return 2;
	case PROC_STOPPED:
	case PROC_DELETED: return 3;
	case PROC_PAUSED: return 4;
	case PROC_PAUSING: return 5;
	default: return 0;
	}
}

int process_set_state(struct process *p, enum proc_state to, cleat_error_t *err)
{
	if (!proc_transition_ok(p->state, to))
		return shim_error(err, TTRPC_FAILED_PRECONDITION,
				  "process %s: cannot go from %s to %s", p->id,
				  proc_state_name(p->state), proc_state_name(to));
	p->state = to;
	return 0;
}

/* A refusal: the gRPC code and message; a NULL message lets the op run. */
struct proc_rule {
	enum ttrpc_code code;
	const char *msg;
};

#define NO(m)                                     \
	{                                         \
		.code = TTRPC_UNKNOWN, .msg = (m) \
	}
#define GONE(m)                                     \
	{                                           \
		.code = TTRPC_NOT_FOUND, .msg = (m) \
	}
#define UNSET(m)                                              \
	{                                                     \
		.code = TTRPC_FAILED_PRECONDITION, .msg = (m) \
	}

/* What containerd-shim-runc-v2 answers in each state of its init process
 * (createdState, runningState, pausedState, stoppedState, deletedState).
 * Starting and pausing are moments it spends holding the process's lock, so
 * it answers once they are over; we answer at once, as the state they lead to
 * (pausing as paused) or, for a second Start or a Delete, "starting". */
static const struct proc_rule init_rules[PROC_NSTATES][PROC_NOPS] = {
	[PROC_CREATED] = {
		[PROC_OP_PAUSE] = NO("cannot pause task in created state"),
		[PROC_OP_RESUME] = NO("cannot resume task in created state"),
		[PROC_OP_CHECKPOINT] = NO("cannot checkpoint a task in created state"),
	},
	[PROC_STARTING] = {
		[PROC_OP_START] = NO("cannot start a starting process"),
		[PROC_OP_PAUSE] = NO("cannot pause task in created state"),
		[PROC_OP_RESUME] = NO("cannot resume task in created state"),
		[PROC_OP_DELETE] = NO("cannot delete a starting process"),
		[PROC_OP_CHECKPOINT] = NO("cannot checkpoint a task in created state"),
	},
	[PROC_RUNNING] = {
		[PROC_OP_START] = NO("cannot start a running process"),
		[PROC_OP_RESUME] = NO("cannot resume a running process"),
		[PROC_OP_DELETE] = NO("cannot delete a running process"),
	},
	[PROC_PAUSING] = {
		[PROC_OP_START] = NO("cannot start a paused process"),
		[PROC_OP_PAUSE] = NO("cannot pause a paused container"),
		[PROC_OP_RESUME] = NO("cannot resume a pausing container"),
		[PROC_OP_EXEC] = NO("cannot exec in a paused state"),
		[PROC_OP_DELETE] = NO("cannot delete a paused process"),
	},
	[PROC_PAUSED] = {
		[PROC_OP_START] = NO("cannot start a paused process"),
		[PROC_OP_PAUSE] = NO("cannot pause a paused container"),
		[PROC_OP_EXEC] = NO("cannot exec in a paused state"),
		[PROC_OP_DELETE] = NO("cannot delete a paused process"),
	},
	[PROC_STOPPED] = {
		[PROC_OP_START] = NO("cannot start a stopped process"),
		/* runc-v2 asks the runtime, which says the container is not running. */
		[PROC_OP_KILL] = GONE("process already finished"),
		[PROC_OP_PAUSE] = NO("cannot pause a stopped container"),
		[PROC_OP_RESUME] = NO("cannot resume a stopped container"),
		[PROC_OP_EXEC] = NO("cannot exec in a stopped state"),
		[PROC_OP_UPDATE] = NO("cannot update a stopped container"),
		[PROC_OP_CHECKPOINT] = NO("cannot checkpoint a stopped container"),
	},
	[PROC_DELETED] = {
		[PROC_OP_START] = NO("cannot start a deleted process"),
		[PROC_OP_KILL] = GONE("cannot kill a deleted process"),
		[PROC_OP_KILL_ALL] = GONE("cannot kill a deleted process"),
		[PROC_OP_PAUSE] = NO("cannot pause a deleted process"),
		[PROC_OP_RESUME] = NO("cannot resume a deleted process"),
		[PROC_OP_EXEC] = NO("cannot exec in a deleted state"),
		[PROC_OP_RESIZE_PTY] = NO("cannot resize a deleted process"),
		[PROC_OP_UPDATE] = NO("cannot update a deleted process"),
		[PROC_OP_DELETE] = GONE("cannot delete a deleted process"),
		[PROC_OP_CHECKPOINT] = NO("cannot checkpoint a deleted process"),
	},
};

/* Its exec processes (execCreatedState, execRunningState, execStoppedState,
 * deletedState).  Pause, Resume, Exec and Update name the container, never an
 * exec; an exec is never paused itself. */
static const struct proc_rule exec_rules[PROC_NSTATES][PROC_NOPS] = {
	[PROC_CREATED] = {
		[PROC_OP_KILL] = UNSET("process not created"),
		[PROC_OP_KILL_ALL] = UNSET("process not created"),
	},
	[PROC_STARTING] = {
		[PROC_OP_START] = NO("cannot start a starting process"),
		[PROC_OP_KILL] = UNSET("process not created"),
		[PROC_OP_KILL_ALL] = UNSET("process not created"),
		[PROC_OP_DELETE] = NO("cannot delete a starting process"),
	},
	[PROC_RUNNING] = {
		[PROC_OP_START] = NO("cannot start a running process"),
		[PROC_OP_DELETE] = NO("cannot delete a running process"),
	},
	[PROC_STOPPED] = {
		[PROC_OP_START] = NO("cannot start a stopped process"),
		[PROC_OP_KILL] = GONE("process already finished"),
		[PROC_OP_KILL_ALL] = GONE("process already finished"),
		[PROC_OP_RESIZE_PTY] = NO("cannot resize a stopped container"),
	},
	[PROC_DELETED] = {
		[PROC_OP_START] = NO("cannot start a deleted process"),
		[PROC_OP_KILL] = GONE("cannot kill a deleted process"),
		[PROC_OP_KILL_ALL] = GONE("cannot kill a deleted process"),
		[PROC_OP_RESIZE_PTY] = NO("cannot resize a deleted process"),
		[PROC_OP_DELETE] = GONE("cannot delete a deleted process"),
	},
};

#undef NO
#undef GONE
#undef UNSET

int process_check(const struct process *p, enum proc_op op, cleat_error_t *err)
{
	if (p->state >= PROC_NSTATES || op >= PROC_NOPS)
		return shim_error(err, TTRPC_INTERNAL, "process %s: bad state or operation", p->id);
	const struct proc_rule *r = p->is_init ? &init_rules[p->state][op]
					       : &exec_rules[p->state][op];
	if (!r->msg)
		return 0;
	return shim_error(err, r->code, "%s", r->msg);
}

enum proc_state process_reported_state(const struct process *p)
{
	const struct process *init = p->c ? p->c->init : NULL;
	if (!p->is_init && init && p->state == PROC_RUNNING &&
	    (init->state == PROC_PAUSED || init->state == PROC_PAUSING))
		return init->state;
	return p->state;
}

/* A move the exit and start paths make: the table allows it from every state
 * they run in, so a refusal is a bug to report, not an answer to give. */
static void move_state(struct process *p, enum proc_state to)
{
	cleat_error_t err = NULL;
	if (process_set_state(p, to, &err) < 0) {
		cleat_warn("%s", err->msg);
		cleat_error_free(&err);
	}
}

struct process *process_new(struct container *c, const char *id, bool is_init)
{
	struct process *p = xmalloc0(sizeof *p);
	p->c = c;
	p->id = xstrdup(id);
	p->is_init = is_init;
	p->state = PROC_CREATED;
	p->exit = PROC_EXIT_NONE;
	return p;
}

void process_free(struct process *p)
{
	if (!p)
		return;
	while (p->waiters) {
		struct proc_waiter *w = p->waiters;
		p->waiters = w->next;
		if (w->call) {
			cleat_error_t err = NULL;
			ttrpc_call_on_cancel(w->call, NULL, NULL);
			shim_error(&err, TTRPC_NOT_FOUND, "process %s deleted", p->id);
			shim_reply_error(w->call, &err);
		}
		free(w);
	}
	if (p->drain_timer)
		loop_remove(p->c->shim->loop, p->drain_timer);
	stdio_free(p->io);
	free(p->id);
	free(p->stdin_path);
	free(p->stdout_path);
	free(p->stderr_path);
	free(p->spec);
	free(p->checkpoint);
	free(p->parent_checkpoint);
	free(p);
}

static void on_waiter_cancel(struct ttrpc_call *call, void *data)
{
	struct proc_waiter *w = data;
	struct process *p = w->p;
	for (struct proc_waiter **pp = &p->waiters; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			free(w);
			return;
		}
}

void process_wait(struct process *p, struct ttrpc_call *call, proc_waiter_fn fn)
{
	if (process_exit_done(p)) {
		fn(p, call);
		return;
	}
	struct proc_waiter *w = xmalloc0(sizeof *w);
	w->p = p;
	w->call = call;
	w->fn = fn;
	/* Append: waiters are released in arrival order. */
	struct proc_waiter **pp = &p->waiters;
	while (*pp)
		pp = &(*pp)->next;
	*pp = w;
	ttrpc_call_on_cancel(call, on_waiter_cancel, w);
}

static void on_drain_timeout(struct loop *l, struct loop_source *src, void *data);

static bool execs_pending(struct container *c)
{
	for (struct process *e = c->execs; e; e = e->next)
		if (e->pid > 0 && !process_exit_done(e))
			return true;
	return false;
}

static void release_waiters(struct process *p)
{
	/* Waiters only reply (Delete defers itself), so p outlives this loop. */
	while (p->waiters) {
		struct proc_waiter *w = p->waiters;
		p->waiters = w->next;
		ttrpc_call_on_cancel(w->call, NULL, NULL);
		w->fn(p, w->call);
		free(w);
	}
}

/* expired: the drain timeout passed, stop waiting for anything. */
static void exit_finish(struct process *p, bool expired)
{
	cleat_error_t err = NULL;
	if (process_exit_done(p))
		return;
	/* Ordering (containerd #9828/#10651): the init's exit goes out after the
	 * exits of its execs, which die with it; bounded by the drain timeout. */
	if (p->is_init && !expired && execs_pending(p->c)) {
		p->exit = PROC_EXIT_HELD;
		if (!p->drain_timer)
			p->drain_timer = loop_add_timer(p->c->shim->loop, DRAIN_TIMEOUT_MS,
							on_drain_timeout, p, &err);
		cleat_error_free(&err);
		if (p->drain_timer)
			return;
	}
	if (p->drain_timer) {
		loop_remove(p->c->shim->loop, p->drain_timer);
		p->drain_timer = NULL;
	}
	stdio_close_output(p->io);
	p->exit = PROC_EXIT_DONE;
	/* The start (or exec-started) event was queued before we got here:
	 * process_exited() holds exits back while the process is starting. */
	event_task_exit(p);
	release_waiters(p);
	struct process *init = p->is_init ? NULL : p->c->init;
	if (init && init->exit == PROC_EXIT_HELD && !execs_pending(p->c))
		exit_finish(init, false);
}

static void on_drained(void *data) { exit_finish(data, false); }

static void on_drain_timeout(struct loop *l, struct loop_source *src, void *data)
{
	struct process *p = data;
	p->drain_timer = NULL;
	cleat_debug("process %s: output not drained after %d ms", p->id, DRAIN_TIMEOUT_MS);
	exit_finish(p, true);
}

static void kill_all_done(struct shim *s, struct runtime_result *res, void *data)
{
	char *id = data; /* not the container: it may be deleted meanwhile */
	if (res->status != 0)
		cleat_debug("kill --all for %s: exit status %d", id, res->status);
	free(id);
}

/* Without a private pid namespace the kernel does not kill the rest of the
 * container when init dies: do it as runc-v2 does. */
static void kill_leftovers(struct container *c)
{
	cleat_error_t err = NULL;
	const char *args[] = { "kill", "--all", c->id, "9", NULL };
	_cleanup_strv_ char **argv = container_runtime_argv(c, args);
	struct runtime_spawn_opts o = { .fd = { RUNTIME_FD_NULL, RUNTIME_FD_CAPTURE,
						RUNTIME_FD_CAPTURE },
					.log_path = c->log_path };
	char *id = xstrdup(c->id);
	if (runtime_run(c->shim, argv, &o, kill_all_done, id, &err) < 0) {
		cleat_error_wrap(&err, "kill --all %s", c->id);
		shim_warn_error(&err);
		free(id);
	}
}

void process_exited(struct process *p, int status, const struct timespec *at)
{
	if (p->exit >= PROC_EXIT_DRAINING)
		return; /* one exit per process */
	p->exit_status = status;
	p->exited_at = *at;
	if (p->state == PROC_STARTING) {
		p->exit = PROC_EXIT_EARLY;
		return;
	}
	p->exit = PROC_EXIT_DRAINING;
	move_state(p, PROC_STOPPED);
	cleat_debug("process %s (pid %d) exited with %d", p->id, p->pid, status);
	if (p->is_init && !p->c->private_pidns)
		kill_leftovers(p->c);
	cleat_error_t err = NULL;
	if (!stdio_drained(p->io)) {
		p->drain_timer = loop_add_timer(p->c->shim->loop, DRAIN_TIMEOUT_MS,
						on_drain_timeout, p, &err);
		if (!p->drain_timer)
			cleat_error_free(&err);
	}
	stdio_on_drained(p->io, on_drained, p);
}

/* An exit held back during the start, now that the start is over. */
static void release_early_exit(struct process *p)
{
	if (p->exit != PROC_EXIT_EARLY)
		return;
	p->exit = PROC_EXIT_NONE;
	struct timespec at = p->exited_at;
	process_exited(p, p->exit_status, &at);
}

void process_start_done(struct process *p)
{
	move_state(p, PROC_RUNNING);
	release_early_exit(p);
}

void process_start_failed(struct process *p)
{
	if (p->is_init) {
		move_state(p, PROC_CREATED);
		release_early_exit(p);
		return;
	}
	/* Its fifos are closed at once: the client waits for their EOF before
	 * it even reports the error. */
	stdio_free(TAKE_PTR(p->io));
	clock_gettime(CLOCK_REALTIME, &p->exited_at);
	p->exit_status = 255;
	p->exit = PROC_EXIT_DONE;
	move_state(p, PROC_STOPPED);
	release_waiters(p);
}
