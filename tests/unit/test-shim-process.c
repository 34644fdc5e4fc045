/* The process state machine and the exit bookkeeping of the shim, without
 * containerd: what each RPC gets in each state (the answers of
 * containerd-shim-runc-v2), the legal moves, the error replies, exits held
 * back while a start is in flight, one exit per process, exits of pids not
 * yet known (runtime exec still running), init's exit after its execs'. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "shim/container.h"
#include "shim/process.h"
#include "shim/shim.h"
#include "shim/runtime.h"
#include "shim/status.h"
#include "test-shim-tap.h"

static struct timespec at(long s)
{
	struct timespec t = { .tv_sec = s };
	return t;
}

static const char *const op_names[PROC_NOPS] = {
	[PROC_OP_START] = "Start",	     [PROC_OP_KILL] = "Kill",
	[PROC_OP_KILL_ALL] = "Kill --all",   [PROC_OP_PAUSE] = "Pause",
	[PROC_OP_RESUME] = "Resume",	     [PROC_OP_EXEC] = "Exec",
	[PROC_OP_RESIZE_PTY] = "ResizePty",  [PROC_OP_CLOSE_IO] = "CloseIO",
	[PROC_OP_UPDATE] = "Update",	     [PROC_OP_WAIT] = "Wait",
	[PROC_OP_STATE] = "State",	     [PROC_OP_DELETE] = "Delete",
	[PROC_OP_CHECKPOINT] = "Checkpoint",
};

/* The status each RPC gets, as containerd-shim-runc-v2 v1.6 answers it
 * (pkg/process init_state.go, exec_state.go, deleted_state.go; errors.New
 * is Unknown, sent without a suffix); NULL: the RPC goes ahead.  Written out in full, apart from
 * the shim's tables, so that a change to either shows here. */
#define U(m) "code=2 " m
#define NF(m) "code=5 " m ": not found"
#define FP(m) "code=9 " m ": failed precondition"
static const char *const init_expect[PROC_NSTATES][PROC_NOPS] = {
	[PROC_CREATED] = { [PROC_OP_PAUSE] = U("cannot pause task in created state"),
			   [PROC_OP_RESUME] = U("cannot resume task in created state"),
			   [PROC_OP_CHECKPOINT] = U("cannot checkpoint a task in created state") },
	[PROC_STARTING] = { [PROC_OP_START] = U("cannot start a starting process"),
			    [PROC_OP_PAUSE] = U("cannot pause task in created state"),
			    [PROC_OP_RESUME] = U("cannot resume task in created state"),
			    [PROC_OP_DELETE] = U("cannot delete a starting process"),
			    [PROC_OP_CHECKPOINT] = U("cannot checkpoint a task in created state") },
	[PROC_RUNNING] = { [PROC_OP_START] = U("cannot start a running process"),
			   [PROC_OP_RESUME] = U("cannot resume a running process"),
			   [PROC_OP_DELETE] = U("cannot delete a running process") },
	[PROC_PAUSING] = { [PROC_OP_START] = U("cannot start a paused process"),
			   [PROC_OP_PAUSE] = U("cannot pause a paused container"),
			   [PROC_OP_RESUME] = U("cannot resume a pausing container"),
			   [PROC_OP_EXEC] = U("cannot exec in a paused state"),
			   [PROC_OP_DELETE] = U("cannot delete a paused process") },
	[PROC_PAUSED] = { [PROC_OP_START] = U("cannot start a paused process"),
			  [PROC_OP_PAUSE] = U("cannot pause a paused container"),
			  [PROC_OP_EXEC] = U("cannot exec in a paused state"),
			  [PROC_OP_DELETE] = U("cannot delete a paused process") },
	[PROC_STOPPED] = { [PROC_OP_START] = U("cannot start a stopped process"),
			   [PROC_OP_KILL] = NF("process already finished"),
			   [PROC_OP_PAUSE] = U("cannot pause a stopped container"),
			   [PROC_OP_RESUME] = U("cannot resume a stopped container"),
			   [PROC_OP_EXEC] = U("cannot exec in a stopped state"),
			   [PROC_OP_UPDATE] = U("cannot update a stopped container"),
			   [PROC_OP_CHECKPOINT] = U("cannot checkpoint a stopped container") },
	[PROC_DELETED] = { [PROC_OP_START] = U("cannot start a deleted process"),
			   [PROC_OP_KILL] = NF("cannot kill a deleted process"),
			   [PROC_OP_KILL_ALL] = NF("cannot kill a deleted process"),
			   [PROC_OP_PAUSE] = U("cannot pause a deleted process"),
			   [PROC_OP_RESUME] = U("cannot resume a deleted process"),
			   [PROC_OP_EXEC] = U("cannot exec in a deleted state"),
			   [PROC_OP_RESIZE_PTY] = U("cannot resize a deleted process"),
			   [PROC_OP_UPDATE] = U("cannot update a deleted process"),
			   [PROC_OP_DELETE] = NF("cannot delete a deleted process"),
			   [PROC_OP_CHECKPOINT] = U("cannot checkpoint a deleted process") },
};
/* Exec processes: Pause, Resume, Exec and Update name the container. */
static const char *const exec_expect[PROC_NSTATES][PROC_NOPS] = {
	[PROC_CREATED] = { [PROC_OP_KILL] = FP("process not created"),
			   [PROC_OP_KILL_ALL] = FP("process not created") },
	[PROC_STARTING] = { [PROC_OP_START] = U("cannot start a starting process"),
			    [PROC_OP_KILL] = FP("process not created"),
			    [PROC_OP_KILL_ALL] = FP("process not created"),
			    [PROC_OP_DELETE] = U("cannot delete a starting process") },
	[PROC_RUNNING] = { [PROC_OP_START] = U("cannot start a running process"),
			   [PROC_OP_DELETE] = U("cannot delete a running process") },
	[PROC_STOPPED] = { [PROC_OP_START] = U("cannot start a stopped process"),
			   [PROC_OP_KILL] = NF("process already finished"),
			   [PROC_OP_KILL_ALL] = NF("process already finished"),
			   [PROC_OP_RESIZE_PTY] = U("cannot resize a stopped container") },
	[PROC_DELETED] = { [PROC_OP_START] = U("cannot start a deleted process"),
			   [PROC_OP_KILL] = NF("cannot kill a deleted process"),
			   [PROC_OP_KILL_ALL] = NF("cannot kill a deleted process"),
			   [PROC_OP_RESIZE_PTY] = U("cannot resize a deleted process"),
			   [PROC_OP_DELETE] = NF("cannot delete a deleted process") },
};
#undef U
#undef NF
#undef FP

/* "code=N message" of the reply op gets, NULL when it may run. */
static char *check(struct process *p, enum proc_state st, enum proc_op op)
{
	cleat_error_t err = NULL;
	p->state = st;
	if (process_check(p, op, &err) == 0)
		return NULL;
	enum ttrpc_code code;
	_cleanup_free_ char *msg = shim_status_message(err, &code);
	cleat_error_free(&err);
	return xasprintf("code=%d %s", (int) code, msg);
}

static void test_rules(struct container *c)
{
	struct process *init = process_new(c, "c1", true);
	struct process *ex = process_new(c, "ex", false);
	for (int st = 0; st < PROC_NSTATES; st++)
		for (int op = 0; op < PROC_NOPS; op++) {
			_cleanup_free_ char *got = check(init, st, op);
			const char *want = init_expect[st][op];
			OK(want ? got && strcmp(got, want) == 0 : !got, "init %s, %s: %s",
			   proc_state_name(st), op_names[op], got ? got : "ok");
			/* An exec is never paused itself: only its container is. */
			if (st == PROC_PAUSED || st == PROC_PAUSING || op == PROC_OP_PAUSE ||
			    op == PROC_OP_RESUME || op == PROC_OP_EXEC || op == PROC_OP_UPDATE)
				continue;
			free(got);
			got = check(ex, st, op);
			want = exec_expect[st][op];
			OK(want ? got && strcmp(got, want) == 0 : !got, "exec %s, %s: %s",
			   proc_state_name(st), op_names[op], got ? got : "ok");
		}
	process_free(ex);
	process_free(init);
}

/* Every move, legal or not, through the one writer. */
static void test_moves(struct container *c)
{
	static const char *const legal[] = {
		"created>starting", "created>stopped",	"created>deleted", "starting>created",
		"starting>running", "starting>stopped", "running>pausing", "running>stopped",
		"pausing>paused",   "pausing>running",	"pausing>stopped", "paused>running",
		"paused>stopped",   "stopped>deleted",
	};
	struct process *p = process_new(c, "m", true);
	int nlegal = 0;
	for (int from = 0; from < PROC_NSTATES; from++)
		for (int to = 0; to < PROC_NSTATES; to++) {
			cleat_error_t err = NULL;
			_cleanup_free_ char *name = xasprintf("%s>%s", proc_state_name(from),
							      proc_state_name(to));
			bool want = false;
			for (size_t i = 0; i < ARRAY_SIZE(legal); i++)
				want = want || strcmp(legal[i], name) == 0;
			p->state = from;
			int r = process_set_state(p, to, &err);
			if (want) {
				nlegal++;
				OK(r == 0 && p->state == (enum proc_state) to, "move %s", name);
			} else {
				OK(r < 0 && err && err->code == TTRPC_FAILED_PRECONDITION &&
					   p->state == (enum proc_state) from,
				   "move %s refused, FailedPrecondition", name);
			}
			cleat_error_free(&err);
		}
	OK(nlegal == (int) ARRAY_SIZE(legal), "%d legal moves", nlegal);
	process_free(p);
}

/* One function turns an error into the reply: code and the whole cause. */
static void test_status(void)
{
	cleat_error_t err = NULL;
	enum ttrpc_code code;
	char *m;
	cleat_error_errno(&err, ENOENT, "open \"/run/x/stdout\"");
	m = shim_status_message(err, &code);
	OK(code == TTRPC_UNKNOWN, "an error without a code is Unknown");
	STREQ(m, "open \"/run/x/stdout\": no such file or directory",
	      "the errno text is kept, as Go prints it: %s", m);
	free(m);
	shim_error_classify(&err, TTRPC_NOT_FOUND);
	shim_error_classify(&err, TTRPC_INTERNAL);
	m = shim_status_message(err, &code);
	OK(code == TTRPC_NOT_FOUND, "classify sets a code once");
	STREQ(m, "open \"/run/x/stdout\": no such file or directory: not found", "%s", m);
	free(m);
	cleat_error_free(&err);
	static const struct {
		enum ttrpc_code code;
		const char *text;
	} codes[] = {
		{ TTRPC_NOT_FOUND, "x: not found" },
		{ TTRPC_FAILED_PRECONDITION, "x: failed precondition" },
		{ TTRPC_ALREADY_EXISTS, "x: already exists" },
		{ TTRPC_INVALID_ARGUMENT, "x: invalid argument" },
		{ TTRPC_UNIMPLEMENTED, "x: not implemented" },
		{ TTRPC_UNKNOWN, "x" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++) {
		shim_error(&err, codes[i].code, "x");
		m = shim_status_message(err, &code);
		OK(code == codes[i].code && strcmp(m, codes[i].text) == 0, "code %d: %s",
		   (int) codes[i].code, m);
		free(m);
		cleat_error_free(&err);
	}
	/* The runtime's own message, as runc-v2's runtimeError. */
	struct runtime_result res = { .status = 1, .error = (char *) "exec: \"nope\": not found" };
	runtime_result_error(&res, "OCI runtime exec failed", &err);
	m = shim_status_message(err, &code);
	STREQ(m, "OCI runtime exec failed: exec: \"nope\": not found", "%s", m);
	OK(code == TTRPC_UNKNOWN, "the runtime's failure is Unknown");
	free(m);
	cleat_error_free(&err);
}

int main(void)
{
	struct shim s = { 0 };
	cleat_error_t err = NULL;
	s.ns = "test";
	OK(loop_new(&s.loop, &err) == 0, "loop");
	struct container *c = container_new(&s, "c1", "/nonexistent/bundle");
	OK(shim_find_container(&s, "c1") == c && !shim_find_container(&s, "c2"), "container by id");
	struct process *init = c->init = process_new(c, "c1", true);
	init->pid = 4242;
	OK(shim_find_pid(&s, 4242) == init, "init by pid");
	struct timespec t;
	test_rules(c);
	test_moves(c);
	test_status();

	/* Exit while the runtime's start runs: held until the start event is out. */
	OK(process_set_state(init, PROC_STARTING, &err) == 0, "created -> starting");
	shim_handle_exit(&s, 4242, 3, (t = at(100), &t));
	OK(!process_reaped(init) && init->exit == PROC_EXIT_EARLY && init->state == PROC_STARTING,
	   "exit during start is held back");
	process_start_done(init);
	OK(process_reaped(init) && process_exit_done(init) && init->exit_status == 3,
	   "released after the start: status 3");
	OK(init->state == PROC_STOPPED && init->exited_at.tv_sec == 100,
	   "stopped, with the exit time");
	shim_handle_exit(&s, 4242, 9, (t = at(101), &t));
	OK(init->exit_status == 3 && init->exited_at.tv_sec == 100, "a second exit is ignored");
	OK(process_set_state(init, PROC_RUNNING, &err) < 0 && err, "stopped -> running refused");
	cleat_error_free(&err);

	/* A pid nobody knows yet, while a runtime exec runs: stashed, then claimed. */
	s.spawns_in_flight = 1;
	shim_handle_exit(&s, 5151, 7, (t = at(200), &t));
	int st = 0;
	struct timespec when;
	OK(shim_claim_exit(&s, 5151, &st, &when) && st == 7 && when.tv_sec == 200,
	   "unclaimed exit claimed");
	OK(!shim_claim_exit(&s, 5151, &st, &when), "claimed once");
	shim_handle_exit(&s, 6161, 1, (t = at(201), &t));
	shim_spawn_done(&s);
	OK(s.spawns_in_flight == 0 && !shim_claim_exit(&s, 6161, &st, &when),
	   "dropped when no spawn is in flight");
	shim_handle_exit(&s, 7171, 1, (t = at(202), &t));
	OK(s.unclaimed == NULL, "orphans are not kept otherwise");

	/* Init's exit waits for its running execs' exits. */
	struct container *c2 = container_new(&s, "c2", "/nonexistent/bundle2");
	struct process *i2 = c2->init = process_new(c2, "c2", true);
	i2->pid = 8000;
	i2->state = PROC_RUNNING; /* set up directly: the moves are tested above */
	struct process *ex = process_new(c2, "ex", false);
	ex->pid = 8001;
	ex->state = PROC_RUNNING;
	ex->next = c2->execs;
	c2->execs = ex;
	OK(container_find_process(c2, "ex") == ex && container_find_process(c2, "") == i2,
	   "exec by id");
	shim_handle_exit(&s, 8000, 137, (t = at(300), &t));
	OK(process_reaped(i2) && i2->exit == PROC_EXIT_HELD, "init exit held while an exec runs");
	shim_handle_exit(&s, 8001, 137, (t = at(301), &t));
	OK(process_exit_done(ex) && process_exit_done(i2), "released by the exec's exit");

	/* A failed start: init goes back to created, an exec stops with 255. */
	struct process *i3 = process_new(c2, "c3", true);
	process_set_state(i3, PROC_STARTING, &err);
	process_start_failed(i3);
	OK(i3->state == PROC_CREATED && i3->exit == PROC_EXIT_NONE, "failed init start: created");
	struct process *e3 = process_new(c2, "e3", false);
	process_set_state(e3, PROC_STARTING, &err);
	process_start_failed(e3);
	OK(e3->state == PROC_STOPPED && process_exit_done(e3) && e3->exit_status == 255,
	   "failed exec start: stopped, 255");
	process_free(e3);
	process_free(i3);

	container_free(c2);
	container_free(c);
	OK(s.containers == NULL, "containers freed");
	loop_free(s.loop);
	return tap_done();
}
