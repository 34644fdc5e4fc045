#include "config.h"
#include "shim/process.h"
#include "shim/container.h"
#include "shim/events.h"
#include "shim/runtime.h"
#include "shim/stdio.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"

#include <string.h>

/* How long a finished process's output may take to drain before the exit is
 * reported anyway (a daemonized grandchild can hold the pipe forever). */
#define DRAIN_TIMEOUT_MS 2000

/* allowed[from][to].  created → running → stopped → deleted, with the
 * paused detour (through pausing); a created process can be deleted (the
 * runtime kills it) or stop (it died before start). */
static const bool allowed[PROC_NSTATES][PROC_NSTATES] = {
	[PROC_CREATED] = { [PROC_RUNNING] = true, [PROC_STOPPED] = true, [PROC_DELETED] = true },
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
	static const char *const names[] = { "created", "running", "pausing",
					     "paused",	"stopped", "deleted" };
	return s < PROC_NSTATES ? names[s] : "unknown";
}

unsigned proc_state_status(enum proc_state s)
{
	switch (s) {
	case PROC_CREATED: return 1;
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
		return cleat_error_msg(err, "process %s: cannot go from %s to %s", p->id,
				       proc_state_name(p->state), proc_state_name(to));
	p->state = to;
	return 0;
}

struct process *process_new(struct container *c, const char *id, bool is_init)
{
	struct process *p = xmalloc0(sizeof *p);
	p->c = c;
	p->id = xstrdup(id);
	p->is_init = is_init;
	p->state = PROC_CREATED;
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
			ttrpc_call_on_cancel(w->call, NULL, NULL);
			ttrpc_reply_error(w->call, TTRPC_NOT_FOUND, "process %s deleted: not found",
					  p->id);
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
	if (p->exit_done) {
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
		if (e->pid > 0 && !e->exit_done)
			return true;
	return false;
}

static void exit_finish(void *data)
{
	struct process *p = data;
	cleat_error_t err = NULL;
	if (p->exit_done)
		return;
	/* Ordering (containerd #9828/#10651): the init's exit goes out after the
	 * exits of its execs, which die with it; bounded by the drain timeout. */
	if (p->is_init && !p->hold_expired && execs_pending(p->c)) {
		p->exit_held = true;
		if (!p->drain_timer)
			p->drain_timer = loop_add_timer(p->c->shim->loop, DRAIN_TIMEOUT_MS,
							on_drain_timeout, p, &err);
		cleat_error_free(&err);
		if (p->drain_timer)
			return;
	}
	p->exit_held = false;
	if (p->drain_timer) {
		loop_remove(p->c->shim->loop, p->drain_timer);
		p->drain_timer = NULL;
	}
	stdio_close_output(p->io);
	p->exit_done = true;
	/* The start (or exec-started) event was queued before we got here:
	 * process_exited() holds exits back while `starting` is set. */
	event_task_exit(p);
	/* Waiters only reply (Delete defers itself), so p outlives this loop. */
	while (p->waiters) {
		struct proc_waiter *w = p->waiters;
		p->waiters = w->next;
		ttrpc_call_on_cancel(w->call, NULL, NULL);
		w->fn(p, w->call);
		free(w);
	}
	struct process *init = p->is_init ? NULL : p->c->init;
	if (init && init->exit_held && !execs_pending(p->c))
		exit_finish(init);
}

static void on_drain_timeout(struct loop *l, struct loop_source *src, void *data)
{
	struct process *p = data;
	p->drain_timer = NULL;
	p->hold_expired = true;
	cleat_debug("process %s: output not drained after %d ms", p->id, DRAIN_TIMEOUT_MS);
	exit_finish(p);
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
		cleat_warn("kill --all %s: %s", c->id, err->msg);
		cleat_error_free(&err);
		free(id);
	}
}

void process_exited(struct process *p, int status, const struct timespec *at)
{
	if (p->exited)
		return; /* one exit per process */
	if (p->starting) {
		p->early_exit = true;
		p->early_status = status;
		p->early_at = *at;
		return;
	}
	p->exited = true;
	p->exit_status = status;
	p->exited_at = *at;
	cleat_error_t err = NULL;
	if (process_set_state(p, PROC_STOPPED, &err) < 0) {
		cleat_warn("%s", err->msg);
		cleat_error_free(&err);
		p->state = PROC_STOPPED;
	}
	cleat_debug("process %s (pid %d) exited with %d", p->id, p->pid, status);
	if (p->is_init && !p->c->private_pidns)
		kill_leftovers(p->c);
	if (!stdio_drained(p->io)) {
		p->drain_timer = loop_add_timer(p->c->shim->loop, DRAIN_TIMEOUT_MS,
						on_drain_timeout, p, &err);
		if (!p->drain_timer)
			cleat_error_free(&err);
	}
	stdio_on_drained(p->io, exit_finish, p);
}

void process_start_done(struct process *p)
{
	p->starting = false;
	if (p->early_exit) {
		p->early_exit = false;
		process_exited(p, p->early_status, &p->early_at);
	}
}
