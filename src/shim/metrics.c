#include "config.h"
#include "shim/metrics.h"
#include "common/cleanup.h"
#include "common/util.h"
#include "cgroups_v1.pb-c.h"
#include "cgroups_v2.pb-c.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define CGROUP_ROOT "/sys/fs/cgroup"

bool cgroup_unified(void)
{
	struct statfs fs;
	return statfs(CGROUP_ROOT, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

/* Is `want` one of the comma-separated controllers in list[0..n)? */
static bool has_controller(const char *list, size_t n, const char *want)
{
	size_t wl = strlen(want);
	for (const char *p = list; p < list + n;) {
		const char *e = memchr(p, ',', (size_t) (list + n - p));
		if (!e)
			e = list + n;
		if ((size_t) (e - p) == wl && strncmp(p, want, wl) == 0)
			return true;
		p = e + 1;
	}
	return false;
}

char *cgroup_dir_from(const char *text, const char *controller, bool unified)
{
	for (const char *line = text; line && *line;) {
		const char *nl = strchrnul(line, '\n');
		const char *c1 = memchr(line, ':', (size_t) (nl - line));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t) (nl - c1 - 1)) : NULL;
		if (c2) {
			size_t clen = (size_t) (c2 - c1 - 1);
			const char *path = c2 + 1;
			int plen = (int) (nl - path);
			if (!controller && clen == 0 && strncmp(line, "0:", 2) == 0)
				return xasprintf("%s%s%.*s", CGROUP_ROOT, unified ? "" : "/unified",
						 plen, path);
			if (controller && clen && has_controller(c1 + 1, clen, controller))
				return xasprintf("%s/%.*s%.*s", CGROUP_ROOT, (int) clen, c1 + 1,
						 plen, path);
		}
		line = *nl ? nl + 1 : nl;
	}
	return NULL;
}

char *cgroup_dir_of(pid_t pid, const char *controller)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/cgroup", pid);
	_cleanup_free_ char *text = NULL;
	cleat_error_t err = NULL;
	if (read_file(path, &text, NULL, &err) < 0) {
		cleat_error_free(&err);
		return NULL;
	}
	return cgroup_dir_from(text, controller, cgroup_unified());
}

static bool read_u64(const char *dir, const char *file, uint64_t *out)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char buf[64];
	if (!f || !fgets(buf, sizeof buf, f))
		return false;
	/* "max" means no limit. */
	*out = strncmp(buf, "max", 3) == 0 ? UINT64_MAX : strtoull(buf, NULL, 10);
	return true;
}

struct rename {
	const char *file, *field;
};

/* Fill uint64 fields of m from "key value" lines, by field name. */
static void fill_kv(ProtobufCMessage *m, const char *dir, const char *file,
		    const struct rename *ren)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char key[128];
	unsigned long long v;
	while (f && fscanf(f, "%127s %llu", key, &v) == 2) {
		const char *name = key;
		for (const struct rename *r = ren; r && r->file; r++)
			if (strcmp(r->file, key) == 0)
				name = r->field;
		const ProtobufCFieldDescriptor *fd =
			protobuf_c_message_descriptor_get_field_by_name(m->descriptor, name);
		if (fd && fd->type == PROTOBUF_C_TYPE_UINT64 &&
		    fd->label != PROTOBUF_C_LABEL_REPEATED)
			*(uint64_t *) ((char *) m + fd->offset) = v;
	}
}

static int pack_any(ProtobufCMessage *m, const char *type, const char **type_url, uint8_t **buf,
		    size_t *len)
{
	*len = protobuf_c_message_get_packed_size(m);
	*buf = xmalloc(*len + 1);
	protobuf_c_message_pack(m, *buf);
	*type_url = type;
	return 0;
}

/* ---- cgroup v1 ------------------------------------------------------------- */

static const struct rename v1_mem_rename[] = {
	{ "pgpgin", "pg_pg_in" },
	{ "pgpgout", "pg_pg_out" },
	{ "pgfault", "pg_fault" },
	{ "pgmajfault", "pg_maj_fault" },
	{ "hierarchical_memsw_limit", "hierarchical_swap_limit" },
	{ "total_pgpgin", "total_pg_pg_in" },
	{ "total_pgpgout", "total_pg_pg_out" },
	{ "total_pgfault", "total_pg_fault" },
	{ "total_pgmajfault", "total_pg_maj_fault" },
	{ NULL, NULL },
};

static void v1_entry(Io__Containerd__Cgroups__V1__MemoryEntry *e, const char *dir,
		     const char *prefix)
{
	char f[64];
	snprintf(f, sizeof f, "%s.limit_in_bytes", prefix);
	read_u64(dir, f, &e->limit);
	snprintf(f, sizeof f, "%s.usage_in_bytes", prefix);
	read_u64(dir, f, &e->usage);
	snprintf(f, sizeof f, "%s.max_usage_in_bytes", prefix);
	read_u64(dir, f, &e->max);
	snprintf(f, sizeof f, "%s.failcnt", prefix);
	read_u64(dir, f, &e->failcnt);
}

static void v1_percpu(Io__Containerd__Cgroups__V1__CPUUsage *u, const char *dir)
{
	_cleanup_free_ char *path = xasprintf("%s/cpuacct.usage_percpu", dir);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	unsigned long long v;
	while (f && fscanf(f, "%llu", &v) == 1) {
		u->per_cpu = xrealloc(u->per_cpu, (u->n_per_cpu + 1) * sizeof *u->per_cpu);
		u->per_cpu[u->n_per_cpu++] = v;
	}
}

static int collect_v1(pid_t pid, const char **type_url, uint8_t **buf, size_t *len,
		      cleat_error_t *err)
{
	Io__Containerd__Cgroups__V1__Metrics m = IO__CONTAINERD__CGROUPS__V1__METRICS__INIT;
	Io__Containerd__Cgroups__V1__PidsStat pids = IO__CONTAINERD__CGROUPS__V1__PIDS_STAT__INIT;
	Io__Containerd__Cgroups__V1__CPUStat cpu = IO__CONTAINERD__CGROUPS__V1__CPUSTAT__INIT;
	Io__Containerd__Cgroups__V1__CPUUsage usage = IO__CONTAINERD__CGROUPS__V1__CPUUSAGE__INIT;
	Io__Containerd__Cgroups__V1__Throttle thr = IO__CONTAINERD__CGROUPS__V1__THROTTLE__INIT;
	Io__Containerd__Cgroups__V1__MemoryStat mem =
		IO__CONTAINERD__CGROUPS__V1__MEMORY_STAT__INIT;
	Io__Containerd__Cgroups__V1__MemoryEntry
		mu = IO__CONTAINERD__CGROUPS__V1__MEMORY_ENTRY__INIT,
		ms = IO__CONTAINERD__CGROUPS__V1__MEMORY_ENTRY__INIT,
		mk = IO__CONTAINERD__CGROUPS__V1__MEMORY_ENTRY__INIT,
		mt = IO__CONTAINERD__CGROUPS__V1__MEMORY_ENTRY__INIT;
	Io__Containerd__Cgroups__V1__MemoryOomControl oom =
		IO__CONTAINERD__CGROUPS__V1__MEMORY_OOM_CONTROL__INIT;
	_cleanup_free_ char *pdir = cgroup_dir_of(pid, "pids");
	_cleanup_free_ char *cdir = cgroup_dir_of(pid, "cpuacct");
	_cleanup_free_ char *tdir = cgroup_dir_of(pid, "cpu");
	_cleanup_free_ char *mdir = cgroup_dir_of(pid, "memory");
	if (!pdir && !cdir && !mdir)
		return cleat_error_msg(err, "no cgroup found for pid %d", pid);
	if (pdir && access(pdir, F_OK) == 0) {
		read_u64(pdir, "pids.current", &pids.current);
		uint64_t lim = 0;
		if (read_u64(pdir, "pids.max", &lim) && lim != UINT64_MAX)
			pids.limit = lim;
		m.pids = &pids;
	}
	if (cdir && access(cdir, F_OK) == 0) {
		read_u64(cdir, "cpuacct.usage", &usage.total);
		uint64_t ticks;
		long hz = sysconf(_SC_CLK_TCK);
		_cleanup_free_ char *path = xasprintf("%s/cpuacct.stat", cdir);
		_cleanup_fclose_ FILE *f = fopen(path, "re");
		char key[32];
		unsigned long long v;
		/* cpuacct.stat counts USER_HZ ticks; containerd reports ns. */
		while (f && hz > 0 && fscanf(f, "%31s %llu", key, &v) == 2) {
			ticks = v * (1000000000ULL / (uint64_t) hz);
			if (strcmp(key, "user") == 0)
				usage.user = ticks;
			else if (strcmp(key, "system") == 0)
				usage.kernel = ticks;
		}
		v1_percpu(&usage, cdir);
		cpu.usage = &usage;
		m.cpu = &cpu;
	}
	if (tdir && access(tdir, F_OK) == 0) {
		static const struct rename r[] = { { "nr_periods", "periods" },
						   { "nr_throttled", "throttled_periods" },
						   { "throttled_time", "throttled_time" },
						   { NULL, NULL } };
		fill_kv(&thr.base, tdir, "cpu.stat", r);
		cpu.throttling = &thr;
		m.cpu = &cpu;
	}
	if (mdir && access(mdir, F_OK) == 0) {
		fill_kv(&mem.base, mdir, "memory.stat", v1_mem_rename);
		v1_entry(&mu, mdir, "memory");
		v1_entry(&ms, mdir, "memory.memsw");
		v1_entry(&mk, mdir, "memory.kmem");
		v1_entry(&mt, mdir, "memory.kmem.tcp");
		mem.usage = &mu;
		mem.swap = &ms;
		mem.kernel = &mk;
		mem.kernel_tcp = &mt;
		m.memory = &mem;
		fill_kv(&oom.base, mdir, "memory.oom_control", NULL);
		m.memory_oom_control = &oom;
	}
	pack_any(&m.base, "io.containerd.cgroups.v1.Metrics", type_url, buf, len);
	free(usage.per_cpu);
	return 0;
}

/* ---- cgroup v2 ------------------------------------------------------------- */

static int collect_v2(pid_t pid, const char **type_url, uint8_t **buf, size_t *len,
		      cleat_error_t *err)
{
	_cleanup_free_ char *dir = cgroup_dir_of(pid, NULL);
	if (!dir || access(dir, F_OK) < 0)
		return cleat_error_msg(err, "no cgroup found for pid %d", pid);
	Io__Containerd__Cgroups__V2__Metrics m = IO__CONTAINERD__CGROUPS__V2__METRICS__INIT;
	Io__Containerd__Cgroups__V2__PidsStat pids = IO__CONTAINERD__CGROUPS__V2__PIDS_STAT__INIT;
	Io__Containerd__Cgroups__V2__CPUStat cpu = IO__CONTAINERD__CGROUPS__V2__CPUSTAT__INIT;
	Io__Containerd__Cgroups__V2__MemoryStat mem =
		IO__CONTAINERD__CGROUPS__V2__MEMORY_STAT__INIT;
	Io__Containerd__Cgroups__V2__MemoryEvents ev =
		IO__CONTAINERD__CGROUPS__V2__MEMORY_EVENTS__INIT;
	uint64_t lim;
	read_u64(dir, "pids.current", &pids.current);
	if (read_u64(dir, "pids.max", &lim) && lim != UINT64_MAX)
		pids.limit = lim;
	m.pids = &pids;
	fill_kv(&cpu.base, dir, "cpu.stat", NULL);
	m.cpu = &cpu;
	fill_kv(&mem.base, dir, "memory.stat", NULL);
	read_u64(dir, "memory.current", &mem.usage);
	read_u64(dir, "memory.max", &mem.usage_limit);
	read_u64(dir, "memory.swap.current", &mem.swap_usage);
	read_u64(dir, "memory.swap.max", &mem.swap_limit);
	read_u64(dir, "memory.peak", &mem.max_usage);
	m.memory = &mem;
	fill_kv(&ev.base, dir, "memory.events", NULL);
	m.memory_events = &ev;
	return pack_any(&m.base, "io.containerd.cgroups.v2.Metrics", type_url, buf, len);
}

int metrics_collect(pid_t pid, const char **type_url, uint8_t **buf, size_t *len,
		    cleat_error_t *err)
{
	if (cgroup_unified())
		return collect_v2(pid, type_url, buf, len, err);
	return collect_v1(pid, type_url, buf, len, err);
}
