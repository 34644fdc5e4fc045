/* The exit bookkeeping of the shim, without containerd: exits held back
 * while a start is in flight, one exit per process, exits of pids not yet
 * known (runtime exec still running), init's exit after its execs'. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>

#include "common/util.h"
#include "shim/container.h"
#include "shim/process.h"
#include "shim/shim.h"
#include "test-shim-tap.h"

static struct timespec at(long s)
{
	struct timespec t = { .tv_sec = s };
	return t;
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

	/* Exit while the runtime's start runs: held until the start event is out. */
	init->starting = true;
	shim_handle_exit(&s, 4242, 3, (t = at(100), &t));
	OK(!init->exited && init->early_exit, "exit during start is held back");
	OK(process_set_state(init, PROC_RUNNING, &err) == 0, "created -> running");
	process_start_done(init);
	OK(init->exited && init->exit_done && init->exit_status == 3,
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
	i2->state = PROC_RUNNING;
	struct process *ex = process_new(c2, "ex", false);
	ex->pid = 8001;
	ex->state = PROC_RUNNING;
	ex->next = c2->execs;
	c2->execs = ex;
	OK(container_find_process(c2, "ex") == ex && container_find_process(c2, "") == i2,
	   "exec by id");
	shim_handle_exit(&s, 8000, 137, (t = at(300), &t));
	OK(i2->exited && !i2->exit_done && i2->exit_held, "init exit held while an exec runs");
	shim_handle_exit(&s, 8001, 137, (t = at(301), &t));
	OK(ex->exit_done && i2->exit_done && !i2->exit_held, "released by the exec's exit");

	container_free(c2);
	container_free(c);
	OK(s.containers == NULL, "containers freed");
	loop_free(s.loop);
	return tap_done();
}
