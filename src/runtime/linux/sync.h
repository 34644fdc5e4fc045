/* Typed messages between `cleat create` (the parent) and the processes it
 * starts (the setup helper and the container process), over one
 * SOCK_SEQPACKET socketpair so every message arrives whole.
 *
 * The child side never prints: every failure is sent as CLEAT_SYNC_ERROR
 * (errno + message) before it exits, and the parent turns it back into a
 * cleat_error_t, so no error of the child is lost.  Warnings and debug lines
 * travel the same way and are logged by the parent. */
#ifndef CLEAT_RUNTIME_LINUX_SYNC_H
#define CLEAT_RUNTIME_LINUX_SYNC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "common/scm_fd.h"
#include "runtime/cgroups/cgroups.h"

enum cleat_sync_type {
	CLEAT_SYNC_ERROR = 1, /* child -> parent: errnum + message; the child exits */
	CLEAT_SYNC_WARNING, /* child -> parent: logged as a warning */
	CLEAT_SYNC_DEBUG, /* child -> parent: logged with --debug */
	/* "helper": the setup helper; "process": the container process it clones. */
	CLEAT_SYNC_GO, /* parent -> helper: cgroup ready, go on */
	CLEAT_SYNC_USERNS_MAP, /* helper -> parent: write my uid/gid maps */
	CLEAT_SYNC_USERNS_DONE, /* parent -> helper */
	CLEAT_SYNC_PROCESS_PID, /* helper -> parent: the container process's pid (int32) */
	CLEAT_SYNC_CONSOLE, /* process -> parent: pty master (SCM_RIGHTS) */
	CLEAT_SYNC_HOOKS, /* process -> parent: run createRuntime/prestart hooks now */
	CLEAT_SYNC_HOOKS_DONE, /* parent -> process: the state JSON for in-container hooks */
	CLEAT_SYNC_READY, /* process -> parent: set up, waiting on exec.fifo (or START) */
	CLEAT_SYNC_EXEC_PID, /* exec helper -> parent: pid of the exec'd process (payload: int32) */
	CLEAT_SYNC_SECCOMP, /* process/exec -> parent: seccomp listener fd (SCM_RIGHTS) */
	CLEAT_SYNC_SECCOMP_DONE, /* parent -> process/exec: the fd went to listenerPath */
	CLEAT_SYNC_START, /* parent -> process, `run` only: exec the program now */
	CLEAT_SYNC_LAUNCH, /* parent -> helper: memfd with what `cleat init` needs (SCM_RIGHTS) */
	CLEAT_SYNC_MOUNT_SOURCE, /* process -> parent: idmap mounts[i] now (payload: uint32 i) */
	CLEAT_SYNC_MOUNT_SOURCE_FD, /* parent -> process: its detached tree (SCM_RIGHTS) */
};

struct cleat_sync_msg {
	uint32_t type;
	int32_t errnum;
	size_t len; /* payload length; data is NUL-terminated past len */
	int fd; /* received fd, or -1 */
	/* The fds after the first when one message carries several (GO: the cgroup's
	 * files); taken by setting them to -1, closed with the message otherwise. */
	int more[CLEAT_SCM_MAX_FDS - 1];
	size_t n_more;
	char data[];
};

int cleat_sync_send(int sock, enum cleat_sync_type type, int errnum, const void *data, size_t len,
		    int pass_fd, cleat_error_t *err);
/* A message with several fds (at most CLEAT_SCM_MAX_FDS), received as fd and more[]. */
int cleat_sync_send_fds(int sock, enum cleat_sync_type type, const void *data, size_t len,
			const int *fds, size_t n_fds, cleat_error_t *err);
/* Send a payload-less message. */
int cleat_sync_send_type(int sock, enum cleat_sync_type type, cleat_error_t *err);

/* Clone a sibling of the caller (CLONE_PARENT, so it is a child of `create`/`exec`), inside
 * the cgroup j (cleat_cgroup_clone_joined(); NULL: where the caller is), and
 * announce its pid to the parent as a `type` message.  The child shares `sock` with the
 * caller, so it is held until the announcement is sent: the parent never receives a
 * message from a process it cannot name yet.  Returns the pid in the caller, 0 in the
 * child, < 0 on error (err set, in the caller). */
pid_t cleat_sync_clone_announced(int sock, enum cleat_sync_type type, struct cleat_cgroup_join *j,
				 cleat_error_t *err);
/* The same, the child running fn(arg) and exiting with its result.  share_memory: it
 * shares the caller's memory (linux/clone_vm.h) where the kernel allows, so the caller
 * must exit right after, touching nothing that fn uses (arg and what it points to must
 * outlive the caller's return: the caller's callers' frames are never reused). */
pid_t cleat_sync_clone_announced_run(int sock, enum cleat_sync_type type,
				     struct cleat_cgroup_join *j, bool share_memory,
				     int (*fn)(void *), void *arg, cleat_error_t *err);
/* Forward an error to the parent (best effort: the child exits right after). */
void cleat_sync_send_error(int sock, const cleat_error_t e);
/* The same, then _exit(1): how a child gives up. */
_Noreturn void cleat_sync_fail(int sock, const cleat_error_t e);
/* The same from a child that may not allocate (a CLONE_VM child): stack and sendmsg only. */
void cleat_sync_send_error_raw(int sock, int errnum, const char *msg);

/* Receive one message.  End of file (every child end closed) gives
 * *out == NULL and returns 0. */
int cleat_sync_recv(int sock, struct cleat_sync_msg **out, cleat_error_t *err);

/* The messages every receiver handles alike: an ERROR becomes *err (-1); a
 * WARNING or DEBUG line is logged (1); any other type is left to the caller (0). */
int cleat_sync_log(const struct cleat_sync_msg *m, cleat_error_t *err);

/* The int32 payload of CLEAT_SYNC_PROCESS_PID / CLEAT_SYNC_EXEC_PID. */
int cleat_sync_msg_pid(const struct cleat_sync_msg *m, int32_t *pid, cleat_error_t *err);

/* Receive until a message of `type` arrives, logging warnings/debug on the
 * way; an ERROR message becomes *err; EOF is an error naming `what`. */
int cleat_sync_expect(int sock, enum cleat_sync_type type, const char *what,
		      struct cleat_sync_msg **out, cleat_error_t *err);

/* Child side of SCMP_ACT_NOTIFY: hand the listener fd (consumed) to the parent,
 * which connects to listenerPath from the host's mount namespace, and wait
 * until it did (runc's procSeccomp / procSeccompDone). */
int cleat_sync_send_seccomp_fd(int sock, int notify_fd, cleat_error_t *err);

struct oci_seccomp;
/* Parent side of it: hand the child's listener fd with the container state to
 * `s`'s listenerPath (ContainerProcessState.pid is `pid`, or the state's own
 * when 0), then tell the child to go on. */
int cleat_sync_serve_seccomp_fd(int sock, const struct oci_seccomp *s, int notify_fd,
				const char *state_json, pid_t pid, cleat_error_t *err);

void cleat_sync_msg_free(struct cleat_sync_msg *m);
static inline void cleat_sync_msg_freep(struct cleat_sync_msg **m)
{
	if (*m)
		cleat_sync_msg_free(*m);
}
#define _cleanup_sync_msg_ __attribute__((cleanup(cleat_sync_msg_freep)))

#endif
