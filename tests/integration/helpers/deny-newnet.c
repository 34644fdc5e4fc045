/* deny-newnet COMMAND [ARG...]: run COMMAND under a seccomp filter (inherited by all it
 * starts) under which unshare(2) with CLONE_NEWNET fails with ENOSPC, as it does once
 * user.max_net_namespaces is reached (a limit root cannot lower without
 * CAP_SYS_RESOURCE).  Host-side helper of netns-handoff.bats.  Exit status 127 when the
 * filter or the exec fails. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: deny-newnet COMMAND [ARG...]\n");
		return 127;
	}
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
	if (f == NULL ||
	    seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSPC), SCMP_SYS(unshare), 1,
			     SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWNET, CLONE_NEWNET)) < 0 ||
	    seccomp_load(f) < 0) {
		fprintf(stderr, "deny-newnet: cannot load the filter\n");
		return 127;
	}
	execvp(argv[1], argv + 1);
	perror("deny-newnet: exec");
	return 127;
}
