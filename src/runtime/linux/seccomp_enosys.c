/* The -ENOSYS stub runc puts in front of every non-permissive filter.
 *
 * A profile lists the syscalls its author knew.  A syscall newer than all of
 * them (numbered above the largest one the profile names, per architecture)
 * would get the default action, usually EPERM, and programs that probe for a
 * new syscall and fall back on ENOSYS (glibc's clone3, statx, faccessat2...)
 * break on EPERM.  runc answers those with ENOSYS; docker's default profile
 * behaves the same under cleat only if we do too.
 *
 * Applied, like runc, unless the default action is permissive (ALLOW, LOG,
 * TRACE) or the default errno already is ENOSYS.  x32 shares x86_64's audit
 * arch and is told apart by __X32_SYSCALL_BIT in the syscall number. */
#include "config.h"
#include "runtime/linux/seccomp.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <string.h>

#include "common/util.h"

#define X32_SYSCALL_BIT 0x40000000u
#define MAX_GROUPS 16

struct arch_group {
	uint32_t audit;
	uint32_t max; /* largest native syscall number the profile names, 0 if none */
	uint32_t max_x32; /* same for x32 (with X32_SYSCALL_BIT), 0 if none */
};

static bool permissive(uint32_t action)
{
	return action == SCMP_ACT_ALLOW || action == SCMP_ACT_LOG ||
	       (action & SECCOMP_RET_ACTION_FULL) == SCMP_ACT_TRACE(0);
}

static uint32_t largest_syscall(const struct oci_seccomp *s, uint32_t arch)
{
	uint32_t max = 0;
	for (size_t i = 0; i < s->n_syscalls; i++)
		for (size_t j = 0; j < s->syscalls[i].n_names; j++) {
			int nr = seccomp_syscall_resolve_name_arch(arch, s->syscalls[i].names[j]);
			/* Negative: unknown here, or a libseccomp pseudo-syscall. */
			if (nr >= 0 && (uint32_t) nr > max)
				max = (uint32_t) nr;
		}
	return max;
}

static size_t collect_groups(const struct oci_seccomp *s, struct arch_group *g)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n_architectures; i++) {
		uint32_t arch;
		cleat_error_t e = NULL;
		if (cleat_seccomp_arch(s->architectures[i], &arch, &e) < 0) {
			cleat_error_free(&e);
			continue;
		}
		bool x32 = arch == SCMP_ARCH_X32;
		uint32_t audit = x32 ? AUDIT_ARCH_X86_64 : arch;
		uint32_t max = largest_syscall(s, arch);
		if (max == 0)
			continue;
		size_t k = 0;
		while (k < n && g[k].audit != audit)
			k++;
		if (k == n) {
			if (n == MAX_GROUPS)
				continue;
			g[n++] = (struct arch_group){ .audit = audit };
		}
		if (x32)
			g[k].max_x32 = max | X32_SYSCALL_BIT;
		else
			g[k].max = max;
	}
	return n;
}

static size_t section_len(const struct arch_group *g)
{
	/* ld nr; [jset x32; jgt; ja;] jgt; ja */
	return 1 + (g->max_x32 ? 3 : 0) + 2;
}

#define STMT(op, val) ((struct sock_filter){ .code = (op), .k = (val) })
#define JUMP(op, val, t, f) ((struct sock_filter){ .code = (op), .jt = (t), .jf = (f), .k = (val) })

int cleat_seccomp_enosys_stub(const struct oci_seccomp *s, uint32_t default_action,
			      struct sock_filter **stub, size_t *len)
{
	*stub = NULL;
	*len = 0;
	if (permissive(default_action) || default_action == SCMP_ACT_ERRNO(ENOSYS))
		return 0;
	struct arch_group g[MAX_GROUPS];
	size_t ng = collect_groups(s, g);
	if (ng == 0)
		return 0;

	/* Layout: ld arch; one jeq per group; ja filter; sections; ret ENOSYS. */
	size_t total = 1 + ng + 1 + 1;
	for (size_t i = 0; i < ng; i++)
		total += section_len(&g[i]);
	struct sock_filter *p = xmalloc0(total * sizeof *p);
	size_t enosys = total - 1, filter = total; /* filter: first insn after the stub */
	size_t at = 0, sec = 1 + ng + 1;
	p[at++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	for (size_t i = 0; i < ng; i++) {
		p[at] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, g[i].audit, (uint8_t) (sec - at - 1), 0);
		at++;
		sec += section_len(&g[i]);
	}
	p[at] = STMT(BPF_JMP | BPF_JA, (uint32_t) (filter - at - 1));
	at++;
	for (size_t i = 0; i < ng; i++) {
		p[at++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
		if (g[i].max_x32) {
			/* jset x32 -> the x32 check 3 instructions on */
			p[at] = JUMP(BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT, 2, 0);
			at++;
			/* native x86_64 numbers: no max means no native rule, so go on */
			uint32_t native = g[i].max ? g[i].max : UINT32_MAX;
			p[at] = JUMP(BPF_JMP | BPF_JGT | BPF_K, native, (uint8_t) (enosys - at - 1),
				     0);
			at++;
			p[at] = STMT(BPF_JMP | BPF_JA, (uint32_t) (filter - at - 1));
			at++;
			p[at] = JUMP(BPF_JMP | BPF_JGT | BPF_K, g[i].max_x32,
				     (uint8_t) (enosys - at - 1), 0);
			at++;
		} else {
			p[at] = JUMP(BPF_JMP | BPF_JGT | BPF_K, g[i].max,
				     (uint8_t) (enosys - at - 1), 0);
			at++;
		}
		p[at] = STMT(BPF_JMP | BPF_JA, (uint32_t) (filter - at - 1));
		at++;
	}
	p[at++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	*stub = p;
	*len = at;
	return 0;
}
