/* linux.seccomp translation tables, shared by seccomp.c, `cleat features` and
 * the unit tests.  Loading lives behind security.h. */
#ifndef CLEAT_RUNTIME_LINUX_SECCOMP_H
#define CLEAT_RUNTIME_LINUX_SECCOMP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci-spec/config.h"

/* "SCMP_ACT_ERRNO" + errnoRet -> libseccomp action.  ERRNO and TRACE without
 * errnoRet return EPERM (runc); errnoRet on any other action is an error. */
int cleat_seccomp_action(const char *name, bool has_errno_ret, uint32_t errno_ret, uint32_t *action,
			 cleat_error_t *err);
/* "SCMP_CMP_MASKED_EQ" -> enum scmp_compare. */
int cleat_seccomp_op(const char *name, int *op, cleat_error_t *err);
/* "SCMP_ARCH_X86_64" -> libseccomp arch token. */
int cleat_seccomp_arch(const char *name, uint32_t *arch, cleat_error_t *err);
/* "SECCOMP_FILTER_FLAG_LOG" -> the seccomp(2) flag bit. */
int cleat_seccomp_flag(const char *name, unsigned long *flag, cleat_error_t *err);

/* NULL-terminated lists for `cleat features`. */
extern const char *const cleat_seccomp_action_names[];
extern const char *const cleat_seccomp_op_names[];
extern const char *const cleat_seccomp_arch_names[];
extern const char *const cleat_seccomp_flag_names[];

/* Compile the profile into classic BPF (what seccomp(2) loads).  *flags gets
 * the seccomp(2) flags the profile asks for (NEW_LISTENER when it has
 * SCMP_ACT_NOTIFY).  *prog is malloc'ed, *len in instructions. */
struct sock_filter;
int cleat_seccomp_compile(const struct oci_seccomp *s, struct sock_filter **prog, size_t *len,
			  unsigned long *flags, cleat_error_t *err);
/* The same filter in libseccomp's default layout (a list per arch instead of a binary
 * tree), for the unit tests that check both give the same verdicts. */
int cleat_seccomp_compile_linear(const struct oci_seccomp *s, struct sock_filter **prog,
				 size_t *len, unsigned long *flags, cleat_error_t *err);

/* Compile s now, on the host side, or take the program from the cache under the
 * runtime's state root `root` (seccomp_cache.h), for the next cleat_seccomp_load(s)
 * of this process or of a child it clones or forks.  A failure is left to that
 * load, which then compiles and reports it. */
void cleat_seccomp_prepare(const struct oci_seccomp *s, const char *root);

/* runc's -ENOSYS stub for syscalls newer than the profile (seccomp_enosys.c);
 * *len 0 when the profile does not get one.  *stub is malloc'ed. */
int cleat_seccomp_enosys_stub(const struct oci_seccomp *s, uint32_t default_action,
			      struct sock_filter **stub, size_t *len);

/* The ContainerProcessState JSON sent to listenerPath (owned by the caller):
 * `pid` is the process that loaded the filter (0: the state's pid, i.e. the init). */
char *cleat_seccomp_process_state(const struct oci_seccomp *s, const char *state_json, pid_t pid,
				  cleat_error_t *err);
/* cleat_seccomp_send_listener() for an exec'd process: ContainerProcessState.pid is
 * `pid`, the state (status running) keeps the init's pid, as runc sends it. */
int cleat_seccomp_send_listener_pid(const struct oci_seccomp *s, int notify_fd,
				    const char *state_json, pid_t pid, cleat_error_t *err);

#endif
