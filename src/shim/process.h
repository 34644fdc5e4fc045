/* Init and exec processes of a container: a state machine with an explicit
 * transition table, the exit bookkeeping and the Wait/Delete waiters. */
#ifndef CLEAT_SHIM_PROCESS_H
#define CLEAT_SHIM_PROCESS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "common/error.h"

struct container;
struct stdio;
struct ttrpc_call;
struct loop_source;

enum proc_state {
	PROC_CREATED,
	PROC_RUNNING,
	PROC_PAUSING,
	PROC_PAUSED,
	PROC_STOPPED,
	PROC_DELETED,
	PROC_NSTATES,
};

bool proc_transition_ok(enum proc_state from, enum proc_state to);
const char *proc_state_name(enum proc_state s);
/* containerd.v1.types.Status value. */
unsigned proc_state_status(enum proc_state s);

struct process;
/* Runs once the process's exit is complete (output drained, event queued).
 * It must reply and return without freeing p. */
typedef void (*proc_waiter_fn)(struct process *p, struct ttrpc_call *call);

struct proc_waiter {
	struct proc_waiter *next;
	struct process *p;
	struct ttrpc_call *call;
	proc_waiter_fn fn;
};

struct process {
	struct process *next;
	struct container *c;
	char *id; /* the exec id, or the container id for init */
	bool is_init;
	pid_t pid;
	enum proc_state state;
	/* The runtime's start/exec is running: an exit now is held back until
	 * the start event has been queued (ordering rule of §4.3). */
	bool starting;
	bool early_exit;
	int early_status;
	struct timespec early_at;
	bool exited; /* reaped */
	bool exit_done; /* drained, exit event queued, waiters released */
	bool exit_held; /* init: exit waits for the execs' exits */
	bool hold_expired; /* the drain timeout passed: stop waiting for anything */
	int exit_status;
	struct timespec exited_at;
	char *stdin_path, *stdout_path, *stderr_path;
	bool terminal;
	struct stdio *io;
	char *spec; /* exec: OCI Process JSON */
	struct proc_waiter *waiters;
	struct loop_source *drain_timer;
};

struct process *process_new(struct container *c, const char *id, bool is_init);
/* Replies NotFound to waiters still queued, closes stdio. */
void process_free(struct process *p);
int process_set_state(struct process *p, enum proc_state to, cleat_error_t *err);
/* The reaper saw the process exit. */
void process_exited(struct process *p, int status, const struct timespec *at);
/* The runtime's start/exec finished: release an exit held back meanwhile. */
void process_start_done(struct process *p);
/* fn(p, call) once the exit is complete (at once if it already is). */
void process_wait(struct process *p, struct ttrpc_call *call, proc_waiter_fn fn);

#endif
