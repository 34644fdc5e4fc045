/* linux.seccomp with libseccomp.
 *
 * libseccomp builds the filter; we export it as BPF and load it with
 * seccomp(2) ourselves (as runc does) so every flag the kernel has is
 * reachable (WAIT_KILLABLE_RECV is unknown to libseccomp 2.5) and the
 * listener fd comes straight from SECCOMP_FILTER_FLAG_NEW_LISTENER.
 *
 * Semantics copied from runc's behaviour so profiles act the same:
 *   - an unknown syscall name is skipped (the kernel or libseccomp lacks it);
 *   - a rule whose action equals the default action is skipped;
 *   - ERRNO/TRACE without errnoRet return EPERM;
 *   - when several args share an index, each arg becomes a rule of its own
 *     (seccomp can't AND two conditions on one argument), else one rule
 *     ANDs all conditions. */
#include "config.h"
#include "runtime/linux/seccomp.h"
#include "runtime/linux/security.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <limits.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "common/log.h"
#include "common/scm_fd.h"
#include "common/util.h"
#include "runtime/linux/json_gen.h"
#include "runtime/linux/seccomp_cache.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif

/* The spec caps args at 6 syscall arguments. */
#define SYSCALL_MAX_ARGS 6

enum act_kind {
	ACT_PLAIN,
	ACT_ERRNO,
	ACT_TRACE
};

static const struct {
	const char *name;
	uint32_t action;
	enum act_kind kind;
} actions[] = {
	{ "SCMP_ACT_KILL", SCMP_ACT_KILL, ACT_PLAIN },
	{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, ACT_PLAIN },
	{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, ACT_PLAIN },
	{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP, ACT_PLAIN },
	{ "SCMP_ACT_ERRNO", 0, ACT_ERRNO },
	{ "SCMP_ACT_TRACE", 0, ACT_TRACE },
	{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, ACT_PLAIN },
	{ "SCMP_ACT_LOG", SCMP_ACT_LOG, ACT_PLAIN },
	{ "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, ACT_PLAIN },
};

const char *const cleat_seccomp_action_names[] = {
	"SCMP_ACT_ALLOW",	"SCMP_ACT_ERRNO",
	"SCMP_ACT_KILL",	"SCMP_ACT_KILL_PROCESS",
	"SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
	"SCMP_ACT_NOTIFY",	"SCMP_ACT_TRACE",
	"SCMP_ACT_TRAP",	NULL,
};

static const struct {
	const char *name;
	enum scmp_compare op;
} ops[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE },
	{ "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE },
	{ "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE },
	{ "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

const char *const cleat_seccomp_op_names[] = {
	"SCMP_CMP_EQ", "SCMP_CMP_GE",	     "SCMP_CMP_GT", "SCMP_CMP_LE",
	"SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", NULL,
};

/* The spec's names are libseccomp's arch names upper-cased behind SCMP_ARCH_. */
const char *const cleat_seccomp_arch_names[] = {
	"SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",	    "SCMP_ARCH_ARM",
	"SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",	   "SCMP_ARCH_MIPS64",	    "SCMP_ARCH_MIPS64N32",
	"SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
	"SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",	    "SCMP_ARCH_S390X",
	"SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",	    NULL,
};

static const struct {
	const char *name;
	unsigned long flag;
} flags[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
	{ "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
	{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
};

const char *const cleat_seccomp_flag_names[] = {
	"SECCOMP_FILTER_FLAG_TSYNC",
	"SECCOMP_FILTER_FLAG_LOG",
	"SECCOMP_FILTER_FLAG_SPEC_ALLOW",
	"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
	NULL,
};

int cleat_seccomp_action(const char *name, bool has_errno_ret, uint32_t errno_ret, uint32_t *action,
			 cleat_error_t *err)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(actions); i++) {
		if (strcmp(actions[i].name, name) != 0)
			continue;
		uint32_t ret = has_errno_ret ? errno_ret : EPERM;
		switch (actions[i].kind) {
		case ACT_ERRNO: *action = SCMP_ACT_ERRNO(ret); return 0;
		case ACT_TRACE: *action = SCMP_ACT_TRACE(ret); return 0;
		case ACT_PLAIN:
			if (has_errno_ret)
				return cleat_error_msg(err,
						       "errnoRet is only valid with SCMP_ACT_ERRNO "
						       "and SCMP_ACT_TRACE, not %s",
						       name);
			*action = actions[i].action;
			return 0;
		}
	}
	return cleat_error_msg(err, "unknown seccomp action \"%s\"", name ? name : "(null)");
}

int cleat_seccomp_op(const char *name, int *op, cleat_error_t *err)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(ops); i++)
		if (strcmp(ops[i].name, name) == 0) {
			*op = (int) ops[i].op;
			return 0;
		}
	return cleat_error_msg(err, "unknown seccomp operator \"%s\"", name ? name : "(null)");
}

int cleat_seccomp_arch(const char *name, uint32_t *arch, cleat_error_t *err)
{
	if (name && str_has_prefix(name, "SCMP_ARCH_")) {
		char lower[32];
		size_t i = 0;
		for (const char *p = name + strlen("SCMP_ARCH_"); *p && i + 1 < sizeof lower; p++)
			lower[i++] = (*p >= 'A' && *p <= 'Z') ? (char) (*p - 'A' + 'a') : *p;
		lower[i] = '\0';
		uint32_t a = seccomp_arch_resolve_name(lower);
		if (a != 0) {
			*arch = a;
			return 0;
		}
	}
	return cleat_error_msg(err, "unknown seccomp architecture \"%s\"", name ? name : "(null)");
}

int cleat_seccomp_flag(const char *name, unsigned long *flag, cleat_error_t *err)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(flags); i++)
		if (strcmp(flags[i].name, name) == 0) {
			*flag = flags[i].flag;
			return 0;
		}
	return cleat_error_msg(err, "unknown seccomp flag \"%s\"", name ? name : "(null)");
}

static void scmp_ctx_freep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}
#define _cleanup_scmp_ __attribute__((cleanup(scmp_ctx_freep)))

static int add_syscall_rules(scmp_filter_ctx ctx, const struct oci_seccomp_syscall *sc, size_t idx,
			     uint32_t default_action, bool *has_notify, cleat_error_t *err)
{
	uint32_t action;
	if (cleat_seccomp_action(sc->action, sc->has_errno_ret, sc->errno_ret, &action, err) < 0)
		return cleat_error_wrap(err, "linux.seccomp.syscalls[%zu]", idx);
	struct scmp_arg_cmp cmp[SYSCALL_MAX_ARGS * 4];
	unsigned count[SYSCALL_MAX_ARGS] = { 0 };
	if (sc->n_args > ARRAY_SIZE(cmp))
		return cleat_error_msg(err, "linux.seccomp.syscalls[%zu]: too many args", idx);
	bool separate = false;
	for (size_t a = 0; a < sc->n_args; a++) {
		const struct oci_seccomp_arg *arg = &sc->args[a];
		int op;
		if (arg->index >= SYSCALL_MAX_ARGS)
			return cleat_error_msg(err,
					       "linux.seccomp.syscalls[%zu].args[%zu]: index %u "
					       "out of range (0-5)",
					       idx, a, arg->index);
		if (cleat_seccomp_op(arg->op, &op, err) < 0)
			return cleat_error_wrap(err, "linux.seccomp.syscalls[%zu].args[%zu]", idx,
						a);
		if (++count[arg->index] > 1)
			separate = true;
		/* libseccomp's MASKED_EQ takes (mask, value): the spec's value, valueTwo. */
		cmp[a] = (struct scmp_arg_cmp){ .arg = arg->index,
						.op = (enum scmp_compare) op,
						.datum_a = arg->value,
						.datum_b = arg->value_two };
	}
	if (action == SCMP_ACT_NOTIFY) {
		*has_notify = true;
		/* runc refuses it: the runtime itself writes between loading the filter and
		 * handing over the listener. cleat does not, but keeps runc's contract. */
		for (size_t n = 0; n < sc->n_names; n++)
			if (sc->names[n] && strcmp(sc->names[n], "write") == 0)
				return cleat_error_msg(
					err,
					"linux.seccomp.syscalls[%zu]: SCMP_ACT_NOTIFY "
					"cannot be used for the write syscall",
					idx);
	}
	if (action == default_action)
		return 0;

	for (size_t n = 0; n < sc->n_names; n++) {
		const char *name = sc->names[n];
		int nr = seccomp_syscall_resolve_name(name);
		if (nr == __NR_SCMP_ERROR) {
			cleat_debug("seccomp: unknown syscall \"%s\" ignored", name ? name : "");
			continue;
		}
		int rc = 0;
		if (sc->n_args == 0)
			rc = seccomp_rule_add_array(ctx, action, nr, 0, NULL);
		else if (!separate)
			rc = seccomp_rule_add_array(ctx, action, nr, (unsigned) sc->n_args, cmp);
		else
			for (size_t a = 0; a < sc->n_args && rc == 0; a++)
				rc = seccomp_rule_add_array(ctx, action, nr, 1, &cmp[a]);
		if (rc < 0)
			return cleat_error_errno(err, -rc,
						 "linux.seccomp.syscalls[%zu]: add rule for "
						 "\"%s\"",
						 idx, name);
	}
	return 0;
}

static int build_ctx(const struct oci_seccomp *s, uint32_t layout, scmp_filter_ctx *out,
		     unsigned long *kflags, uint32_t *default_action, cleat_error_t *err)
{
	uint32_t def;
	if (s->default_action == NULL)
		return cleat_error_msg(err, "linux.seccomp.defaultAction is required");
	if (cleat_seccomp_action(s->default_action, s->has_default_errno_ret, s->default_errno_ret,
				 &def, err) < 0)
		return cleat_error_wrap(err, "linux.seccomp.defaultAction");
	_cleanup_scmp_ scmp_filter_ctx ctx = seccomp_init(def);
	if (ctx == NULL)
		return cleat_error_msg(err, "seccomp_init failed");
	int lrc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, layout);
	if (lrc < 0)
		return cleat_error_errno(err, -lrc, "set the seccomp filter layout");
	for (size_t i = 0; i < s->n_architectures; i++) {
		uint32_t arch;
		if (cleat_seccomp_arch(s->architectures[i], &arch, err) < 0)
			return cleat_error_wrap(err, "linux.seccomp.architectures[%zu]", i);
		int rc = seccomp_arch_add(ctx, arch);
		if (rc < 0 && rc != -EEXIST)
			return cleat_error_errno(err, -rc, "add seccomp architecture %s",
						 s->architectures[i]);
	}
	*kflags = 0;
	for (size_t i = 0; i < s->n_flags; i++) {
		unsigned long f;
		if (cleat_seccomp_flag(s->flags[i], &f, err) < 0)
			return cleat_error_wrap(err, "linux.seccomp.flags[%zu]", i);
		*kflags |= f;
	}
	bool has_notify = false;
	for (size_t i = 0; i < s->n_syscalls; i++)
		if (add_syscall_rules(ctx, &s->syscalls[i], i, def, &has_notify, err) < 0)
			return -1;
	if (def == SCMP_ACT_NOTIFY)
		has_notify = true;
	if (has_notify) {
		if (s->listener_path == NULL || s->listener_path[0] == '\0')
			return cleat_error_msg(err, "linux.seccomp: SCMP_ACT_NOTIFY requires "
						    "listenerPath");
		*kflags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		/* TSYNC and NEW_LISTENER both want the return value; ESRCH frees it. */
		if (*kflags & SECCOMP_FILTER_FLAG_TSYNC)
			*kflags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	}
	*default_action = def;
	*out = TAKE_PTR(ctx);
	return 0;
}

/* libseccomp's layouts (SCMP_FLTATR_CTL_OPTIMIZE): 1, its default, checks the rules of
 * an arch one after the other (sorted by priority); 2 is a binary tree on the syscall
 * number.  Both give the same verdicts. */
#define LAYOUT_LINEAR 1
#define LAYOUT_TREE 2

static int compile_layout(const struct oci_seccomp *s, uint32_t layout, struct sock_filter **prog,
			  size_t *len, unsigned long *kflags, cleat_error_t *err)
{
	_cleanup_scmp_ scmp_filter_ctx ctx = NULL;
	uint32_t def = SCMP_ACT_ALLOW;
	if (build_ctx(s, layout, &ctx, kflags, &def, err) < 0)
		return -1;
	/* libseccomp 2.5 only exports to an fd. */
	_cleanup_close_ int fd = memfd_create("cleat-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return cleat_error_errno(err, errno, "memfd_create");
	int rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0)
		return cleat_error_errno(err, -rc, "export the seccomp filter");
	if (lseek(fd, 0, SEEK_SET) < 0)
		return cleat_error_errno(err, errno, "lseek");
	_cleanup_free_ char *buf = NULL;
	size_t n;
	if (read_all_fd(fd, "seccomp filter", &buf, &n, err) < 0)
		return -1;
	if (n == 0 || n % sizeof(struct sock_filter) != 0)
		return cleat_error_msg(err, "seccomp filter export has a bad size (%zu)", n);
	_cleanup_free_ struct sock_filter *stub = NULL;
	size_t nstub = 0;
	if (cleat_seccomp_enosys_stub(s, def, &stub, &nstub) < 0)
		return cleat_error_msg(err, "seccomp: building the ENOSYS stub failed");
	/* The stub goes first and falls through into libseccomp's program, whose
	 * jumps are relative and so unaffected. */
	size_t nf = n / sizeof(struct sock_filter);
	struct sock_filter *all = xmalloc((nstub + nf) * sizeof *all);
	if (nstub)
		memcpy(all, stub, nstub * sizeof *all);
	memcpy(all + nstub, buf, n);
	*prog = all;
	*len = nstub + nf;
	return 0;
}

/* The tree: at load the kernel works out, for every syscall number of every arch, whether
 * the filter allows it whatever the arguments (its action cache), by running the filter on
 * that number; through a linear list of docker's 300-odd syscalls that took 1 ms of the
 * container's start, through the tree half of it.  Filtered syscalls also go through
 * log(n) checks instead of n. */
int cleat_seccomp_compile(const struct oci_seccomp *s, struct sock_filter **prog, size_t *len,
			  unsigned long *kflags, cleat_error_t *err)
{
	return compile_layout(s, LAYOUT_TREE, prog, len, kflags, err);
}

int cleat_seccomp_compile_linear(const struct oci_seccomp *s, struct sock_filter **prog,
				 size_t *len, unsigned long *kflags, cleat_error_t *err)
{
	return compile_layout(s, LAYOUT_LINEAR, prog, len, kflags, err);
}

/* The program cleat_seccomp_prepare() made for profile `s`, inherited by the
 * process that loads it (the init shares or copies this memory). */
static struct {
	const struct oci_seccomp *s;
	struct sock_filter *prog;
	size_t len;
	unsigned long kflags;
} prepared;

void cleat_seccomp_prepare(const struct oci_seccomp *s, const char *root)
{
	if (s == NULL || prepared.s == s)
		return;
	uint8_t key[32];
	cleat_seccomp_cache_key(s, key);
	_cleanup_close_ int dirfd = root ? cleat_seccomp_cache_open(root) : -1;
	struct sock_filter *prog = NULL;
	size_t len;
	unsigned long kflags;
	if (dirfd >= 0 && cleat_seccomp_cache_get(dirfd, key, &prog, &len, &kflags) == 1) {
		cleat_debug("seccomp: compiled filter taken from the cache");
	} else {
		_cleanup_error_ cleat_error_t err = NULL;
		/* An error is reported by the load, where it always was. */
		if (cleat_seccomp_compile(s, &prog, &len, &kflags, &err) < 0)
			return;
		if (dirfd >= 0 && cleat_seccomp_cache_put(dirfd, key, prog, len, kflags) < 0)
			cleat_debug("seccomp: could not store the compiled filter: %s",
				    strerror(errno));
	}
	free(prepared.prog);
	prepared.s = s;
	prepared.prog = prog;
	prepared.len = len;
	prepared.kflags = kflags;
}

int cleat_seccomp_load(const struct oci_seccomp *s, bool no_new_privs, int *notify_fd,
		       cleat_error_t *err)
{
	*notify_fd = -1;
	if (s == NULL)
		return 0;
	_cleanup_free_ struct sock_filter *insns = NULL;
	const struct sock_filter *filter;
	size_t len;
	unsigned long kflags;
	if (prepared.s == s) {
		filter = prepared.prog;
		len = prepared.len;
		kflags = prepared.kflags;
	} else {
		if (cleat_seccomp_compile(s, &insns, &len, &kflags, err) < 0)
			return -1;
		filter = insns;
	}
	if (len > USHRT_MAX)
		return cleat_error_msg(err, "seccomp filter too long (%zu instructions)", len);
	if (no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return cleat_error_errno(err, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
	struct sock_fprog prog = { .len = (unsigned short) len,
				   .filter = (struct sock_filter *) filter };
	long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, kflags, &prog);
	/* WAIT_KILLABLE_RECV is 5.19+: "where the kernel has it" means drop it on older ones. */
	if (rc < 0 && errno == EINVAL && (kflags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)) {
		kflags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
		rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, kflags, &prog);
	}
	if (rc < 0)
		return cleat_error_errno(err, errno, "load the seccomp filter");
	if (kflags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
		*notify_fd = (int) rc; /* the kernel makes it O_CLOEXEC */
	return 0;
}

static void yajl_tree_freep(yajl_val *v)
{
	if (*v)
		yajl_tree_free(*v);
}

static void yajl_gen_freep(yajl_gen *g)
{
	if (*g)
		yajl_gen_free(*g);
}

char *cleat_seccomp_process_state(const struct oci_seccomp *s, const char *state_json, pid_t pid,
				  cleat_error_t *err)
{
	char errbuf[256] = "";
	__attribute__((cleanup(yajl_tree_freep)))
	yajl_val state = yajl_tree_parse(state_json ? state_json : "", errbuf, sizeof errbuf);
	if (state == NULL || !YAJL_IS_OBJECT(state))
		return cleat_error_msg(err, "seccomp listener: bad container state: %s", errbuf),
		       NULL;
	const char *pid_path[] = { "pid", NULL };
	const char *ver_path[] = { "ociVersion", NULL };
	yajl_val state_pid = yajl_tree_get(state, pid_path, yajl_t_number);
	yajl_val ver = yajl_tree_get(state, ver_path, yajl_t_string);

	__attribute__((cleanup(yajl_gen_freep))) yajl_gen g = yajl_gen_alloc(NULL);
	yajl_gen_map_open(g);
	cleat_json_gen_str(g, "ociVersion");
	cleat_json_gen_str(g, ver ? YAJL_GET_STRING(ver) : "1.2.0");
	cleat_json_gen_str(g, "fds");
	yajl_gen_array_open(g);
	cleat_json_gen_str(g, "seccompFd");
	yajl_gen_array_close(g);
	cleat_json_gen_str(g, "pid");
	if (pid > 0)
		yajl_gen_integer(g, pid);
	else if (state_pid)
		oci_json_gen_value(g, state_pid);
	else
		yajl_gen_integer(g, 0);
	/* runc (Go, omitempty) leaves out empty metadata. */
	if (s->listener_metadata && s->listener_metadata[0]) {
		cleat_json_gen_str(g, "metadata");
		cleat_json_gen_str(g, s->listener_metadata);
	}
	cleat_json_gen_str(g, "state");
	oci_json_gen_value(g, state);
	yajl_gen_map_close(g);
	const unsigned char *buf;
	size_t len;
	yajl_gen_get_buf(g, &buf, &len);
	return xstrndup((const char *) buf, len);
}

int cleat_seccomp_send_listener(const struct oci_seccomp *s, int notify_fd, const char *state_json,
				cleat_error_t *err)
{
	return cleat_seccomp_send_listener_pid(s, notify_fd, state_json, 0, err);
}

int cleat_seccomp_send_listener_pid(const struct oci_seccomp *s, int notify_fd,
				    const char *state_json, pid_t pid, cleat_error_t *err)
{
	if (s == NULL || notify_fd < 0)
		return 0;
	if (s->listener_path == NULL)
		return cleat_error_msg(err, "linux.seccomp: SCMP_ACT_NOTIFY requires listenerPath");
	_cleanup_free_ char *msg = cleat_seccomp_process_state(s, state_json, pid, err);
	if (msg == NULL)
		return -1;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(s->listener_path) >= sizeof addr.sun_path)
		return cleat_error_msg(err, "seccomp listenerPath \"%s\" is too long",
				       s->listener_path);
	strcpy(addr.sun_path, s->listener_path);
	_cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return cleat_error_errno(err, errno, "socket");
	if (connect(sock, (struct sockaddr *) &addr, sizeof addr) < 0)
		return cleat_error_errno(err, errno,
					 "failed to connect with seccomp agent specified in the "
					 "seccomp profile: connect to seccomp listener \"%s\"",
					 s->listener_path);
	/* One sendmsg: the whole state as data, the listener fd as SCM_RIGHTS. */
	union cleat_scm_fds ctrl;
	struct iovec iov = { .iov_base = msg, .iov_len = strlen(msg) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	cleat_scm_fds_attach(&mh, &ctrl, &notify_fd, 1);
	ssize_t n;
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return cleat_error_errno(err, errno, "send the seccomp fd to \"%s\"",
					 s->listener_path);
	/* A stream may take the data in parts; the fd went with the first byte. */
	size_t off = (size_t) n;
	while (off < iov.iov_len) {
		n = send(sock, msg + off, iov.iov_len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cleat_error_errno(err, errno, "send the container state to \"%s\"",
						 s->listener_path);
		off += (size_t) n;
	}
	return 0;
}
