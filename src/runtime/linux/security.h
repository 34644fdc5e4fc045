/* Process confinement applied by the container process (and by exec) just before
 * execve.  Implemented in caps.c, seccomp.c, lsm.c, sched.c, selfexe.c.
 *
 * Order used by linux/container_process.c and exec:
 *   cleat_caps_validate()          at config load, rejects unknown names
 *   cleat_personality_apply(), cleat_mempolicy_apply(), cleat_sched_apply()
 *   cleat_caps_drop_bounding()     before the uid switch (PR_CAPBSET_DROP, keepcaps)
 *   cleat_lsm_set_exec_label()     apparmor profile / selinux label for the next execve
 *   ... setgroups/setresgid/setresuid ...
 *   cleat_caps_apply()             effective/permitted/inheritable, then ambient
 *   NNP (prctl) when requested
 *   cleat_seccomp_load()           last, so the filter does not see the setup syscalls */
#ifndef CLEAT_RUNTIME_LINUX_SECURITY_H
#define CLEAT_RUNTIME_LINUX_SECURITY_H

#include <stdbool.h>

#include "common/error.h"
#include "oci-spec/config.h"

int cleat_caps_validate(const struct oci_capabilities *caps, cleat_error_t *err);
int cleat_caps_drop_bounding(const struct oci_capabilities *caps, cleat_error_t *err);
int cleat_caps_apply(const struct oci_capabilities *caps, cleat_error_t *err);

/* Loads the filter.  When an action is SCMP_ACT_NOTIFY, *notify_fd gets the
 * listener fd (else -1); the caller hands it to cleat_seccomp_send_listener(). */
int cleat_seccomp_load(const struct oci_seccomp *s, bool no_new_privs, int *notify_fd,
		       cleat_error_t *err);
/* Send the listener fd + the container state to listenerPath (runc's protocol). */
int cleat_seccomp_send_listener(const struct oci_seccomp *s, int notify_fd, const char *state_json,
				cleat_error_t *err);

int cleat_lsm_set_exec_label(const char *apparmor_profile, const char *selinux_label,
			     cleat_error_t *err);
int cleat_personality_apply(const struct oci_personality *p, cleat_error_t *err);
/* linux.memoryPolicy (no-op when absent) */
int cleat_mempolicy_apply(const struct oci_memory_policy *mp, cleat_error_t *err);
/* scheduler, ioPriority, execCPUAffinity.final (the caller is in its cgroup;
 * cpuset: linux.resources.cpu.cpus or NULL, named when SCHED_DEADLINE is refused;
 * `initial` is set by the parent before the move, see sched.h) */
int cleat_sched_apply(const struct oci_process *p, const char *cpuset, cleat_error_t *err);

/* CVE-2019-5736: make sure /proc/self/exe is sealed (selfexe.c): re-executes `exec`
 * through the overlayfs seal over the directory `root`, or from a memfd copy.  Called
 * in main() of `cleat` once the global flags are parsed. */
int cleat_selfexe_ensure_cloned(int argc, char **argv, char **envp, const char *root,
				cleat_error_t *err);
/* The overlay seal's mount fd the re-executed `exec` was handed (O_CLOEXEC), or -1:
 * its last close waits for an RCU grace period, so the caller closes it with
 * cleat_selfexe_release_pin() where it would wait anyway, and keeps it out of its
 * children (they close it first thing). */
int cleat_selfexe_pinned_fd(void);
void cleat_selfexe_release_pin(void);
/* Execute cleat sealed (the overlay over root when it can, else a fresh memfd copy)
 * with argv and envp; returns only on failure. */
int cleat_selfexe_exec_copy(char *const argv[], char *const envp[], const char *root,
			    cleat_error_t *err);

#endif
