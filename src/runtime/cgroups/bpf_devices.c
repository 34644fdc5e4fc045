/* cgroup2 has no devices.allow/deny: access is decided by a
 * BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup.  We emulate the
 * v1 semantics first (cg_dev_emu_apply) so both layouts allow exactly the same
 * things, then compile the resulting exception list into straight-line code:
 * one block per exception, first match wins, else the default. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/util.h"
#include "runtime/cgroups/internal.h"

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

static void emit(struct bpf_insn **v, size_t *n, struct bpf_insn in)
{
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = in;
}

int cg_bpf_dev_program(const struct cg_dev_emu *e, struct bpf_insn **insns, size_t *n_out)
{
	struct bpf_insn *v = NULL;
	size_t n = 0;
	/* r2 = ctx->access_type; r3 = device type; r4 = requested access;
	 * r5 = major; r6 = minor (all zero-extended 32-bit loads). */
	emit(&v, &n, INSN(BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0));
	emit(&v, &n, INSN(BPF_ALU64 | BPF_MOV | BPF_X, 3, 2, 0, 0));
	emit(&v, &n, INSN(BPF_ALU64 | BPF_AND | BPF_K, 3, 0, 0, 0xffff));
	emit(&v, &n, INSN(BPF_ALU64 | BPF_MOV | BPF_X, 4, 2, 0, 0));
	emit(&v, &n, INSN(BPF_ALU64 | BPF_RSH | BPF_K, 4, 0, 0, 16));
	emit(&v, &n, INSN(BPF_LDX | BPF_MEM | BPF_W, 5, 1, 4, 0));
	emit(&v, &n, INSN(BPF_LDX | BPF_MEM | BPF_W, 6, 1, 8, 0));
	for (size_t i = 0; i < e->n; i++) {
		const struct cg_dev_rule *r = &e->r[i];
		size_t jumps[4], nj = 0;
		if (r->type == 'b' || r->type == 'c') {
			jumps[nj++] = n;
			emit(&v, &n,
			     INSN(BPF_JMP | BPF_JNE | BPF_K, 3, 0, 0,
				  r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
		}
		unsigned all = CG_DEV_R | CG_DEV_W | CG_DEV_M;
		if ((r->access & all) != all) {
			/* Every requested access bit must be in the rule's set. */
			emit(&v, &n, INSN(BPF_ALU64 | BPF_MOV | BPF_X, 7, 4, 0, 0));
			emit(&v, &n,
			     INSN(BPF_ALU64 | BPF_AND | BPF_K, 7, 0, 0,
				  (int32_t) (~r->access & all)));
			jumps[nj++] = n;
			emit(&v, &n, INSN(BPF_JMP | BPF_JNE | BPF_K, 7, 0, 0, 0));
		}
		if (r->major >= 0) {
			jumps[nj++] = n;
			emit(&v, &n, INSN(BPF_JMP | BPF_JNE | BPF_K, 5, 0, 0, (int32_t) r->major));
		}
		if (r->minor >= 0) {
			jumps[nj++] = n;
			emit(&v, &n, INSN(BPF_JMP | BPF_JNE | BPF_K, 6, 0, 0, (int32_t) r->minor));
		}
		emit(&v, &n, INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, r->allow ? 1 : 0));
		emit(&v, &n, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
		for (size_t j = 0; j < nj; j++)
			v[jumps[j]].off = (int16_t) (n - jumps[j] - 1);
	}
	emit(&v, &n, INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, e->default_allow ? 1 : 0));
	emit(&v, &n, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	*insns = v;
	*n_out = n;
	return 0;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int) syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

static int prog_load(const struct bpf_insn *insns, size_t n, cleat_error_t *err)
{
	static const char license[] = "Apache-2.0";
	char log[4096] = "";
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uintptr_t) insns;
	a.insn_cnt = (uint32_t) n;
	a.license = (uintptr_t) license;
	a.log_buf = (uintptr_t) log;
	a.log_size = sizeof log;
	a.log_level = 1;
	int fd = sys_bpf(BPF_PROG_LOAD, &a);
	if (fd < 0 && errno == ENOSPC) {
		/* The verifier log overflowed; the program may still be fine. */
		a.log_buf = 0;
		a.log_size = 0;
		a.log_level = 0;
		fd = sys_bpf(BPF_PROG_LOAD, &a);
	}
	if (fd < 0)
		return cleat_error_errno(err, errno,
					 "load the cgroup device eBPF program (%zu insns)%s%s", n,
					 *log ? ": " : "", log);
	fd_set_cloexec(fd, true);
	return fd;
}

/* The programs attached to the cgroup before us (ids). */
static int prog_query(int cgfd, uint32_t *ids, uint32_t *cnt)
{
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.query.target_fd = (uint32_t) cgfd;
	a.query.attach_type = BPF_CGROUP_DEVICE;
	a.query.prog_ids = (uintptr_t) ids;
	a.query.prog_cnt = *cnt;
	if (sys_bpf(BPF_PROG_QUERY, &a) < 0)
		return -1;
	*cnt = a.query.prog_cnt;
	return 0;
}

int cg_bpf_dev_apply(const char *dir, const struct cg_dev_emu *e, cleat_error_t *err)
{
	_cleanup_free_ struct bpf_insn *insns = NULL;
	size_t n;
	cg_bpf_dev_program(e, &insns, &n);
	_cleanup_close_ int cgfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0)
		return cleat_error_errno(err, errno, "open \"%s\"", dir);
	_cleanup_close_ int prog = prog_load(insns, n, err);
	if (prog < 0)
		return -1;
	uint32_t old[64], n_old = ARRAY_SIZE(old);
	if (prog_query(cgfd, old, &n_old) < 0)
		n_old = 0;
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.target_fd = (uint32_t) cgfd;
	a.attach_bpf_fd = (uint32_t) prog;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &a) < 0)
		return cleat_error_errno(err, errno,
					 "attach the cgroup device eBPF program to \"%s\"", dir);
	/* The new program is in force; now drop the ones it replaces (on update),
	 * so the old, possibly stricter, rules stop applying. */
	for (uint32_t i = 0; i < n_old && i < ARRAY_SIZE(old); i++) {
		union bpf_attr g;
		memset(&g, 0, sizeof g);
		g.prog_id = old[i];
		_cleanup_close_ int ofd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &g);
		if (ofd < 0)
			continue;
		union bpf_attr d;
		memset(&d, 0, sizeof d);
		d.target_fd = (uint32_t) cgfd;
		d.attach_bpf_fd = (uint32_t) ofd;
		d.attach_type = BPF_CGROUP_DEVICE;
		if (sys_bpf(BPF_PROG_DETACH, &d) < 0)
			return cleat_error_errno(err, errno,
						 "detach the old device program %u from \"%s\"",
						 old[i], dir);
	}
	return 0;
}
