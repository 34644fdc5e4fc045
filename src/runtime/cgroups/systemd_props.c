/* linux.resources → systemd unit properties, the way runc's systemd drivers
 * translate them (v1 "legacy" names on v1/hybrid, the v2 names on v2).  Pure,
 * so the mapping is unit-tested; systemd.c sends the result over D-Bus. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "runtime/cgroups/internal.h"

#define USEC_INFINITY UINT64_MAX

static void add(struct cg_unit_prop **v, size_t *n, const char *name, char type, uint64_t u)
{
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[*n] = (struct cg_unit_prop){ .name = name, .type = type, .u = u };
	(*n)++;
}

static uint64_t limit_u64(int64_t v) { return v < 0 ? UINT64_MAX : (uint64_t) v; }

int cg_cpuset_to_mask(const char *list, uint8_t **bytes, size_t *n, cleat_error_t *err)
{
	/* "0-3,7" → little-endian bitmask bytes, systemd's AllowedCPUs format. */
	uint8_t *b = NULL;
	size_t nb = 0;
	const char *p = list;
	while (*p) {
		char *end;
		errno = 0;
		unsigned long lo = strtoul(p, &end, 10), hi = lo;
		if (end == p || errno)
			goto bad;
		p = end;
		if (*p == '-') {
			hi = strtoul(p + 1, &end, 10);
			if (end == p + 1 || hi < lo)
				goto bad;
			p = end;
		}
		if (hi > 8191)
			goto bad;
		if (hi / 8 + 1 > nb) {
			b = xrealloc(b, hi / 8 + 1);
			memset(b + nb, 0, hi / 8 + 1 - nb);
			nb = hi / 8 + 1;
		}
		for (unsigned long i = lo; i <= hi; i++)
			b[i / 8] |= (uint8_t) (1u << (i % 8));
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			goto bad;
		else
			break;
	}
	*bytes = b;
	*n = nb;
	return 0;
bad:
	free(b);
	return cleat_error_msg(err, "invalid cpu/mem list \"%s\"", list);
}

static int add_mask(struct cg_unit_prop **v, size_t *n, const char *name, const char *list,
		    cleat_error_t *err)
{
	uint8_t *b;
	size_t nb;
	if (cg_cpuset_to_mask(list, &b, &nb, err) < 0)
		return -1;
	add(v, n, name, 'y', 0);
	(*v)[*n - 1].bytes = b;
	(*v)[*n - 1].n_bytes = nb;
	return 0;
}

int cg_systemd_props(const struct oci_resources *r, bool v2, struct cg_unit_prop **out, size_t *n,
		     cleat_error_t *err)
{
	struct cg_unit_prop *v = NULL;
	size_t k = 0;
	*out = NULL;
	*n = 0;
	if (!r)
		return 0;
	if (r->has_memory) {
		const struct oci_memory *m = &r->memory;
		int64_t limit = m->has_limit ? m->limit : 0;
		if (limit != 0)
			add(&v, &k, v2 ? "MemoryMax" : "MemoryLimit", 't', limit_u64(limit));
		if (v2 && m->has_reservation && m->reservation != 0)
			add(&v, &k, "MemoryLow", 't', limit_u64(m->reservation));
		if (v2 && m->has_swap) {
			int64_t sw;
			if (cg_swap_v2(m->swap, limit, &sw, err) < 0) {
				cg_unit_props_free(v, k);
				return -1;
			}
			if (sw != 0)
				add(&v, &k, "MemorySwapMax", 't', limit_u64(sw));
		}
	}
	if (r->has_cpu) {
		const struct oci_cpu *c = &r->cpu;
		if (c->has_shares && c->shares)
			add(&v, &k, v2 ? "CPUWeight" : "CPUShares", 't',
			    v2 ? cg_shares_to_weight(c->shares) : c->shares);
		int64_t quota = c->has_quota ? c->quota : 0;
		uint64_t period = c->has_period ? c->period : 0;
		if (period)
			add(&v, &k, "CPUQuotaPeriodUSec", 't', period);
		if (quota != 0 || period != 0) {
			uint64_t persec = USEC_INFINITY;
			if (quota > 0) {
				/* systemd keeps CPUQuota as whole percent: round up to 10 ms per
				 * second so the cfs quota it writes is at least the asked one. */
				persec = (uint64_t) quota * 1000000 / (period ? period : 100000);
				if (persec % 10000)
					persec = (persec / 10000 + 1) * 10000;
			}
			add(&v, &k, "CPUQuotaPerSecUSec", 't', persec);
		}
		if (c->cpus && *c->cpus && add_mask(&v, &k, "AllowedCPUs", c->cpus, err) < 0)
			goto fail;
		if (c->mems && *c->mems && add_mask(&v, &k, "AllowedMemoryNodes", c->mems, err) < 0)
			goto fail;
	}
	if (r->has_pids)
		add(&v, &k, "TasksMax", 't',
		    r->pids_limit >= 0 ? (uint64_t) cg_pids_max(r->pids_limit) : UINT64_MAX);
	if (r->has_blkio && r->blkio.has_weight && r->blkio.weight)
		add(&v, &k, v2 ? "IOWeight" : "BlockIOWeight", 't',
		    v2 ? cg_blkio_to_io_weight(r->blkio.weight) : r->blkio.weight);
	*out = v;
	*n = k;
	return 0;
fail:
	cg_unit_props_free(v, k);
	return -1;
}

void cg_unit_props_free(struct cg_unit_prop *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].s);
		free(p[i].bytes);
		for (size_t j = 0; j < p[i].n_pairs; j++)
			free(p[i].pairs[j]);
		free(p[i].pairs);
	}
	free(p);
}

/* The driver name of a major number in /proc/devices' char or block section. */
static char *device_name(const char *proc_devices, char type, int64_t major)
{
	const char *sect = strstr(proc_devices,
				  type == 'b' ? "Block devices:" : "Character devices:");
	if (!sect)
		return NULL;
	for (const char *p = strchr(sect, '\n'); p && p[1] && p[1] != '\n';
	     p = strchr(p + 1, '\n')) {
		char *end;
		long long m = strtoll(p + 1, &end, 10);
		if (end == p + 1)
			break;
		if (m == major) {
			while (*end == ' ')
				end++;
			return xstrndup(end, strcspn(end, "\n"));
		}
	}
	return NULL;
}

void cg_systemd_device_props(const struct cg_dev_emu *e, const char *proc_devices,
			     struct cg_unit_prop **v, size_t *n)
{
	/* An empty DeviceAllow= clears the list, and goes before DevicePolicy, as
	 * runc (1.2.5) orders them: systemd writes both into the transient unit,
	 * and an empty DeviceAllow= read after DevicePolicy= at a daemon-reload
	 * resets the policy (a systemd v230 regression).  systemd can only express
	 * a whitelist: with a default-allow set the policy stays "auto" and the
	 * deny exceptions live in the cgroup alone. */
	add(v, n, "DeviceAllow", 'A', 0);
	add(v, n, "DevicePolicy", 's', 0);
	(*v)[*n - 1].s = xstrdup(e->default_allow ? "auto" : "strict");
	if (e->default_allow || e->n == 0)
		return;
	add(v, n, "DeviceAllow", 'A', 0);
	struct cg_unit_prop *p = &(*v)[*n - 1];
	p->pairs = xmalloc0((2 * e->n + 1) * sizeof(char *));
	for (size_t i = 0; i < e->n; i++) {
		const struct cg_dev_rule *r = &e->r[i];
		char *path;
		if (r->major < 0)
			path = xasprintf("%s-*", r->type == 'b' ? "block" : "char");
		else if (r->minor < 0) {
			_cleanup_free_ char *name = device_name(proc_devices, r->type, r->major);
			if (!name)
				continue; /* no driver registered: nothing to allow */
			path = xasprintf("%s-%s", r->type == 'b' ? "block" : "char", name);
		} else
			path = xasprintf("/dev/%s/%lld:%lld", r->type == 'b' ? "block" : "char",
					 (long long) r->major, (long long) r->minor);
		char acc[4];
		size_t k = 0;
		if (r->access & CG_DEV_R)
			acc[k++] = 'r';
		if (r->access & CG_DEV_W)
			acc[k++] = 'w';
		if (r->access & CG_DEV_M)
			acc[k++] = 'm';
		acc[k] = 0;
		p->pairs[p->n_pairs++] = path;
		p->pairs[p->n_pairs++] = xstrdup(acc);
	}
	/* Every rule was for a device without a driver: no second, empty DeviceAllow. */
	if (p->n_pairs == 0) {
		free(p->pairs);
		(*n)--;
	}
}
