/* process.scheduler (sched_setattr), process.ioPriority (ioprio_set) and
 * process.execCPUAffinity.
 *
 * execCPUAffinity (runtime-spec config.md): `initial` is the affinity the
 * process runs with before it is moved into the container's cgroup, `final`
 * the one it gets right after (moving into a cpuset cgroup resets affinity to
 * the cpuset, so `final` must come after the move).  The parent sets `initial`
 * on the exec helper before moving it (cleat_sched_set_affinity()); the
 * process, already inside the cgroup when it calls cleat_sched_apply(), sets
 * `final` on itself.  cleat_sched_set_final_affinity() does the same for a
 * caller that moves a process from outside. */
#include "config.h"
#include "runtime/linux/sched.h"
#include "runtime/linux/security.h"

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/util.h"

/* uapi linux/sched/types.h, SCHED_ATTR_SIZE_VER1 */
struct cleat_sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
	uint32_t sched_util_min;
	uint32_t sched_util_max;
};

static const struct {
	const char *name;
	int value;
} policies[] = {
	{ "SCHED_OTHER", 0 }, { "SCHED_FIFO", 1 }, { "SCHED_RR", 2 },	    { "SCHED_BATCH", 3 },
	{ "SCHED_ISO", 4 },   { "SCHED_IDLE", 5 }, { "SCHED_DEADLINE", 6 },
};

static const struct {
	const char *name;
	uint64_t value;
} sched_flags[] = {
	{ "SCHED_FLAG_RESET_ON_FORK", 0x01 },  { "SCHED_FLAG_RECLAIM", 0x02 },
	{ "SCHED_FLAG_DL_OVERRUN", 0x04 },     { "SCHED_FLAG_KEEP_POLICY", 0x08 },
	{ "SCHED_FLAG_KEEP_PARAMS", 0x10 },    { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
	{ "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
};

static const struct {
	const char *name;
	int value;
} io_classes[] = {
	{ "IOPRIO_CLASS_RT", 1 },
	{ "IOPRIO_CLASS_BE", 2 },
	{ "IOPRIO_CLASS_IDLE", 3 },
};

int cleat_sched_policy(const char *name, int *policy, cleat_error_t *err)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(policies); i++)
		if (strcmp(policies[i].name, name) == 0) {
			*policy = policies[i].value;
			return 0;
		}
	return cleat_error_msg(err, "process.scheduler.policy: unknown policy \"%s\"",
			       name ? name : "(null)");
}

int cleat_sched_flag(const char *name, uint64_t *flag, cleat_error_t *err)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(sched_flags); i++)
		if (strcmp(sched_flags[i].name, name) == 0) {
			*flag = sched_flags[i].value;
			return 0;
		}
	return cleat_error_msg(err, "process.scheduler.flags: unknown flag \"%s\"",
			       name ? name : "(null)");
}

int cleat_ioprio_value(const struct oci_io_priority *io, int *value, cleat_error_t *err)
{
	for (size_t i = 0; io->class && i < ARRAY_SIZE(io_classes); i++) {
		if (strcmp(io_classes[i].name, io->class) != 0)
			continue;
		/* The kernel accepts 0-7 per class (IOPRIO_NR_LEVELS). */
		if (io->priority < 0 || io->priority > 7)
			return cleat_error_msg(err,
					       "process.ioPriority.priority: %d out of range "
					       "(0-7)",
					       (int) io->priority);
		*value = (io_classes[i].value << 13) | io->priority;
		return 0;
	}
	return cleat_error_msg(err, "process.ioPriority.class: unknown class \"%s\"",
			       io->class ? io->class : "(null)");
}

int cleat_cpu_list_parse(const char *list, cpu_set_t **set, size_t *size, cleat_error_t *err)
{
	/* Two passes: find the highest CPU to size the set, then fill it. */
	long max = -1;
	for (int pass = 0; pass < 2; pass++) {
		const char *p = list;
		while (p && *p) {
			char *end;
			errno = 0;
			long a = strtol(p, &end, 10), b;
			if (end == p || a < 0 || errno)
				goto bad;
			b = a;
			if (*end == '-') {
				p = end + 1;
				b = strtol(p, &end, 10);
				if (end == p || b < a || errno)
					goto bad;
			}
			if (b >= 65536)
				goto bad;
			if (pass == 0 && b > max)
				max = b;
			for (long c = a; pass == 1 && c <= b; c++)
				CPU_SET_S((size_t) c, *size, *set);
			if (*end == ',' && end[1] != '\0')
				end++;
			else if (*end != '\0')
				goto bad;
			p = end;
		}
		if (pass == 0) {
			if (max < 0)
				goto bad;
			*set = CPU_ALLOC((int) max + 1);
			if (*set == NULL)
				return cleat_error_errno(err, ENOMEM, "CPU_ALLOC");
			*size = CPU_ALLOC_SIZE((int) max + 1);
			CPU_ZERO_S(*size, *set);
		}
	}
	return 0;
bad:
	if (*set) {
		CPU_FREE(*set);
		*set = NULL;
	}
	return cleat_error_msg(err, "invalid CPU list \"%s\"", list ? list : "");
}

int cleat_sched_set_affinity(pid_t pid, const char *list, cleat_error_t *err)
{
	cpu_set_t *set = NULL;
	size_t size = 0;
	if (cleat_cpu_list_parse(list, &set, &size, err) < 0)
		return -1;
	int r = sched_setaffinity(pid, size, set);
	int e = errno;
	CPU_FREE(set);
	if (r < 0)
		return cleat_error_errno(err, e, "sched_setaffinity(%s)", list);
	return 0;
}

int cleat_sched_set_final_affinity(const struct oci_process *p, pid_t pid, cleat_error_t *err)
{
	if (p == NULL || p->exec_cpu_affinity == NULL || p->exec_cpu_affinity->final == NULL)
		return 0;
	if (cleat_sched_set_affinity(pid, p->exec_cpu_affinity->final, err) < 0)
		return cleat_error_wrap(err, "process.execCPUAffinity.final");
	return 0;
}

static int apply_scheduler(const struct oci_scheduler *s, const char *cpuset, cleat_error_t *err)
{
	struct cleat_sched_attr attr = { .size = sizeof attr };
	int policy;
	if (cleat_sched_policy(s->policy, &policy, err) < 0)
		return -1;
	attr.sched_policy = (uint32_t) policy;
	for (size_t i = 0; i < s->n_flags; i++) {
		uint64_t f;
		if (cleat_sched_flag(s->flags[i], &f, err) < 0)
			return -1;
		attr.sched_flags |= f;
	}
	attr.sched_nice = s->has_nice ? s->nice : 0;
	if (s->has_priority) {
		if (s->priority < 0)
			return cleat_error_msg(err, "process.scheduler.priority: %d is negative",
					       (int) s->priority);
		attr.sched_priority = (uint32_t) s->priority;
	}
	attr.sched_runtime = s->has_runtime ? s->runtime : 0;
	attr.sched_deadline = s->has_deadline ? s->deadline : 0;
	attr.sched_period = s->has_period ? s->period : 0;
	if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0) {
		/* SCHED_DEADLINE wants every CPU in the affinity: runc's words, which
		 * tools match on, for a cpuset that narrows it. */
		if (errno == EPERM && cpuset && *cpuset)
			return cleat_error_msg(err,
					       "process scheduler can't be used together "
					       "with AllowedCPUs (linux.resources.cpu.cpus "
					       "\"%s\"): sched_setattr(%s): %s",
					       cpuset, s->policy, strerror(EPERM));
		return cleat_error_errno(err, errno, "sched_setattr(%s)", s->policy);
	}
	return 0;
}

/* Do not pass the runtime's own CPU affinity (say, `taskset -c 0 cleat run`) on to the
 * container: ask for every CPU and the kernel clamps that to the cgroup's cpuset, as
 * runc (1.4) does.  Best effort, like runc's; execCPUAffinity, when given, decides
 * instead.  Before the scheduler: SCHED_DEADLINE wants the full affinity. */
#define CLEAT_MAX_CPUS 8192
static void reset_affinity(void)
{
	size_t size = CPU_ALLOC_SIZE(CLEAT_MAX_CPUS);
	cpu_set_t *all = CPU_ALLOC(CLEAT_MAX_CPUS);
	if (all == NULL)
		return;
	memset(all, 0xff, size);
	(void) sched_setaffinity(0, size, all);
	CPU_FREE(all);
}

int cleat_sched_apply(const struct oci_process *p, const char *cpuset, cleat_error_t *err)
{
	if (p == NULL)
		return 0;
	if (p->exec_cpu_affinity == NULL)
		reset_affinity();
	if (p->scheduler && apply_scheduler(p->scheduler, cpuset, err) < 0)
		return -1;
	if (p->io_priority) {
		int value;
		if (cleat_ioprio_value(p->io_priority, &value, err) < 0)
			return -1;
		/* IOPRIO_WHO_PROCESS = 1, who 0 = the calling thread */
		if (syscall(SYS_ioprio_set, 1, 0, value) < 0)
			return cleat_error_errno(err, errno, "ioprio_set(%s, %d)",
						 p->io_priority->class,
						 (int) p->io_priority->priority);
	}
	return cleat_sched_set_final_affinity(p, 0, err);
}
