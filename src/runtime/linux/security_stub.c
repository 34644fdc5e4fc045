/* Placeholder until the security owner lands caps.c, seccomp.c and friends. */
#include "config.h"
#include "runtime/linux/security.h"
int cleat_caps_validate(const struct oci_capabilities *caps, cleat_error_t *err) { return 0; }
int cleat_caps_drop_bounding(const struct oci_capabilities *caps, cleat_error_t *err) { return 0; }
int cleat_caps_apply(const struct oci_capabilities *caps, cleat_error_t *err) { return 0; }
int cleat_seccomp_load(const struct oci_seccomp *s, bool nnp, int *notify_fd, cleat_error_t *err)
{
	*notify_fd = -1;
	return 0;
}
int cleat_seccomp_send_listener(const struct oci_seccomp *s, int notify_fd, const char *state_json,
				cleat_error_t *err) { return 0; }
int cleat_lsm_set_exec_label(const char *a, const char *s, cleat_error_t *err) { return 0; }
int cleat_personality_apply(const struct oci_personality *p, cleat_error_t *err) { return 0; }
int cleat_sched_apply(const struct oci_process *p, cleat_error_t *err) { return 0; }
int cleat_selfexe_ensure_cloned(int argc, char **argv, char **envp, cleat_error_t *err) { return 0; }
