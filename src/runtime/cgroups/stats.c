/* `events --stats` data in runc 1.1's JSON shape (types/events.go): the same
 * keys, the same omitempty rules, so tools parsing runc's output parse ours.
 * v1 values come from the per-controller files, v2 ones are mapped onto the
 * v1-shaped fields as runc's fs2 driver does. */
#include "config.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "runtime/cgroups/internal.h"

struct buf {
	char *s;
	size_t len, cap;
};

static void bprintf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (b->len + (size_t) n + 1 > b->cap) {
		b->cap = (b->len + (size_t) n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t) n;
}

/* Drop a trailing comma before closing an object/array. */
static void bclose(struct buf *b, char c)
{
	if (b->len && b->s[b->len - 1] == ',')
		b->len--;
	bprintf(b, "%c,", c);
}

static uint64_t rd(const char *dir, const char *file)
{
	uint64_t v = 0;
	_cleanup_error_ cleat_error_t e = NULL;
	if (dir && cg_read_u64(dir, file, &v, &e) < 0)
		return 0;
	return v;
}

/* "max" reads as UINT64_MAX; runc reports unlimited v2 values as MaxUint64 too. */
static void kv_omit(struct buf *b, const char *k, uint64_t v)
{
	if (v)
		bprintf(b, "\"%s\":%llu,", k, (unsigned long long) v);
}

static void kv(struct buf *b, const char *k, uint64_t v)
{
	bprintf(b, "\"%s\":%llu,", k, (unsigned long long) v);
}

/* Look up "key value" in a flat-keyed file (memory.stat, cpu.stat). */
static uint64_t keyed(const char *text, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = text; p && *p;) {
		if (strncmp(p, key, kl) == 0 && p[kl] == ' ')
			return strtoull(p + kl + 1, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

static char *slurp(const char *dir, const char *file)
{
	char *s = NULL;
	_cleanup_error_ cleat_error_t e = NULL;
	if (!dir || cg_read(dir, file, &s, &e) < 0)
		return NULL;
	return s;
}

static void u64_array(struct buf *b, const char *k, const char *text, int column, bool skip_header)
{
	/* One number per line (column-th field) or a space-separated list. */
	if (!text)
		return;
	bprintf(b, "\"%s\":[", k);
	const char *p = text;
	if (skip_header)
		p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p);
	if (column < 0) {
		for (char *end; *p;) {
			unsigned long long v = strtoull(p, &end, 10);
			if (end == p)
				break;
			bprintf(b, "%llu,", v);
			p = end;
		}
	} else {
		for (; *p;) {
			const char *q = p;
			for (int c = 0; c < column; c++) {
				q = strchr(q, ' ');
				q = q ? q + 1 : p + strlen(p);
			}
			bprintf(b, "%llu,", strtoull(q, NULL, 10));
			p = strchr(p, '\n');
			if (!p)
				break;
			p++;
		}
	}
	bclose(b, ']');
}

static void cpu_stats(struct buf *b, struct cleat_cgroup *cg)
{
	struct cg_hier *acct = cg_find(cg, "cpuacct"), *cpu = cg_find(cg, "cpu");
	bprintf(b, "\"cpu\":{\"usage\":{");
	_cleanup_free_ char *cstat = NULL;
	if (cpu && cpu->v2) {
		cstat = slurp(cpu->dir, "cpu.stat");
		kv_omit(b, "total", keyed(cstat, "usage_usec") * 1000);
		kv(b, "kernel", keyed(cstat, "system_usec") * 1000);
		kv(b, "user", keyed(cstat, "user_usec") * 1000);
	} else {
		const char *d = acct ? acct->dir : NULL;
		kv_omit(b, "total", rd(d, "cpuacct.usage"));
		_cleanup_free_ char *percpu = slurp(d, "cpuacct.usage_percpu");
		if (percpu && strspn(percpu, "0 \n") != strlen(percpu))
			u64_array(b, "percpu", percpu, -1, false);
		_cleanup_free_ char *all = slurp(d, "cpuacct.usage_all");
		if (all && strchr(all, '\n') && strchr(all, '\n')[1]) {
			u64_array(b, "percpu_kernel", all, 2, true);
			u64_array(b, "percpu_user", all, 1, true);
		}
		_cleanup_free_ char *st = slurp(d, "cpuacct.stat");
		long tck = sysconf(_SC_CLK_TCK);
		uint64_t ns = 1000000000ULL / (uint64_t) (tck > 0 ? tck : 100);
		kv(b, "kernel", keyed(st, "system") * ns);
		kv(b, "user", keyed(st, "user") * ns);
		if (cpu)
			cstat = slurp(cpu->dir, "cpu.stat");
	}
	bclose(b, '}');
	bprintf(b, "\"throttling\":{");
	kv_omit(b, "periods", keyed(cstat, "nr_periods"));
	kv_omit(b, "throttledPeriods", keyed(cstat, "nr_throttled"));
	uint64_t tt = keyed(cstat, "throttled_time");
	if (!tt)
		tt = keyed(cstat, "throttled_usec") * 1000;
	kv_omit(b, "throttledTime", tt);
	bclose(b, '}');
	bclose(b, '}');
}

static void list_array(struct buf *b, const char *k, const char *text)
{
	/* "0-2,5" → [0,1,2,5] */
	if (!text || *text == '\n' || !*text)
		return;
	bprintf(b, "\"%s\":[", k);
	for (const char *p = text; *p && *p != '\n';) {
		char *end;
		unsigned long lo = strtoul(p, &end, 10), hi = lo;
		if (end == p)
			break;
		p = end;
		if (*p == '-') {
			hi = strtoul(p + 1, &end, 10);
			p = end;
		}
		for (unsigned long i = lo; i <= hi && i < 65536; i++)
			bprintf(b, "%lu,", i);
		if (*p == ',')
			p++;
	}
	bclose(b, ']');
}

static void cpuset_stats(struct buf *b, struct cleat_cgroup *cg)
{
	struct cg_hier *h = cg_find(cg, "cpuset");
	if (!h)
		return;
	bprintf(b, "\"cpuset\":{");
	/* v1 mounted with noprefix: the same files without "cpuset.". */
#define V1(f) cg_v1_cpuset_name(h->dir, f)
	_cleanup_free_ char *cpus = slurp(h->dir,
					  h->v2 ? "cpuset.cpus.effective" : V1("cpuset.cpus"));
	_cleanup_free_ char *mems = slurp(h->dir,
					  h->v2 ? "cpuset.mems.effective" : V1("cpuset.mems"));
	list_array(b, "cpus", cpus);
	if (!h->v2)
		kv(b, "cpu_exclusive", rd(h->dir, V1("cpuset.cpu_exclusive")));
	list_array(b, "mems", mems);
	if (!h->v2) {
		static const char *const f[][2] = {
			{ "mem_hardwall", "cpuset.mem_hardwall" },
			{ "mem_exclusive", "cpuset.mem_exclusive" },
			{ "memory_migrate", "cpuset.memory_migrate" },
			{ "memory_spread_page", "cpuset.memory_spread_page" },
			{ "memory_spread_slab", "cpuset.memory_spread_slab" },
			{ "memory_pressure", "cpuset.memory_pressure" },
			{ "sched_load_balance", "cpuset.sched_load_balance" },
		};
		for (size_t i = 0; i < ARRAY_SIZE(f); i++)
			kv(b, f[i][0], rd(h->dir, V1(f[i][1])));
		_cleanup_free_ char *lvl = slurp(h->dir, V1("cpuset.sched_relax_domain_level"));
#undef V1
		bprintf(b, "\"sched_relax_domain_level\":%lld,", lvl ? strtoll(lvl, NULL, 10) : 0);
	} else {
		bprintf(b,
			"\"mem_hardwall\":0,\"mem_exclusive\":0,\"memory_migrate\":0,\"memory_"
			"spread_page\":0,"
			"\"memory_spread_slab\":0,\"memory_pressure\":0,\"sched_load_balance\":0,"
			"\"sched_relax_domain_level\":0,");
	}
	bclose(b, '}');
}

static void mem_entry(struct buf *b, const char *k, const char *dir, const char *prefix)
{
	_cleanup_free_ char *fl = xasprintf("%s.limit_in_bytes", prefix),
			    *fu = xasprintf("%s.usage_in_bytes", prefix),
			    *fm = xasprintf("%s.max_usage_in_bytes", prefix),
			    *ff = xasprintf("%s.failcnt", prefix);
	if (!cg_exists(dir, fu))
		return;
	bprintf(b, "\"%s\":{", k);
	kv(b, "limit", rd(dir, fl));
	kv_omit(b, "usage", rd(dir, fu));
	kv_omit(b, "max", rd(dir, fm));
	kv(b, "failcnt", rd(dir, ff));
	bclose(b, '}');
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

static void raw_stat(struct buf *b, const char *text)
{
	/* Sorted by key like Go's map encoding. */
	if (!text)
		return;
	_cleanup_free_ char *copy = xstrdup(text);
	char **lines = NULL;
	size_t n = 0;
	for (char *sv = NULL, *l = strtok_r(copy, "\n", &sv); l; l = strtok_r(NULL, "\n", &sv)) {
		lines = xrealloc(lines, (n + 1) * sizeof *lines);
		lines[n++] = l;
	}
	qsort(lines, n, sizeof *lines, cmp_str);
	bprintf(b, "\"raw\":{");
	for (size_t i = 0; i < n; i++) {
		char *sp = strchr(lines[i], ' ');
		if (!sp)
			continue;
		bprintf(b, "\"%.*s\":%llu,", (int) (sp - lines[i]), lines[i],
			strtoull(sp + 1, NULL, 10));
	}
	bclose(b, '}');
	free(lines);
}

static void memory_stats(struct buf *b, struct cleat_cgroup *cg)
{
	struct cg_hier *h = cg_find(cg, "memory");
	bprintf(b, "\"memory\":{");
	if (!h) {
		bclose(b, '}');
		return;
	}
	_cleanup_free_ char *st = slurp(h->dir, "memory.stat");
	if (h->v2) {
		kv_omit(b, "cache", keyed(st, "file"));
		uint64_t cur = rd(h->dir, "memory.current");
		bprintf(b, "\"usage\":{");
		kv(b, "limit", rd(h->dir, "memory.max"));
		kv_omit(b, "usage", cur);
		kv_omit(b, "max", rd(h->dir, "memory.peak"));
		kv(b, "failcnt", 0);
		bclose(b, '}');
		if (cg_exists(h->dir, "memory.swap.current")) {
			/* runc reports swap as memory+swap, the v1 memsw meaning. */
			uint64_t sl = rd(h->dir, "memory.swap.max"), ml = rd(h->dir, "memory.max");
			bprintf(b, "\"swap\":{");
			kv(b, "limit", sl == UINT64_MAX || ml == UINT64_MAX ? UINT64_MAX : sl + ml);
			kv_omit(b, "usage", rd(h->dir, "memory.swap.current") + cur);
			kv(b, "failcnt", 0);
			bclose(b, '}');
		}
	} else {
		kv_omit(b, "cache", keyed(st, "cache"));
		mem_entry(b, "usage", h->dir, "memory");
		mem_entry(b, "swap", h->dir, "memory.memsw");
		mem_entry(b, "kernel", h->dir, "memory.kmem");
		mem_entry(b, "kernelTCP", h->dir, "memory.kmem.tcp");
	}
	raw_stat(b, st);
	bclose(b, '}');
}

static void pids_stats(struct buf *b, struct cleat_cgroup *cg)
{
	struct cg_hier *h = cg_find(cg, "pids");
	bprintf(b, "\"pids\":{");
	if (h) {
		kv_omit(b, "current", rd(h->dir, "pids.current"));
		uint64_t max = rd(h->dir, "pids.max");
		kv_omit(b, "limit", max == UINT64_MAX ? 0 : max);
	}
	bclose(b, '}');
}

static void blkio_table(struct buf *b, const char *k, const char *text)
{
	/* v1: "8:0 Read 123" lines, "Total N" at the end. */
	if (!text)
		return;
	bool any = false;
	for (const char *p = text; *p;) {
		unsigned maj, min;
		char op[16];
		unsigned long long v;
		if (sscanf(p, "%u:%u %15s %llu", &maj, &min, op, &v) == 4) {
			if (!any)
				bprintf(b, "\"%s\":[", k);
			any = true;
			bprintf(b, "{");
			kv_omit(b, "major", maj);
			kv_omit(b, "minor", min);
			bprintf(b, "\"op\":\"%s\",", op);
			kv_omit(b, "value", v);
			bclose(b, '}');
		}
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	if (any)
		bclose(b, ']');
}

static void io_v2(struct buf *b, const char *text)
{
	/* io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 ..." */
	static const char *const keys[][3] = { { "ioServiceBytesRecursive", "rbytes", "wbytes" },
					       { "ioServicedRecursive", "rios", "wios" } };
	for (size_t t = 0; t < 2 && text; t++) {
		bool any = false;
		for (const char *p = text; *p;) {
			unsigned maj, min;
			if (sscanf(p, "%u:%u", &maj, &min) == 2) {
				for (int rw = 1; rw <= 2; rw++) {
					_cleanup_free_ char *needle = xasprintf(" %s=",
										keys[t][rw]);
					const char *eol = strchr(p, '\n');
					const char *f = strstr(p, needle);
					if (!f || (eol && f > eol))
						continue;
					if (!any)
						bprintf(b, "\"%s\":[", keys[t][0]);
					any = true;
					bprintf(b, "{");
					kv_omit(b, "major", maj);
					kv_omit(b, "minor", min);
					bprintf(b, "\"op\":\"%s\",", rw == 1 ? "Read" : "Write");
					kv_omit(b, "value", strtoull(f + strlen(needle), NULL, 10));
					bclose(b, '}');
				}
			}
			p = strchr(p, '\n');
			if (!p)
				break;
			p++;
		}
		if (any)
			bclose(b, ']');
	}
}

static void blkio_stats(struct buf *b, struct cleat_cgroup *cg)
{
	struct cg_hier *h = cg_find(cg, "blkio");
	if (!h)
		h = cg_find(cg, "io");
	bprintf(b, "\"blkio\":{");
	if (h && h->v2) {
		_cleanup_free_ char *s = slurp(h->dir, "io.stat");
		io_v2(b, s);
	} else if (h) {
		_cleanup_free_ char *sb = slurp(h->dir,
						"blkio.throttle.io_service_bytes_recursive");
		_cleanup_free_ char *sv = slurp(h->dir, "blkio.throttle.io_serviced_recursive");
		blkio_table(b, "ioServiceBytesRecursive", sb);
		blkio_table(b, "ioServicedRecursive", sv);
	}
	bclose(b, '}');
}

static void hugetlb_stats(struct buf *b, struct cleat_cgroup *cg)
{
	struct cg_hier *h = cg_find(cg, "hugetlb");
	bprintf(b, "\"hugetlb\":{");
	_cleanup_closedir_ DIR *d = h ? opendir(h->dir) : NULL;
	struct dirent *de;
	while (d && (de = readdir(d))) {
		/* hugetlb.2MB.limit_in_bytes (v1) / hugetlb.2MB.max (v2) name the sizes. */
		const char *n = de->d_name;
		const char *suffix = h->v2 ? ".max" : ".limit_in_bytes";
		if (!str_has_prefix(n, "hugetlb.") || !str_has_suffix(n, suffix) ||
		    strstr(n, ".rsvd."))
			continue;
		_cleanup_free_ char *size = xstrndup(n + 8, strlen(n) - 8 - strlen(suffix));
		bprintf(b, "\"%s\":{", size);
		if (h->v2) {
			_cleanup_free_ char *cur = xasprintf("hugetlb.%s.current", size);
			_cleanup_free_ char *ev = xasprintf("hugetlb.%s.events", size);
			_cleanup_free_ char *evs = slurp(h->dir, ev);
			kv_omit(b, "usage", rd(h->dir, cur));
			kv(b, "failcnt", keyed(evs, "max"));
		} else {
			_cleanup_free_ char *u = xasprintf("hugetlb.%s.usage_in_bytes", size);
			_cleanup_free_ char *m = xasprintf("hugetlb.%s.max_usage_in_bytes", size);
			_cleanup_free_ char *f = xasprintf("hugetlb.%s.failcnt", size);
			kv_omit(b, "usage", rd(h->dir, u));
			kv_omit(b, "max", rd(h->dir, m));
			kv(b, "failcnt", rd(h->dir, f));
		}
		bclose(b, '}');
	}
	bclose(b, '}');
}

int cleat_cgroup_stats_json(struct cleat_cgroup *cg, char **json, cleat_error_t *err)
{
	(void) err;
	struct buf b = { 0 };
	bprintf(&b, "{");
	cpu_stats(&b, cg);
	cpuset_stats(&b, cg);
	memory_stats(&b, cg);
	pids_stats(&b, cg);
	blkio_stats(&b, cg);
	hugetlb_stats(&b, cg);
	bprintf(&b, "\"intel_rdt\":{},\"network_interfaces\":null");
	bprintf(&b, "}");
	*json = b.s;
	return 0;
}
