/* Init and exec processes of a container: a state machine with an explicit
 * transition table, the exit bookkeeping and the Wait/Delete waiters. */
#ifndef CLEAT_SHIM_PROCESS_H
#define CLEAT_SHIM_PROCESS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "common/error.h"
#include "shim/ttrpc/ttrpc.h"

struct container;
struct stdio;
struct ttrpc_call;
struct loop_source;

/* The one state of a process; only process_set_state() writes it. */
enum proc_state {
	PROC_CREATED,
	PROC_STARTING, /* the runtime's start/exec runs; reported as created */
	PROC_RUNNING,
	PROC_PAUSING,
	PROC_PAUSED,
	PROC_STOPPED,
	PROC_DELETED,
	PROC_NSTATES,
};

/* How far the exit has got: a fact beside the state, written only by the exit
 * path in process.c. */
enum proc_exit {
	PROC_EXIT_NONE,
	PROC_EXIT_EARLY, /* reaped while the start ran: held until the start event is out */
	PROC_EXIT_DRAINING, /* reaped, output draining */
	PROC_EXIT_HELD, /* init: drained, its exit waits for its execs' exits */
	PROC_EXIT_DONE, /* exit event queued, waiters released */
};

/* The Task RPCs that depend on a process's state. */
enum proc_op {
	PROC_OP_START,
	PROC_OP_KILL,
	PROC_OP_KILL_ALL,
	PROC_OP_PAUSE,
	PROC_OP_RESUME,
	PROC_OP_EXEC,
	PROC_OP_RESIZE_PTY,
	PROC_OP_CLOSE_IO,
	PROC_OP_UPDATE,
	PROC_OP_WAIT,
	PROC_OP_STATE,
	PROC_OP_DELETE,
	PROC_OP_CHECKPOINT,
	PROC_NOPS,
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
	/* An exit seen while the state is PROC_STARTING is held back until the
	 * start event has been queued (containerd expects /tasks/start before /tasks/exit). */
	enum proc_exit exit;
	int exit_status;
	struct timespec exited_at;
	char *stdin_path, *stdout_path, *stderr_path;
	bool terminal;
	struct stdio *io;
	char *spec; /* exec: OCI Process JSON */
	/* init created from a checkpoint: Start runs the runtime's restore from these. */
	char *checkpoint, *parent_checkpoint;
	struct proc_waiter *waiters;
	struct loop_source *drain_timer;
};

struct process *process_new(struct container *c, const char *id, bool is_init);
/* Replies NotFound to waiters still queued, closes stdio. */
void process_free(struct process *p);
/* The only writer of p->state; an illegal move fails with FailedPrecondition. */
int process_set_state(struct process *p, enum proc_state to, cleat_error_t *err);
/* May op run on p now?  Else err says why, with the gRPC code and message
 * containerd-shim-runc-v2 answers in that state. */
int process_check(const struct process *p, enum proc_op op, cleat_error_t *err);
/* The state the State RPC reports: an exec is paused whenever its container is. */
enum proc_state process_reported_state(const struct process *p);
/* The process was reaped (its exit status and time are known). */
static inline bool process_reaped(const struct process *p) { return p->exit >= PROC_EXIT_DRAINING; }
static inline bool process_exit_done(const struct process *p) { return p->exit == PROC_EXIT_DONE; }
/* The reaper saw the process exit. */
void process_exited(struct process *p, int status, const struct timespec *at);
/* The runtime's start/exec succeeded (starting -> running): release an exit
 * held back meanwhile. */
void process_start_done(struct process *p);
/* It failed: init goes back to created; an exec never ran, so it stops with
 * status 255 and its waiters are released without an exit event. */
void process_start_failed(struct process *p);
/* fn(p, call) once the exit is complete (at once if it already is). */
void process_wait(struct process *p, struct ttrpc_call *call, proc_waiter_fn fn);

#endif
