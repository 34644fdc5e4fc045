/* Unit tests: the seccomp program cleat loads (libseccomp's binary-tree layout) gives the
 * same verdict as the one in libseccomp's default layout (a list per arch) for every
 * syscall number of x86_64, x32 and i386, an arch the profile does not name, and the
 * argument values that the rules of a docker-like profile compare with.  Both programs
 * are run by a classic BPF interpreter here, on seccomp_data built in memory. */
#include "config.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "runtime/linux/seccomp.h"
#include "security-tap.h"

/* struct seccomp_data, little-endian as on the arches tested. */
struct sdata {
	int32_t nr;
	uint32_t arch;
	uint64_t ip;
	uint64_t args[6];
};
_Static_assert(sizeof(struct sdata) == 64, "seccomp_data layout");

/* The classic BPF that libseccomp emits: loads of the data, scratch memory, AND/OR,
 * conditional jumps on K or X, returns.  *bad on anything else or out of bounds. */
static uint32_t bpf_run(const struct sock_filter *p, size_t len, const struct sdata *d, bool *bad)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &p[pc];
		uint32_t k = f->k, src = BPF_SRC(f->code) == BPF_X ? x : k;
		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
		case BPF_LDX: {
			uint32_t v;
			if (BPF_MODE(f->code) == BPF_ABS && BPF_SIZE(f->code) == BPF_W &&
			    k % 4 == 0 && k + 4 <= sizeof(*d))
				memcpy(&v, (const char *) d + k, 4);
			else if (BPF_MODE(f->code) == BPF_IMM)
				v = k;
			else if (BPF_MODE(f->code) == BPF_MEM && k < BPF_MEMWORDS)
				v = mem[k];
			else
				goto bad;
			*(BPF_CLASS(f->code) == BPF_LD ? &a : &x) = v;
			break;
		}
		case BPF_ST:
		case BPF_STX:
			if (k >= BPF_MEMWORDS)
				goto bad;
			mem[k] = BPF_CLASS(f->code) == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			if (BPF_OP(f->code) == BPF_AND)
				a &= src;
			else if (BPF_OP(f->code) == BPF_OR)
				a |= src;
			else
				goto bad;
			break;
		case BPF_JMP: {
			bool t;
			switch (BPF_OP(f->code)) {
			case BPF_JA: pc += k; continue;
			case BPF_JEQ: t = a == src; break;
			case BPF_JGT: t = a > src; break;
			case BPF_JGE: t = a >= src; break;
			case BPF_JSET: t = (a & src) != 0; break;
			default: goto bad;
			}
			pc += t ? f->jt : f->jf;
			break;
		}
		case BPF_RET: return BPF_RVAL(f->code) == BPF_A ? a : k;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		default: goto bad;
		}
	}
bad:
	*bad = true;
	return 0;
}

#define ARG1(i, o, v, v2)                                                                       \
	{                                                                                       \
		.index = (i), .op = (o), .value = (v), .value_two = (v2), .has_value_two = true \
	}

/* Names given a rule of their own below, left out of the allow-all list. */
static const char *const special[] = { "personality", "clone",	"socket", "getpriority",
				       "kill",	      "prctl",	"uname",  "syslog",
				       "mkdirat",     "ptrace", NULL };

static bool is_special(const char *name)
{
	for (size_t i = 0; special[i]; i++)
		if (strcmp(special[i], name) == 0)
			return true;
	return false;
}

/* Values the rules compare with, and their neighbours. */
static const uint64_t values[] = { 0,	       1,	   4,	       5,	   6,
				   8,	       9,	   40,	       41,	   1000,
				   1001,       0x20000,	   0x20008,    0x7E020000, 0x10000,
				   0xfffffffe, 0xffffffff, 1ull << 32, ~0ull };

static size_t n_diff, n_bad, n_checked;
static bool arg_dependent;

static void compare(const struct sock_filter *lin, size_t nl, const struct sock_filter *tree,
		    size_t nt, const struct sdata *d)
{
	bool bad = false;
	uint32_t v1 = bpf_run(lin, nl, d, &bad), v2 = bpf_run(tree, nt, d, &bad);
	n_checked++;
	if (bad)
		n_bad++;
	if (v1 != v2 && n_diff++ < 5)
		printf("#   arch %#x nr %d args %#llx %#llx: list %#x, tree %#x\n", d->arch, d->nr,
		       (unsigned long long) d->args[0], (unsigned long long) d->args[1], v1, v2);
}

static void check_nr(const struct sock_filter *lin, size_t nl, const struct sock_filter *tree,
		     size_t nt, uint32_t arch, int32_t nr, bool with_args)
{
	struct sdata d = { .nr = nr, .arch = arch };
	compare(lin, nl, tree, nt, &d);
	if (!with_args)
		return;
	bool dummy = false;
	uint32_t first = bpf_run(tree, nt, &d, &dummy);
	for (size_t i = 0; i < ARRAY_SIZE(values); i++)
		for (size_t j = 0; j < ARRAY_SIZE(values); j++) {
			memset(d.args, 0, sizeof d.args);
			d.args[0] = values[i];
			d.args[1] = values[j];
			compare(lin, nl, tree, nt, &d);
			d.args[0] = 0;
			d.args[2] = values[i];
			compare(lin, nl, tree, nt, &d);
			if (bpf_run(tree, nt, &d, &dummy) != first)
				arg_dependent = true;
		}
}

static bool in_list(const int *nrs, size_t n, int nr)
{
	for (size_t i = 0; i < n; i++)
		if (nrs[i] == nr)
			return true;
	return false;
}

static void test_layouts(void)
{
	/* Allow every syscall libseccomp knows on x86_64 but every fifth and the special
	 * ones (the default action answers those), like docker's allow list. */
	char **names = xmalloc(1024 * sizeof *names);
	size_t n_names = 0;
	for (int nr = 0; nr < 1024; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
		if (name && nr % 5 != 0 && !is_special(name))
			names[n_names++] = name;
		else
			free(name);
	}
	char *n_pers[] = { "personality" }, *n_clone[] = { "clone" }, *n_sock[] = { "socket" },
	     *n_prio[] = { "getpriority" }, *n_kill[] = { "kill" }, *n_prctl[] = { "prctl" },
	     *n_uname[] = { "uname" }, *n_syslog[] = { "syslog" }, *n_mkdir[] = { "mkdirat" },
	     *n_ptrace[] = { "ptrace" };
	struct oci_seccomp_arg p0[] = { ARG1(0, "SCMP_CMP_EQ", 0, 0) },
			       p8[] = { ARG1(0, "SCMP_CMP_EQ", 8, 0) },
			       p2[] = { ARG1(0, "SCMP_CMP_EQ", 0x20000, 0) },
			       p28[] = { ARG1(0, "SCMP_CMP_EQ", 0x20008, 0) },
			       pff[] = { ARG1(0, "SCMP_CMP_EQ", 0xffffffff, 0) },
			       cl[] = { ARG1(0, "SCMP_CMP_MASKED_EQ", 0x7E020000, 0) },
			       so[] = { ARG1(0, "SCMP_CMP_NE", 40, 0) },
			       pr[] = { ARG1(1, "SCMP_CMP_GT", 1000, 0) },
			       ki[] = { ARG1(1, "SCMP_CMP_LE", 5, 0) },
			       pc[] = { ARG1(0, "SCMP_CMP_GE", 4, 0),
					ARG1(1, "SCMP_CMP_LT", 9, 0) },
			       mk[] = { ARG1(2, "SCMP_CMP_MASKED_EQ", 0x10000, 0x10000) };
#define RULE(n, act, a, has_e, e)                                                                  \
	{                                                                                          \
		.names = (n), .n_names = 1, .action = (act), .args = (a), .n_args = ARRAY_SIZE(a), \
		.has_errno_ret = (has_e), .errno_ret = (e)                                         \
	}
#define RULE0(n, act, has_e, e)                                                        \
	{                                                                              \
		.names = (n), .n_names = 1, .action = (act), .has_errno_ret = (has_e), \
		.errno_ret = (e)                                                       \
	}

	struct oci_seccomp_syscall sc[] = {
		{ .names = names, .n_names = n_names, .action = "SCMP_ACT_ALLOW" },
		RULE(n_pers, "SCMP_ACT_ALLOW", p0, false, 0),
		RULE(n_pers, "SCMP_ACT_ALLOW", p8, false, 0),
		RULE(n_pers, "SCMP_ACT_ALLOW", p2, false, 0),
		RULE(n_pers, "SCMP_ACT_ALLOW", p28, false, 0),
		RULE(n_pers, "SCMP_ACT_ALLOW", pff, false, 0),
		RULE(n_clone, "SCMP_ACT_ALLOW", cl, false, 0),
		RULE(n_sock, "SCMP_ACT_ALLOW", so, false, 0),
		RULE(n_prio, "SCMP_ACT_ERRNO", pr, true, 38),
		RULE(n_kill, "SCMP_ACT_ALLOW", ki, false, 0),
		RULE(n_prctl, "SCMP_ACT_ALLOW", pc, false, 0),
		RULE0(n_uname, "SCMP_ACT_LOG", false, 0),
		RULE0(n_syslog, "SCMP_ACT_TRAP", false, 0),
		RULE(n_mkdir, "SCMP_ACT_KILL_PROCESS", mk, false, 0),
		RULE0(n_ptrace, "SCMP_ACT_ERRNO", true, 95),
	};
#undef RULE
#undef RULE0
	char *arches[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32" };
	struct oci_seccomp s = { .default_action = "SCMP_ACT_ERRNO",
				 .architectures = arches,
				 .n_architectures = 3,
				 .syscalls = sc,
				 .n_syscalls = ARRAY_SIZE(sc) };

	cleat_error_t err = NULL;
	struct sock_filter *lin = NULL, *tree = NULL;
	size_t nl = 0, nt = 0;
	unsigned long f1 = 0, f2 = 0;
	int r1 = cleat_seccomp_compile_linear(&s, &lin, &nl, &f1, &err);
	if (r1 < 0)
		printf("#   %s\n", err->msg);
	cleat_error_free(&err);
	int r2 = cleat_seccomp_compile(&s, &tree, &nt, &f2, &err);
	if (r2 < 0)
		printf("#   %s\n", err->msg);
	cleat_error_free(&err);
	ok(r1 == 0 && r2 == 0 && f1 == f2, "the profile compiles in both layouts (%zu syscalls)",
	   n_names);
	ok(nl != nt || memcmp(lin, tree, nl * sizeof *lin) != 0,
	   "the layouts are different programs (%zu and %zu instructions)", nl, nt);

	/* The numbers that have rules with arguments, on every arch. */
	int with_args[64];
	size_t n_with = 0;
	const uint32_t sarch[] = { SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32 };
	for (size_t i = 0; special[i]; i++)
		for (size_t a = 0; a < ARRAY_SIZE(sarch); a++) {
			int nr = seccomp_syscall_resolve_name_arch(sarch[a], special[i]);
			if (nr >= 0 && n_with < ARRAY_SIZE(with_args))
				with_args[n_with++] = nr;
		}
	const uint32_t audit[] = { AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64 };
	for (size_t a = 0; r1 == 0 && r2 == 0 && a < ARRAY_SIZE(audit); a++)
		for (int32_t nr = -2; nr < 1100; nr++) {
			bool args = in_list(with_args, n_with, nr) ||
				    in_list(with_args, n_with, nr | 0x40000000);
			check_nr(lin, nl, tree, nt, audit[a], nr, args);
			check_nr(lin, nl, tree, nt, audit[a], nr | 0x40000000, args);
		}
	ok(n_bad == 0, "both programs use only the BPF the interpreter knows");
	ok(n_diff == 0, "same verdict in %zu cases (%zu differ)", n_checked, n_diff);
	ok(arg_dependent, "some verdicts depend on the arguments (the cases reach the rules)");
	free(lin);
	free(tree);
	for (size_t i = 0; i < n_names; i++)
		free(names[i]);
	free(names);
}

int main(void)
{
	test_layouts();
	return tap_done();
}
