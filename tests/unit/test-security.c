/* Unit tests: capability names and sets, seccomp tables and filters (loaded
 * in a child and probed with real syscalls), listener handoff, personality,
 * scheduling tables, self-exe decisions, LSM checks. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "runtime/linux/caps.h"
#include "runtime/linux/lsm.h"
#include "runtime/linux/personality.h"
#include "runtime/linux/sched.h"
#include "runtime/linux/seccomp.h"
#include "runtime/linux/security.h"
#include "runtime/linux/selfexe.h"
#include "security-tap.h"

/* Run fn in a child; it writes a report to the pipe.  Returns the report. */
static char *in_child(void (*fn)(int out), int *status)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		abort();
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		fn(p[1]);
		_exit(0);
	}
	close(p[1]);
	char *buf = NULL;
	size_t len;
	cleat_error_t err = NULL;
	if (read_all_fd(p[0], "child", &buf, &len, &err) < 0)
		cleat_error_free(&err);
	close(p[0]);
	waitpid(pid, status, 0);
	return buf ? buf : xstrdup("");
}

static void status_lines(int out)
{
	char *s = NULL;
	size_t len;
	cleat_error_t err = NULL;
	if (read_file("/proc/self/status", &s, &len, &err) < 0)
		return;
	for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n"))
		if (str_has_prefix(line, "Cap") || str_has_prefix(line, "Seccomp") ||
		    str_has_prefix(line, "NoNewPrivs"))
			dprintf(out, "%s\n", line);
	free(s);
}

static void test_cap_names(void)
{
	ok(cleat_cap_from_name("CAP_CHOWN") == 0, "CAP_CHOWN is 0");
	ok(cleat_cap_from_name("CAP_SYS_ADMIN") == 21, "CAP_SYS_ADMIN is 21");
	ok(cleat_cap_from_name("CAP_CHECKPOINT_RESTORE") == 40, "CAP_CHECKPOINT_RESTORE is 40");
	ok(cleat_cap_from_name("cap_chown") == -1, "names are case-sensitive");
	ok(cleat_cap_from_name("CAP_FOO") == -1, "CAP_FOO is unknown");
	ok(cleat_cap_from_name("CHOWN") == -1, "the CAP_ prefix is required");
	ok(strcmp(cleat_cap_name(13), "CAP_NET_RAW") == 0, "13 is CAP_NET_RAW");

	cleat_error_t err = NULL;
	char *names[] = { "CAP_CHOWN", "CAP_KILL" };
	uint64_t mask = 0;
	ok(cleat_caps_mask(names, 2, "x", &mask, NULL, &err) == 0 && mask == 0x21,
	   "mask of CHOWN+KILL is 0x21");

	/* On a 5.4 kernel (last cap 37, CAP_AUDIT_READ), PERFMON and BPF are skipped, not errors. */
	char *newer[] = { "CAP_KILL", "CAP_PERFMON", "CAP_BPF" };
	char *unavail = NULL;
	ok(cleat_caps_mask_last(newer, 3, "x", 37, &mask, &unavail, &err) == 0 && mask == 0x20 &&
		   unavail && strcmp(unavail, "CAP_PERFMON CAP_BPF") == 0,
	   "capabilities newer than the kernel are skipped and listed for the warning");
	free(unavail);

	char *bad[] = { "CAP_CHOWN", "CAP_NOPE" };
	struct oci_capabilities caps = { .has_effective = true,
					 .effective = bad,
					 .n_effective = 2 };
	ok(cleat_caps_validate(&caps, &err) < 0 &&
		   err_has(&err, "process.capabilities.effective: unknown capability \"CAP_NOPE\""),
	   "unknown capability rejected naming field and name");
	ok(cleat_caps_validate(NULL, &err) == 0, "absent capabilities validate");
}

static void apply_caps_child(int out)
{
	char *bnd[] = { "CAP_CHOWN", "CAP_KILL", "CAP_SETUID", "CAP_SETGID" };
	char *eff[] = { "CAP_CHOWN" };
	char *prm[] = { "CAP_CHOWN", "CAP_KILL" };
	char *inh[] = { "CAP_KILL" };
	char *amb[] = { "CAP_KILL" };
	struct oci_capabilities c = {
		.has_bounding = true,
		.bounding = bnd,
		.n_bounding = 4,
		.has_effective = true,
		.effective = eff,
		.n_effective = 1,
		.has_permitted = true,
		.permitted = prm,
		.n_permitted = 2,
		.has_inheritable = true,
		.inheritable = inh,
		.n_inheritable = 1,
		.has_ambient = true,
		.ambient = amb,
		.n_ambient = 1,
	};
	cleat_error_t err = NULL;
	if (cleat_caps_drop_bounding(&c, &err) < 0 || setresgid(1000, 1000, 1000) < 0 ||
	    setresuid(1000, 1000, 1000) < 0 || cleat_caps_apply(&c, &err) < 0) {
		char *s = cleat_error_string(err);
		dprintf(out, "error: %s %s\n", s, strerror(errno));
		free(s);
		return;
	}
	status_lines(out);
}

static void test_caps_apply(void)
{
	if (geteuid() != 0) {
		ok(1, "# SKIP capability sets need root");
		return;
	}
	int status;
	char *r = in_child(apply_caps_child, &status);
	ok(strstr(r, "CapInh:\t0000000000000020") != NULL, "CapInh is KILL");
	ok(strstr(r, "CapPrm:\t0000000000000021") != NULL, "CapPrm is CHOWN+KILL");
	ok(strstr(r, "CapEff:\t0000000000000001") != NULL, "CapEff is CHOWN");
	ok(strstr(r, "CapBnd:\t00000000000000e1") != NULL, "CapBnd is CHOWN+KILL+SETGID+SETUID");
	ok(strstr(r, "CapAmb:\t0000000000000020") != NULL, "CapAmb is KILL");
	if (tap_failed)
		printf("# child said:\n# %s\n", r);
	free(r);
}

static void test_seccomp_tables(void)
{
	cleat_error_t err = NULL;
	uint32_t a = 0;
	ok(cleat_seccomp_action("SCMP_ACT_ERRNO", false, 0, &a, &err) == 0 &&
		   a == SCMP_ACT_ERRNO(EPERM),
	   "ERRNO without errnoRet is EPERM");
	ok(cleat_seccomp_action("SCMP_ACT_ERRNO", true, 38, &a, &err) == 0 &&
		   a == SCMP_ACT_ERRNO(38),
	   "ERRNO with errnoRet 38");
	ok(cleat_seccomp_action("SCMP_ACT_TRACE", false, 0, &a, &err) == 0 &&
		   a == SCMP_ACT_TRACE(EPERM),
	   "TRACE without errnoRet is EPERM");
	ok(cleat_seccomp_action("SCMP_ACT_KILL", false, 0, &a, &err) == 0 &&
		   a == SCMP_ACT_KILL_THREAD,
	   "KILL is KILL_THREAD");
	ok(cleat_seccomp_action("SCMP_ACT_KILL_PROCESS", false, 0, &a, &err) == 0 &&
		   a == SCMP_ACT_KILL_PROCESS,
	   "KILL_PROCESS");
	ok(cleat_seccomp_action("SCMP_ACT_NOTIFY", false, 0, &a, &err) == 0 && a == SCMP_ACT_NOTIFY,
	   "NOTIFY");
	ok(cleat_seccomp_action("SCMP_ACT_LOG", false, 0, &a, &err) == 0 && a == SCMP_ACT_LOG,
	   "LOG");
	ok(cleat_seccomp_action("SCMP_ACT_TRAP", false, 0, &a, &err) == 0 && a == SCMP_ACT_TRAP,
	   "TRAP");
	ok(cleat_seccomp_action("SCMP_ACT_ALLOW", true, 1, &a, &err) < 0 &&
		   err_has(&err, "errnoRet is only valid"),
	   "errnoRet on ALLOW rejected");
	ok(cleat_seccomp_action("SCMP_ACT_FOO", false, 0, &a, &err) < 0 &&
		   err_has(&err, "unknown seccomp action \"SCMP_ACT_FOO\""),
	   "unknown action rejected");

	static const struct {
		const char *n;
		int op;
	} ops[] = { { "SCMP_CMP_NE", SCMP_CMP_NE },
		    { "SCMP_CMP_LT", SCMP_CMP_LT },
		    { "SCMP_CMP_LE", SCMP_CMP_LE },
		    { "SCMP_CMP_EQ", SCMP_CMP_EQ },
		    { "SCMP_CMP_GE", SCMP_CMP_GE },
		    { "SCMP_CMP_GT", SCMP_CMP_GT },
		    { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ } };
	int all = 1;
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		int op = -1;
		all &= cleat_seccomp_op(ops[i].n, &op, &err) == 0 && op == ops[i].op;
	}
	ok(all, "all seven operators map");
	int op;
	ok(cleat_seccomp_op("SCMP_CMP_XX", &op, &err) < 0 && err_has(&err, "SCMP_CMP_XX"),
	   "unknown operator rejected");
	uint32_t arch;
	ok(cleat_seccomp_arch("SCMP_ARCH_X86_64", &arch, &err) == 0 && arch == SCMP_ARCH_X86_64,
	   "SCMP_ARCH_X86_64");
	ok(cleat_seccomp_arch("SCMP_ARCH_AARCH64", &arch, &err) == 0 && arch == SCMP_ARCH_AARCH64,
	   "SCMP_ARCH_AARCH64");
	ok(cleat_seccomp_arch("SCMP_ARCH_X32", &arch, &err) == 0 && arch == SCMP_ARCH_X32,
	   "SCMP_ARCH_X32");
	ok(cleat_seccomp_arch("SCMP_ARCH_VAX", &arch, &err) < 0 && err_has(&err, "SCMP_ARCH_VAX"),
	   "unknown arch rejected");
	int archs_ok = 1;
	for (size_t i = 0; cleat_seccomp_arch_names[i]; i++)
		archs_ok &= cleat_seccomp_arch(cleat_seccomp_arch_names[i], &arch, &err) == 0;
	ok(archs_ok, "every advertised architecture resolves");
	unsigned long f;
	ok(cleat_seccomp_flag("SECCOMP_FILTER_FLAG_LOG", &f, &err) == 0 && f == 2, "flag LOG");
	ok(cleat_seccomp_flag("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", &f, &err) == 0 && f == 32,
	   "flag WAIT_KILLABLE_RECV");
	ok(cleat_seccomp_flag("SECCOMP_FILTER_FLAG_X", &f, &err) < 0 && err_has(&err, "FLAG_X"),
	   "unknown flag rejected");
}

static void test_seccomp_compile(void)
{
	cleat_error_t err = NULL;
	char *names[] = { "mkdir", "no_such_syscall_xyz" };
	struct oci_seccomp_syscall sc = { .names = names,
					  .n_names = 2,
					  .action = "SCMP_ACT_ERRNO" };
	struct oci_seccomp s = { .default_action = "SCMP_ACT_ALLOW",
				 .syscalls = &sc,
				 .n_syscalls = 1 };
	struct sock_filter *prog = NULL;
	size_t len = 0;
	unsigned long flags = 0;
	ok(cleat_seccomp_compile(&s, &prog, &len, &flags, &err) == 0 && len > 0 && flags == 0,
	   "unknown syscall name skipped, filter compiles");
	free(prog);
	prog = NULL;

	sc.action = "SCMP_ACT_NOTIFY";
	ok(cleat_seccomp_compile(&s, &prog, &len, &flags, &err) < 0 &&
		   err_has(&err, "requires listenerPath"),
	   "NOTIFY without listenerPath rejected");
	s.listener_path = "/tmp/x.sock";
	ok(cleat_seccomp_compile(&s, &prog, &len, &flags, &err) == 0 && (flags & 8),
	   "NOTIFY sets SECCOMP_FILTER_FLAG_NEW_LISTENER");
	free(prog);
	prog = NULL;

	struct oci_seccomp_arg arg = { .index = 6, .op = "SCMP_CMP_EQ" };
	sc.action = "SCMP_ACT_ERRNO";
	sc.args = &arg;
	sc.n_args = 1;
	ok(cleat_seccomp_compile(&s, &prog, &len, &flags, &err) < 0 && err_has(&err, "index 6"),
	   "arg index 6 rejected");
	char *fl[] = { "SECCOMP_FILTER_FLAG_BOGUS" };
	struct oci_seccomp s2 = { .default_action = "SCMP_ACT_ALLOW", .flags = fl, .n_flags = 1 };
	ok(cleat_seccomp_compile(&s2, &prog, &len, &flags, &err) < 0 &&
		   err_has(&err, "linux.seccomp.flags[0]"),
	   "unknown flag names its field");
	struct oci_seccomp s3 = { .default_action = "SCMP_ACT_BOGUS" };
	ok(cleat_seccomp_compile(&s3, &prog, &len, &flags, &err) < 0 &&
		   err_has(&err, "linux.seccomp.defaultAction"),
	   "bad default action names its field");
}

#define ARG(i, o, v, v2)                                                                        \
	{                                                                                       \
		.index = (i), .op = (o), .value = (v), .value_two = (v2), .has_value_two = true \
	}

static void seccomp_child(int out)
{
	char *n_mkdir[] = { "mkdir", "mkdirat" }, *n_kill[] = { "kill" }, *n_umask[] = { "umask" },
	     *n_getprio[] = { "getpriority" }, *n_getpgid[] = { "getpgid" },
	     *n_getsid[] = { "getsid" }, *n_sgs[] = { "sched_getscheduler" },
	     *n_gpm[] = { "sched_get_priority_max" }, *n_bogus[] = { "not_a_syscall" };
	struct oci_seccomp_arg a_eq[] = { ARG(0, "SCMP_CMP_EQ", 12345, 0) };
	struct oci_seccomp_arg a_same[] = { ARG(0, "SCMP_CMP_EQ", 111, 0),
					    ARG(0, "SCMP_CMP_EQ", 222, 0) };
	struct oci_seccomp_arg a_masked[] = { ARG(0, "SCMP_CMP_MASKED_EQ", 07, 02) };
	struct oci_seccomp_arg a_gt[] = { ARG(1, "SCMP_CMP_GT", 1000000, 0) };
	struct oci_seccomp_arg a_ge[] = { ARG(0, "SCMP_CMP_GE", 3000000, 0) };
	struct oci_seccomp_arg a_le[] = { ARG(0, "SCMP_CMP_LE", 5, 0) };
	struct oci_seccomp_arg a_lt[] = { ARG(0, "SCMP_CMP_LT", 1, 0) };
	struct oci_seccomp_arg a_ne[] = { ARG(0, "SCMP_CMP_NE", 1, 0) };
	struct oci_seccomp_syscall sc[] = {
		{ .names = n_mkdir,
		  .n_names = 2,
		  .action = "SCMP_ACT_ERRNO",
		  .has_errno_ret = true,
		  .errno_ret = 95 },
		{ .names = n_kill,
		  .n_names = 1,
		  .action = "SCMP_ACT_ERRNO",
		  .has_errno_ret = true,
		  .errno_ret = 77,
		  .args = a_eq,
		  .n_args = 1 },
		{ .names = n_kill,
		  .n_names = 1,
		  .action = "SCMP_ACT_ERRNO",
		  .has_errno_ret = true,
		  .errno_ret = 78,
		  .args = a_same,
		  .n_args = 2 },
		{ .names = n_umask,
		  .n_names = 1,
		  .action = "SCMP_ACT_ERRNO",
		  .has_errno_ret = true,
		  .errno_ret = 79,
		  .args = a_masked,
		  .n_args = 1 },
		{ .names = n_getprio,
		  .n_names = 1,
		  .action = "SCMP_ACT_ERRNO",
		  .has_errno_ret = true,
		  .errno_ret = 80,
		  .args = a_gt,
		  .n_args = 1 },
		{ .names = n_getpgid,
		  .n_names = 1,
		  .action = "SCMP_ACT_ERRNO",
		  .has_errno_ret = true,
		  .errno_ret = 81,
		  .args = a_ge,
		  .n_args = 1 },
		{ .names = n_getsid,
		  .n_names = 1,
		  .action = "SCMP_ACT_ERRNO",
		  .has_errno_ret = true,
		  .errno_ret = 82,
		  .args = a_le,
		  .n_args = 1 },
		{ .names = n_sgs,
		  .n_names = 1,
		  .action = "SCMP_ACT_ERRNO",
		  .has_errno_ret = true,
		  .errno_ret = 83,
		  .args = a_lt,
		  .n_args = 1 },
		{ .names = n_gpm,
		  .n_names = 1,
		  .action = "SCMP_ACT_ERRNO",
		  .has_errno_ret = true,
		  .errno_ret = 84,
		  .args = a_ne,
		  .n_args = 1 },
		{ .names = n_bogus, .n_names = 1, .action = "SCMP_ACT_KILL" },
	};
	char *arch[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32" };
	struct oci_seccomp s = { .default_action = "SCMP_ACT_ALLOW",
				 .architectures = arch,
				 .n_architectures = 3,
				 .syscalls = sc,
				 .n_syscalls = ARRAY_SIZE(sc) };
	cleat_error_t err = NULL;
	int nfd;
	if (cleat_seccomp_load(&s, true, &nfd, &err) < 0) {
		char *m = cleat_error_string(err);
		dprintf(out, "load failed: %s\n", m);
		return;
	}
#define PROBE(name, expr)                                                  \
	do {                                                               \
		errno = 0;                                                 \
		long r_ = (long) (expr);                                   \
		dprintf(out, "%s=%ld/%d\n", name, r_, r_ < 0 ? errno : 0); \
	} while (0)
	PROBE("mkdir", mkdir("/nonexistent-dir/x", 0700));
	PROBE("kill12345", kill(12345, 0));
	PROBE("killself", kill(getpid(), 0));
	PROBE("kill111", kill(111, 0));
	PROBE("kill222", kill(222, 0));
	PROBE("umask022", syscall(SYS_umask, 022));
	PROBE("umask027", syscall(SYS_umask, 027));
	PROBE("getprio_big", syscall(SYS_getpriority, PRIO_PROCESS, 2000000));
	PROBE("getpgid_big", syscall(SYS_getpgid, 3000001));
	PROBE("getpgid0", syscall(SYS_getpgid, 0) > 0 ? 0 : -1);
	PROBE("getsid0", syscall(SYS_getsid, 0));
	PROBE("getsid_big", syscall(SYS_getsid, 4000000));
	PROBE("sgs0", syscall(SYS_sched_getscheduler, 0));
	PROBE("gpm0", syscall(SYS_sched_get_priority_max, 0));
	PROBE("gpm1", syscall(SYS_sched_get_priority_max, 1));
	status_lines(out);
}

static void test_seccomp_load(void)
{
	int status;
	char *r = in_child(seccomp_child, &status);
	ok(strstr(r, "mkdir=-1/95\n") != NULL, "mkdir returns errnoRet 95");
	ok(strstr(r, "kill12345=-1/77\n") != NULL, "SCMP_CMP_EQ matches");
	ok(strstr(r, "killself=0/0\n") != NULL, "SCMP_CMP_EQ does not match other values");
	ok(strstr(r, "kill111=-1/78\n") && strstr(r, "kill222=-1/78\n"),
	   "two args on one index are separate rules (either matches)");
	ok(strstr(r, "umask022=-1/79\n") && !strstr(r, "umask027=-1"), "SCMP_CMP_MASKED_EQ");
	ok(strstr(r, "getprio_big=-1/80\n") != NULL, "SCMP_CMP_GT on arg 1");
	ok(strstr(r, "getpgid_big=-1/81\n") && strstr(r, "getpgid0=0/0\n"), "SCMP_CMP_GE");
	ok(strstr(r, "getsid0=-1/82\n") && strstr(r, "getsid_big=-1/3\n"), "SCMP_CMP_LE");
	ok(strstr(r, "sgs0=-1/83\n") != NULL, "SCMP_CMP_LT");
	ok(strstr(r, "gpm0=-1/84\n") && strstr(r, "gpm1=99/0\n"), "SCMP_CMP_NE");
	ok(strstr(r, "Seccomp:\t2\n") && strstr(r, "Seccomp_filters:\t1\n"),
	   "one filter in mode 2");
	ok(strstr(r, "NoNewPrivs:\t1\n") != NULL, "no_new_privs set");
	if (tap_failed)
		printf("# child said:\n# %s\n", r);
	free(r);
}

static void enosys_child(int out)
{
	/* Enough for libc and ASan to finish (all below 300, the "newer" probe). */
	char *allow[] = { "write",	    "exit_group", "exit",    "brk",	    "mmap",
			  "munmap",	    "mprotect",	  "madvise", "sigaltstack", "rt_sigaction",
			  "rt_sigprocmask", "getpid",	  "gettid",  "futex",	    "close",
			  "sched_yield",    "tgkill",	  "prctl" };
	struct oci_seccomp_syscall sc = { .names = allow,
					  .n_names = ARRAY_SIZE(allow),
					  .action = "SCMP_ACT_ALLOW" };
	char *arch[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32" };
	struct oci_seccomp s = { .default_action = "SCMP_ACT_ERRNO",
				 .architectures = arch,
				 .n_architectures = 3,
				 .syscalls = &sc,
				 .n_syscalls = 1 };
	cleat_error_t err = NULL;
	int nfd;
	if (cleat_seccomp_load(&s, true, &nfd, &err) < 0) {
		dprintf(out, "load failed\n");
		return;
	}
	/* exit_group (231) is the largest listed: 300 is "newer", 110 (getppid) is not. */
	long r1 = syscall(300, -1, 0);
	int e1 = errno;
	long r2 = syscall(SYS_getppid);
	int e2 = errno;
	/* snprintf + write: dprintf's stdio wants syscalls this filter refuses. */
	char buf[64];
	int k = snprintf(buf, sizeof buf, "new=%ld/%d old=%ld/%d", r1, e1, r2, e2);
	if (write(out, buf, (size_t) k) < 0)
		_exit(1);
}

static void test_enosys_stub(void)
{
	int status;
	char *r = in_child(enosys_child, &status);
	ok(strcmp(r, "new=-1/38 old=-1/1") == 0,
	   "syscalls newer than the profile get ENOSYS, others the default (runc's stub): %s", r);
	free(r);
	struct sock_filter *stub;
	size_t n;
	char *names[] = { "mkdir" };
	struct oci_seccomp_syscall sc = { .names = names,
					  .n_names = 1,
					  .action = "SCMP_ACT_ERRNO" };
	char *arch[] = { "SCMP_ARCH_X86_64" };
	struct oci_seccomp s = { .default_action = "SCMP_ACT_ALLOW",
				 .architectures = arch,
				 .n_architectures = 1,
				 .syscalls = &sc,
				 .n_syscalls = 1 };
	cleat_seccomp_enosys_stub(&s, SCMP_ACT_ALLOW, &stub, &n);
	ok(n == 0, "no stub when the default action allows");
	cleat_seccomp_enosys_stub(&s, SCMP_ACT_ERRNO(ENOSYS), &stub, &n);
	ok(n == 0, "no stub when the default errno is ENOSYS");
	cleat_seccomp_enosys_stub(&s, SCMP_ACT_ERRNO(EPERM), &stub, &n);
	ok(n > 0, "a stub for a default EPERM profile (%zu instructions)", n);
	free(stub);
}

static void test_listener(void)
{
	cleat_error_t err = NULL;
	struct oci_seccomp s = { .default_action = "SCMP_ACT_ALLOW",
				 .listener_metadata = "meta-42" };
	const char *state = "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"creating\","
			    "\"pid\":4242,\"bundle\":\"/b\",\"annotations\":{\"a\":\"b\"}}";
	char *js = cleat_seccomp_process_state(&s, state, 0, &err);
	ok(js && strstr(js, "\"fds\":[\"seccompFd\"]") && strstr(js, "\"pid\":4242") &&
		   strstr(js, "\"metadata\":\"meta-42\"") &&
		   strstr(js, "\"state\":{\"ociVersion\":\"1.2.0\",\"id\":\"c1\""),
	   "ContainerProcessState shape: %s", js ? js : "(null)");
	free(js);
	js = cleat_seccomp_process_state(&s, state, 777, &err);
	ok(js && strstr(js, "\"fds\":[\"seccompFd\"],\"pid\":777,") &&
		   strstr(js, "\"pid\":4242,\"bundle\""),
	   "exec: the process pid outside, the init's in the state");
	free(js);
	s.listener_metadata = NULL;
	js = cleat_seccomp_process_state(&s, state, 0, &err);
	ok(js && !strstr(js, "metadata"), "empty metadata omitted");
	free(js);

	char path[] = "/tmp/cleat-test-listener-XXXXXX";
	int tmpfd = mkstemp(path);
	close(tmpfd);
	unlink(path);
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	strcpy(addr.sun_path, path);
	if (bind(l, (struct sockaddr *) &addr, sizeof addr) < 0 || listen(l, 1) < 0)
		abort();
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		abort();
	s.listener_path = path;
	s.listener_metadata = "m";
	int rc = cleat_seccomp_send_listener(&s, p[0], state, &err);
	ok(rc == 0, "send to listener");
	cleat_error_free(&err);
	int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	char buf[4096] = "";
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr a;
	} ctrl;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf - 1 };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctrl.b,
			     .msg_controllen = sizeof ctrl.b };
	ssize_t n = recvmsg(c, &mh, MSG_CMSG_CLOEXEC);
	struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
	int got = -1;
	if (cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&got, CMSG_DATA(cm), sizeof got);
	struct stat a, b;
	ok(got >= 0 && fstat(got, &a) == 0 && fstat(p[0], &b) == 0 && a.st_ino == b.st_ino,
	   "listener received the fd by SCM_RIGHTS");
	ok(n > 0 && strstr(buf, "\"metadata\":\"m\"") && strstr(buf, "\"seccompFd\""),
	   "listener received the state with the fd");
	if (got >= 0)
		close(got);
	close(c);
	close(l);
	close(p[0]);
	close(p[1]);
	unlink(path);
	s.listener_path = "/nonexistent/sock";
	ok(cleat_seccomp_send_listener(&s, 0, state, &err) < 0 &&
		   err_has(&err, "connect to seccomp listener"),
	   "unreachable listener is an error");
}

static void test_personality(void)
{
	cleat_error_t err = NULL;
	unsigned long v = 1;
	struct oci_personality p = { .domain = "LINUX" };
	ok(cleat_personality_value(&p, &v, &err) == 0 && v == PER_LINUX, "LINUX");
	p.domain = "LINUX32";
	ok(cleat_personality_value(&p, &v, &err) == 0 && v == PER_LINUX32, "LINUX32");
	char *fl[] = { "ADDR_NO_RANDOMIZE" };
	p.flags = fl;
	p.n_flags = 1;
	ok(cleat_personality_value(&p, &v, &err) == 0 && v == (PER_LINUX32 | ADDR_NO_RANDOMIZE),
	   "LINUX32 + ADDR_NO_RANDOMIZE");
	char *bad[] = { "NOPE" };
	p.flags = bad;
	ok(cleat_personality_value(&p, &v, &err) < 0 && err_has(&err, "linux.personality.flags"),
	   "unknown flag rejected");
	p.domain = "WINDOWS";
	p.n_flags = 0;
	ok(cleat_personality_value(&p, &v, &err) < 0 && err_has(&err, "\"WINDOWS\""),
	   "unknown domain rejected");
}

static void test_sched(void)
{
	cleat_error_t err = NULL;
	int pol = -1;
	ok(cleat_sched_policy("SCHED_DEADLINE", &pol, &err) == 0 && pol == 6, "SCHED_DEADLINE");
	ok(cleat_sched_policy("SCHED_IDLE", &pol, &err) == 0 && pol == 5, "SCHED_IDLE");
	ok(cleat_sched_policy("SCHED_X", &pol, &err) < 0 &&
		   err_has(&err, "process.scheduler.policy"),
	   "unknown policy rejected");
	uint64_t f;
	ok(cleat_sched_flag("SCHED_FLAG_RESET_ON_FORK", &f, &err) == 0 && f == 1, "RESET_ON_FORK");
	ok(cleat_sched_flag("SCHED_FLAG_UTIL_CLAMP_MAX", &f, &err) == 0 && f == 0x40,
	   "UTIL_CLAMP_MAX");
	struct oci_io_priority io = { .class = "IOPRIO_CLASS_BE", .priority = 4 };
	int v;
	ok(cleat_ioprio_value(&io, &v, &err) == 0 && v == ((2 << 13) | 4), "BE/4");
	io.priority = 8;
	ok(cleat_ioprio_value(&io, &v, &err) < 0 && err_has(&err, "out of range"), "priority 8");
	io.class = "IOPRIO_CLASS_NONE";
	io.priority = 0;
	ok(cleat_ioprio_value(&io, &v, &err) < 0 && err_has(&err, "IOPRIO_CLASS_NONE"),
	   "unknown class");

	cpu_set_t *set = NULL;
	size_t size = 0;
	ok(cleat_cpu_list_parse("0-2,5", &set, &size, &err) == 0 && CPU_COUNT_S(size, set) == 4 &&
		   CPU_ISSET_S(5, size, set) && !CPU_ISSET_S(3, size, set),
	   "cpu list 0-2,5");
	if (set)
		CPU_FREE(set);
	set = NULL;
	const char *bad[] = { "", "3-1", "a", "1,", "1-", "-1", "1 2" };
	int all = 1;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (cleat_cpu_list_parse(bad[i], &set, &size, &err) == 0) {
			all = 0;
			printf("# accepted \"%s\"\n", bad[i]);
			CPU_FREE(set);
			set = NULL;
		}
		cleat_error_free(&err);
	}
	ok(all, "malformed cpu lists rejected");
}

static void sched_child(int out)
{
	struct oci_scheduler s = { .policy = "SCHED_BATCH", .has_nice = true, .nice = 7 };
	struct oci_io_priority io = { .class = "IOPRIO_CLASS_IDLE", .priority = 0 };
	struct oci_cpu_affinity aff = { .initial = "1", .final = "0" };
	struct oci_process p = { .scheduler = &s, .io_priority = &io, .exec_cpu_affinity = &aff };
	cleat_error_t err = NULL;
	if (cleat_sched_apply(&p, NULL, &err) < 0) {
		char *m = cleat_error_string(err);
		dprintf(out, "error %s\n", m);
		return;
	}
	cpu_set_t set;
	sched_getaffinity(0, sizeof set, &set);
	dprintf(out, "policy=%d nice=%d ioprio=%ld cpus=%d cpu0=%d", sched_getscheduler(0),
		getpriority(PRIO_PROCESS, 0), syscall(SYS_ioprio_get, 1, 0), CPU_COUNT(&set),
		CPU_ISSET(0, &set));
}

static void test_sched_apply(void)
{
	int status;
	char *r = in_child(sched_child, &status);
	ok(strstr(r, "policy=3 nice=7 ioprio=24576 cpus=1 cpu0=1") != NULL,
	   "SCHED_BATCH nice 7, IDLE io class, final affinity cpu 0: %s", r);
	free(r);
}

/* The overlayfs seal's lowerdir: the binary's directory over the other one, ':'
 * and '\\' escaped; none for nested layers, a replaced binary or relative paths. */
static void test_selfexe_layers(void)
{
	const char *name = NULL;
	char *l = cleat_selfexe_layers_for("/usr/bin/cleat", "/run/cleat", &name);
	ok(l && strcmp(l, "/usr/bin:/run/cleat") == 0 && strcmp(name, "cleat") == 0,
	   "layers: binary dir over the state root, name apart (%s, %s)", l ? l : "-",
	   name ? name : "-");
	free(l);
	l = cleat_selfexe_layers_for("/opt/a:b/c\\d/cleat", "/run/x:y", &name);
	ok(l && strcmp(l, "/opt/a\\:b/c\\\\d:/run/x\\:y") == 0, "':' and '\\' are escaped (%s)",
	   l ? l : "-");
	free(l);
	l = cleat_selfexe_layers_for("/cleat", "/run/cleat", &name);
	ok(l == NULL, "a binary in / nests every layer: no overlay");
	ok(cleat_selfexe_layers_for("/tmp/b/cleat", "/tmp/b/state", &name) == NULL,
	   "a state root below the binary's directory: no overlay");
	ok(cleat_selfexe_layers_for("/tmp/b/bin/cleat", "/tmp/b", &name) == NULL,
	   "the binary's directory below the state root: no overlay");
	ok(cleat_selfexe_layers_for("/tmp/b/cleat", "/tmp/b", &name) == NULL,
	   "the same directory twice: no overlay");
	l = cleat_selfexe_layers_for("/tmp/bin/cleat", "/tmp/b", &name);
	ok(l && strcmp(l, "/tmp/bin:/tmp/b") == 0, "a shared name prefix is not nesting (%s)",
	   l ? l : "-");
	free(l);
	ok(cleat_selfexe_layers_for("/usr/bin/cleat (deleted)", "/run/cleat", &name) == NULL,
	   "a binary replaced on disk: no overlay");
	ok(cleat_selfexe_layers_for("/usr/bin/cleat", "run/cleat", &name) == NULL,
	   "a relative state root: no overlay");
}

static void test_selfexe(void)
{
	char *a1[] = { "cleat", "--root", "/r", "run", "x", NULL };
	char *a2[] = { "cleat", "--log", "l", "exec", "x", "sh", NULL };
	char *a3[] = { "cleat", "state", "x", NULL };
	char *a4[] = { "cleat", "--root", "/r", "delete", "-f", "x", NULL };
	ok(!cleat_selfexe_needed(5, a1), "run copies in its helper, not up front");
	ok(cleat_selfexe_needed(6, a2), "exec needs the sealed copy");
	ok(!cleat_selfexe_needed(3, a3), "state does not");
	ok(!cleat_selfexe_needed(6, a4), "delete does not");
	int fd = memfd_create("t", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	ok(!cleat_selfexe_fd_is_sealed(fd), "unsealed memfd is not sealed");
	fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
	ok(cleat_selfexe_fd_is_sealed(fd), "fully sealed memfd");
	ok(write(fd, "x", 1) < 0 && errno == EPERM, "a sealed memfd refuses writes");
	close(fd);
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	ok(!cleat_selfexe_fd_is_sealed(fd), "a file on disk is not sealed");
	close(fd);
}

static void test_lsm(void)
{
	cleat_error_t err = NULL;
	if (!cleat_lsm_apparmor_enabled())
		ok(cleat_lsm_validate("foo", NULL, &err) < 0 &&
			   err_has(&err, "AppArmor is not enabled"),
		   "apparmor profile without AppArmor is an error");
	else
		ok(cleat_lsm_validate("foo", NULL, &err) == 0,
		   "AppArmor enabled: profile accepted");
	if (!cleat_lsm_selinux_enabled()) {
		ok(cleat_lsm_validate(NULL, "system_u:system_r:container_t:s0", &err) < 0 &&
			   err_has(&err, "selinux is disabled"),
		   "selinux label without SELinux is an error");
		char *d = cleat_lsm_mount_data("mode=755", "system_u:object_r:container_file_t:s0");
		ok(strcmp(d, "mode=755") == 0, "mount label ignored without SELinux");
		free(d);
	} else {
		char *d = cleat_lsm_mount_data("mode=755", "lbl");
		ok(strcmp(d, "mode=755,context=\"lbl\"") == 0, "mount label appended");
		free(d);
		ok(1, "# SKIP SELinux enabled");
	}
	ok(cleat_lsm_validate("", "", &err) == 0, "empty labels mean none");
	ok(cleat_lsm_set_exec_label(NULL, NULL, &err) == 0, "no labels: nothing to do");
}

int main(void)
{
	test_cap_names();
	test_caps_apply();
	test_seccomp_tables();
	test_seccomp_compile();
	test_seccomp_load();
	test_enosys_stub();
	test_listener();
	test_personality();
	test_sched();
	test_sched_apply();
	test_selfexe();
	test_selfexe_layers();
	test_lsm();
	return tap_done();
}
