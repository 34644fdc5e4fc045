/* process.capabilities: bounding, effective, permitted, inheritable, ambient.
 *
 * Order (same as runc's finalizeNamespace, so /proc/self/status matches):
 *   1. cleat_caps_drop_bounding(): PR_CAPBSET_DROP of every cap outside
 *      `bounding` (needs CAP_SETPCAP, so before the uid switch), then
 *      PR_SET_KEEPCAPS so setresuid() to a non-zero uid keeps the permitted set;
 *   2. the caller switches gid/uid;
 *   3. cleat_caps_apply(): clear KEEPCAPS, capset E/P/I in one call, then raise
 *      each ambient cap.
 * An absent `capabilities` object means every set is empty (runc drops all). */
#include "config.h"
#include "runtime/linux/caps.h"
#include "runtime/linux/security.h"

#include <errno.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "common/log.h"
#include "common/util.h"

/* The kernel's capability numbers (include/uapi/linux/capability.h); a name's
 * index here is its number.  Kept here rather than asked from libcap so that
 * validation does not depend on which libcap the binary was built against.
 * NULL-terminated so that `cleat features` can list it as is. */
static const char *const cap_names[] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_DAC_READ_SEARCH",
	"CAP_FOWNER",
	"CAP_FSETID",
	"CAP_KILL",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",
	"CAP_NET_RAW",
	"CAP_IPC_LOCK",
	"CAP_IPC_OWNER",
	"CAP_SYS_MODULE",
	"CAP_SYS_RAWIO",
	"CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",
	"CAP_SYS_ADMIN",
	"CAP_SYS_BOOT",
	"CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",
	"CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG",
	"CAP_MKNOD",
	"CAP_LEASE",
	"CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL",
	"CAP_SETFCAP",
	"CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN",
	"CAP_SYSLOG",
	"CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND",
	"CAP_AUDIT_READ",
	"CAP_PERFMON",
	"CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
	NULL,
};
#define N_CAP_NAMES (ARRAY_SIZE(cap_names) - 1)

const char *const *cleat_cap_names(void) { return cap_names; }

int cleat_cap_from_name(const char *name)
{
	if (name == NULL)
		return -1;
	for (size_t i = 0; i < N_CAP_NAMES; i++)
		if (strcmp(cap_names[i], name) == 0)
			return (int) i;
	/* A libcap newer than this table may know more ("CAP_FOO" spelled upper-case,
	 * as the spec and runc require; libcap itself is case-insensitive). */
	if (!str_has_prefix(name, "CAP_"))
		return -1;
	for (const char *p = name; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			return -1;
	cap_value_t v;
	if (cap_from_name(name, &v) == 0 && v >= (cap_value_t) N_CAP_NAMES && v < 64)
		return (int) v;
	return -1;
}

const char *cleat_cap_name(int cap)
{
	if (cap >= 0 && (size_t) cap < N_CAP_NAMES)
		return cap_names[cap];
	return NULL;
}

int cleat_cap_last(void)
{
	/* libcap probes the kernel (cap_last_cap or PR_CAPBSET_READ). */
	int n = (int) cap_max_bits();
	return n > 0 ? n - 1 : (int) N_CAP_NAMES - 1;
}

int cleat_caps_mask(char *const *names, size_t n, const char *field, uint64_t *mask,
		    char **unavailable, cleat_error_t *err)
{
	return cleat_caps_mask_last(names, n, field, cleat_cap_last(), mask, unavailable, err);
}

int cleat_caps_mask_last(char *const *names, size_t n, const char *field, int last, uint64_t *mask,
			 char **unavailable, cleat_error_t *err)
{
	*mask = 0;
	if (unavailable)
		*unavailable = NULL;
	for (size_t i = 0; i < n; i++) {
		int cap = cleat_cap_from_name(names[i]);
		if (cap < 0) {
			free(unavailable ? TAKE_PTR(*unavailable) : NULL);
			return cleat_error_msg(err, "%s: unknown capability \"%s\"", field,
					       names[i] ? names[i] : "(null)");
		}
		if (cap > last) {
			/* Known name, newer than this kernel: runc skips it with a warning. */
			if (unavailable) {
				char *list = *unavailable
						     ? xasprintf("%s %s", *unavailable, names[i])
						     : xstrdup(names[i]);
				free(*unavailable);
				*unavailable = list;
			}
			continue;
		}
		*mask |= UINT64_C(1) << cap;
	}
	return 0;
}

struct cap_sets {
	uint64_t bounding, effective, permitted, inheritable, ambient;
};

static int caps_sets(const struct oci_capabilities *c, struct cap_sets *s, bool warn,
		     cleat_error_t *err)
{
	memset(s, 0, sizeof *s);
	if (c == NULL)
		return 0;
	struct {
		const char *field;
		char *const *names;
		size_t n;
		uint64_t *mask;
	} sets[] = {
		{ "process.capabilities.bounding", c->bounding, c->n_bounding, &s->bounding },
		{ "process.capabilities.effective", c->effective, c->n_effective, &s->effective },
		{ "process.capabilities.permitted", c->permitted, c->n_permitted, &s->permitted },
		{ "process.capabilities.inheritable", c->inheritable, c->n_inheritable,
		  &s->inheritable },
		{ "process.capabilities.ambient", c->ambient, c->n_ambient, &s->ambient },
	};
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++) {
		_cleanup_free_ char *unavailable = NULL;
		if (cleat_caps_mask(sets[i].names, sets[i].n, sets[i].field, sets[i].mask,
				    &unavailable, err) < 0)
			return -1;
		if (warn && unavailable)
			cleat_warn("%s: ignoring capabilities unknown to this kernel: %s",
				   sets[i].field, unavailable);
	}
	return 0;
}

int cleat_caps_validate(const struct oci_capabilities *caps, cleat_error_t *err)
{
	struct cap_sets s;
	return caps_sets(caps, &s, true, err);
}

int cleat_caps_drop_bounding(const struct oci_capabilities *caps, cleat_error_t *err)
{
	struct cap_sets s;
	if (caps_sets(caps, &s, false, err) < 0)
		return -1;
	int last = cleat_cap_last();
	for (int cap = 0; cap <= last; cap++) {
		if (s.bounding & (UINT64_C(1) << cap))
			continue;
		/* EPERM without CAP_SETPCAP is fine for a cap that is already gone. */
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL &&
		    !(errno == EPERM && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 0))
			return cleat_error_errno(err, errno,
						 "drop capability %s from the bounding set",
						 cleat_cap_name(cap) ? cleat_cap_name(cap) : "?");
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return cleat_error_errno(err, errno, "prctl(PR_SET_KEEPCAPS)");
	return 0;
}

static void cap_t_freep(cap_t *c)
{
	if (*c)
		cap_free(*c);
}

static int set_flag(cap_t c, cap_flag_t flag, uint64_t mask, int last, cleat_error_t *err)
{
	for (int cap = 0; cap <= last; cap++) {
		if (!(mask & (UINT64_C(1) << cap)))
			continue;
		cap_value_t v = cap;
		if (cap_set_flag(c, flag, 1, &v, CAP_SET) < 0)
			return cleat_error_errno(err, errno, "cap_set_flag");
	}
	return 0;
}

int cleat_caps_apply(const struct oci_capabilities *caps, cleat_error_t *err)
{
	struct cap_sets s;
	if (caps_sets(caps, &s, false, err) < 0)
		return -1;
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return cleat_error_errno(err, errno, "prctl(PR_SET_KEEPCAPS, 0)");

	int last = cleat_cap_last();
	__attribute__((cleanup(cap_t_freep))) cap_t c = cap_init();
	if (c == NULL)
		return cleat_error_errno(err, errno, "cap_init");
	if (set_flag(c, CAP_EFFECTIVE, s.effective, last, err) < 0 ||
	    set_flag(c, CAP_PERMITTED, s.permitted, last, err) < 0 ||
	    set_flag(c, CAP_INHERITABLE, s.inheritable, last, err) < 0)
		return -1;
	if (cap_set_proc(c) < 0)
		return cleat_error_errno(err, errno, "apply capabilities");

	/* runc ignores a failed raise (e.g. a cap not in permitted+inheritable):
	 * the container starts without it.  Doing the same keeps the two runtimes'
	 * CapAmb identical for the same config. */
	for (int cap = 0; cap <= last; cap++)
		if (s.ambient & (UINT64_C(1) << cap))
			(void) prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
	return 0;
}
