/* Setting up the process that the container process (or exec) turns into, inside
 * the container, in the order linux/container_process.c calls these. */
#ifndef CLEAT_RUNTIME_LINUX_PROCESS_H
#define CLEAT_RUNTIME_LINUX_PROCESS_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci-spec/config.h"

/* process.env plus LISTEN_FDS/LISTEN_PID when listen_fds > 0; HOME is added
 * later by cleat_process_set_user when missing, as runc does. */
char **cleat_process_env(const struct oci_process *p, unsigned listen_fds);
/* Join the container's session keyring "_ses.<id>" (labelled with selinux_label, when
 * set): the init creates it and makes it searchable (create), exec joins it. */
int cleat_process_join_session_keyring(const char *id, const char *selinux_label, bool create,
				       bool in_userns, cleat_error_t *err);
int cleat_process_set_hostname(const struct oci_config *c, cleat_error_t *err);
int cleat_process_set_rlimits(const struct oci_process *p, cleat_error_t *err);
int cleat_process_set_oom_score_adj(const struct oci_process *p, cleat_error_t *err);
/* chdir(cwd), creating it when missing; refuses a cwd outside the container
 * root (CVE-2024-21626: a leaked host fd as cwd). */
int cleat_process_set_cwd(const char *cwd, cleat_error_t *err);
/* setgroups(additionalGids), setresgid, setresuid, umask. */
int cleat_process_set_user(const struct oci_user *u, cleat_error_t *err);
/* fchown fds 0-2 to uid, keeping their group; skips /dev/null and fds uid owns already. */
int cleat_process_fix_stdio(uid_t uid, cleat_error_t *err);
/* Add HOME from /etc/passwd (or "/") when the env has none. */
void cleat_process_env_add_home(char ***env, uid_t uid);
/* Early in the helper: close every inherited fd above 2 except the ones to
 * pass through (3 .. 3+keep-1) and `also` (sync socket, fifo, namespace
 * fds), so the caller's other fds are not held while the init waits. */
void cleat_process_close_inherited(unsigned keep, const int *also, size_t n_also);
/* Clear FD_CLOEXEC on 3 .. 3+keep-1 and close every fd above (CVE-2024-21626). */
int cleat_process_prepare_fds(unsigned keep, cleat_error_t *err);
/* Resolve args[0] with PATH from env, as execvp would; error text as runc's. */
/* A failed execve of the user process, on stderr in runc's words ("exec /run.sh: no such
 * file or directory"): the sync socket is closed by then, so stderr is the only way out. */
void cleat_process_report_exec_failure(const char *exe, int errnum);
int cleat_process_find_exec(const struct oci_process *p, char *const *env, char **out,
			    cleat_error_t *err);
/* Apply the security settings around the uid switch (see security.h order); a
 * seccomp notify fd goes to the parent over sync_fd as soon as the filter is loaded. */
int cleat_process_confine(const struct oci_process *p, const struct oci_config *c, int sync_fd,
			  cleat_error_t *err);

#endif
