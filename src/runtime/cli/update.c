/* cleat update [flags] <id>: runc's flags, or --resources FILE|- with a
 * linux.resources JSON object (what containerd's shim sends on stdin). */
#include "config.h"
#include "runtime/cli/cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "oci-spec/config.h"
#include "runtime/cgroups/verbs.h"

enum {
	O_BLKIO_WEIGHT = 256,
	O_CPU_PERIOD,
	O_CPU_QUOTA,
	O_CPU_BURST,
	O_CPU_IDLE,
	O_CPU_SHARES,
	O_CPU_RT_PERIOD,
	O_CPU_RT_RUNTIME,
	O_CPUSET_CPUS,
	O_CPUSET_MEMS,
	O_KMEM,
	O_KMEM_TCP,
	O_MEMORY,
	O_MEMORY_RES,
	O_MEMORY_SWAP,
	O_PIDS,
	O_L3,
	O_MEMBW,
};

/* docker's RAMInBytes: "64m", "1.5g", "1024" (binary units, optional b/ib). */
static int parse_bytes(const char *flag, const char *s, int64_t *out, cleat_error_t *err)
{
	if (strcmp(s, "-1") == 0) {
		*out = -1;
		return 0;
	}
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno || v < 0)
		goto bad;
	double mul = 1;
	switch (tolower((unsigned char) *end)) {
	case 0: break;
	case 'b':
		mul = 1;
		end++;
		break;
	case 'k':
		mul = 1024.0;
		end++;
		break;
	case 'm':
		mul = 1024.0 * 1024;
		end++;
		break;
	case 'g':
		mul = 1024.0 * 1024 * 1024;
		end++;
		break;
	case 't':
		mul = 1024.0 * 1024 * 1024 * 1024;
		end++;
		break;
	case 'p':
		mul = 1024.0 * 1024 * 1024 * 1024 * 1024;
		end++;
		break;
	default: goto bad;
	}
	if (mul != 1 && tolower((unsigned char) *end) == 'i')
		end++;
	if (mul != 1 && tolower((unsigned char) *end) == 'b')
		end++;
	if (*end)
		goto bad;
	*out = (int64_t) (v * mul);
	return 0;
bad:
	return cleat_error_msg(err, "invalid value for %s: \"%s\"", flag, s);
}

static int parse_num(const char *flag, const char *s, long long min, long long max, long long *out,
		     cleat_error_t *err)
{
	if (parse_int(s, min, max, out) < 0)
		return cleat_error_msg(err, "invalid value for %s: \"%s\"", flag, s);
	return 0;
}

static int read_resources(const char *file, struct oci_resources **out, cleat_error_t *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	if (strcmp(file, "-") == 0) {
		if (read_all_fd(0, "stdin", &text, &len, err) < 0)
			return -1;
	} else if (read_file(file, &text, &len, err) < 0)
		return -1;
	return oci_resources_parse(text, len, strcmp(file, "-") == 0 ? "stdin" : file, out, err);
}

static int apply_flag(struct oci_resources *r, int c, const char *arg, cleat_error_t *err)
{
	long long v = 0;
	int64_t b = 0;
	switch (c) {
	case O_BLKIO_WEIGHT:
		if (parse_num("--blkio-weight", arg, 0, 1000, &v, err) < 0)
			return -1;
		r->has_blkio = r->blkio.has_weight = true;
		r->blkio.weight = (uint16_t) v;
		return 0;
	case O_CPU_PERIOD:
	case O_CPU_RT_PERIOD:
	case O_CPU_BURST:
	case O_CPU_SHARES:
		if (parse_num("--cpu-*", arg, 0, INT64_MAX, &v, err) < 0)
			return -1;
		r->has_cpu = true;
		if (c == O_CPU_PERIOD)
			r->cpu.has_period = true, r->cpu.period = (uint64_t) v;
		else if (c == O_CPU_BURST)
			r->cpu.has_burst = true, r->cpu.burst = (uint64_t) v;
		else if (c == O_CPU_RT_PERIOD)
			r->cpu.has_realtime_period = true, r->cpu.realtime_period = (uint64_t) v;
		else
			r->cpu.has_shares = true, r->cpu.shares = (uint64_t) v;
		return 0;
	case O_CPU_QUOTA:
	case O_CPU_RT_RUNTIME:
	case O_CPU_IDLE:
		if (parse_num("--cpu-*", arg, INT64_MIN, INT64_MAX, &v, err) < 0)
			return -1;
		r->has_cpu = true;
		if (c == O_CPU_QUOTA)
			r->cpu.has_quota = true, r->cpu.quota = v;
		else if (c == O_CPU_IDLE)
			r->cpu.has_idle = true, r->cpu.idle = v;
		else
			r->cpu.has_realtime_runtime = true, r->cpu.realtime_runtime = v;
		return 0;
	case O_CPUSET_CPUS:
		r->has_cpu = true;
		free(r->cpu.cpus);
		r->cpu.cpus = xstrdup(arg);
		return 0;
	case O_CPUSET_MEMS:
		r->has_cpu = true;
		free(r->cpu.mems);
		r->cpu.mems = xstrdup(arg);
		return 0;
	case O_KMEM:
	case O_KMEM_TCP:
	case O_MEMORY:
	case O_MEMORY_RES:
	case O_MEMORY_SWAP:
		if (parse_bytes("--memory*", arg, &b, err) < 0)
			return -1;
		r->has_memory = true;
		if (c == O_KMEM)
			r->memory.has_kernel = true, r->memory.kernel = b;
		else if (c == O_KMEM_TCP)
			r->memory.has_kernel_tcp = true, r->memory.kernel_tcp = b;
		else if (c == O_MEMORY)
			r->memory.has_limit = true, r->memory.limit = b;
		else if (c == O_MEMORY_RES)
			r->memory.has_reservation = true, r->memory.reservation = b;
		else
			r->memory.has_swap = true, r->memory.swap = b;
		return 0;
	case O_PIDS:
		if (parse_num("--pids-limit", arg, INT64_MIN, INT64_MAX, &v, err) < 0)
			return -1;
		r->has_pids = true;
		r->pids_limit = v;
		return 0;
	}
	return -1;
}

/* runc's flags and order; --cpu-shares is an alias cleat keeps for callers
 * that spell it like docker, and runc hides the kernel-memory pair. */
const struct cli_flag cli_update_flags[] = {
	{ "resources", 'r', 'r', true, NULL,
	  "path to the file containing the resources to update or '-' to read from the standard "
	  "input\n\nThe file holds a runtime-spec linux.resources object (\"memory\", \"cpu\",\n"
	  "\"blockIO\", \"pids\", ...); values it leaves out are unchanged.\n\n"
	  "Note: if data is to be read from a file or the standard input, all\n"
	  "other cgroup options are ignored.",
	  false },
	{ "blkio-weight", 0, O_BLKIO_WEIGHT, true, "0",
	  "Specifies per cgroup weight, range is from 10 to 1000", false },
	{ "cpu-period", 0, O_CPU_PERIOD, true, NULL,
	  "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default", false },
	{ "cpu-quota", 0, O_CPU_QUOTA, true, NULL,
	  "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period", false },
	{ "cpu-burst", 0, O_CPU_BURST, true, NULL,
	  "CPU CFS hardcap burst limit (in usecs). Allowed accumulated cpu time additionally for "
	  "burst a given period",
	  false },
	{ "cpu-share", 0, O_CPU_SHARES, true, NULL,
	  "CPU shares (relative weight vs. other containers)", false },
	{ "cpu-shares", 0, O_CPU_SHARES, true, NULL, "same as --cpu-share", true },
	{ "cpu-rt-period", 0, O_CPU_RT_PERIOD, true, NULL,
	  "CPU realtime period to be used for hardcapping (in usecs). 0 to use system default",
	  false },
	{ "cpu-rt-runtime", 0, O_CPU_RT_RUNTIME, true, NULL,
	  "CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period", false },
	{ "cpuset-cpus", 0, O_CPUSET_CPUS, true, NULL, "CPU(s) to use", false },
	{ "cpuset-mems", 0, O_CPUSET_MEMS, true, NULL, "Memory node(s) to use", false },
	{ "memory", 0, O_MEMORY, true, NULL, "Memory limit (in bytes)", false },
	{ "cpu-idle", 0, O_CPU_IDLE, true, NULL,
	  "set cgroup SCHED_IDLE or not, 0: default behavior, 1: SCHED_IDLE", false },
	{ "memory-reservation", 0, O_MEMORY_RES, true, NULL,
	  "Memory reservation or soft_limit (in bytes)", false },
	{ "memory-swap", 0, O_MEMORY_SWAP, true, NULL,
	  "Total memory usage (memory + swap); set '-1' to enable unlimited swap", false },
	{ "pids-limit", 0, O_PIDS, true, "0", "Maximum number of pids allowed in the container",
	  false },
	{ "l3-cache-schema", 0, O_L3, true, NULL, "The string of Intel RDT/CAT L3 cache schema",
	  false },
	{ "mem-bw-schema", 0, O_MEMBW, true, NULL,
	  "The string of Intel RDT/MBA memory bandwidth schema", false },
	{ "kernel-memory", 0, O_KMEM, true, NULL, "Kernel memory limit (in bytes)", true },
	{ "kernel-memory-tcp", 0, O_KMEM_TCP, true, NULL,
	  "Kernel memory limit (in bytes) for tcp buffer", true },
	CLI_FLAGS_END,
};

static void resources_freep(struct oci_resources **r) { oci_resources_free(*r); }

int cli_update(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	__attribute__((cleanup(resources_freep))) struct oci_resources *flags = xmalloc0(
		sizeof *flags);
	const char *file = NULL, *l3 = NULL, *mb = NULL;
	int c;
	optind = 0;
	while ((c = cli_getopt(argc, argv, cli_update_flags, "update", err)) != -1) {
		if (c == '?')
			return -1;
		if (c == 'r')
			file = optarg;
		else if (c == O_L3)
			l3 = optarg;
		else if (c == O_MEMBW)
			mb = optarg;
		else if (apply_flag(flags, c, optarg, err) < 0)
			return -1;
	}
	if (cli_require_args(argc, "update", 1, err) < 0)
		return -1;
	__attribute__((cleanup(resources_freep))) struct oci_resources *fromfile = NULL;
	/* As runc: --resources replaces the cgroup flags altogether (the intelRdt
	 * ones still apply). */
	if (file && read_resources(file, &fromfile, err) < 0)
		return -1;
	return cleat_container_update(ctx, argv[optind], fromfile ? fromfile : flags, l3, mb, err);
}
