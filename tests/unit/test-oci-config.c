/* Valid configs parse, keep every field, and round-trip through the emitter. */
#include <config.h>

#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "common/util.h"
#include "oci-spec/config.h"
#include "oci-spec/default_spec.h"
#include "test-oci-tap.h"

#ifndef OCI_TESTDATA
#define OCI_TESTDATA "tests/unit/data/oci"
#endif

/* What encoding/json's omitempty drops: an emitter may leave these out. */
static bool emptyish(yajl_val v)
{
	return !v || v->type == yajl_t_null || v->type == yajl_t_false ||
	       (v->type == yajl_t_object && v->u.object.len == 0) ||
	       (v->type == yajl_t_array && v->u.array.len == 0);
}

static yajl_val member(yajl_val o, const char *k)
{
	for (size_t i = o->u.object.len; i > 0; i--)
		if (strcmp(o->u.object.keys[i - 1], k) == 0)
			return o->u.object.values[i - 1];
	return NULL;
}

/* Deep equality ignoring member order and omitted empty values. */
static bool deep_eq(yajl_val a, yajl_val b, char *where, size_t wlen)
{
	if (emptyish(a) && emptyish(b))
		return true;
	if (!a || !b || a->type != b->type) {
		return false;
	}
	switch (a->type) {
	case yajl_t_string: return strcmp(a->u.string, b->u.string) == 0;
	case yajl_t_number: return strcmp(a->u.number.r, b->u.number.r) == 0;
	case yajl_t_array:
		if (a->u.array.len != b->u.array.len)
			return false;
		for (size_t i = 0; i < a->u.array.len; i++)
			if (!deep_eq(a->u.array.values[i], b->u.array.values[i], where, wlen))
				return false;
		return true;
	case yajl_t_object:
		for (int pass = 0; pass < 2; pass++) {
			yajl_val x = pass ? b : a, y = pass ? a : b;
			for (size_t i = 0; i < x->u.object.len; i++) {
				const char *k = x->u.object.keys[i];
				if (!deep_eq(x->u.object.values[i], member(y, k), where, wlen)) {
					snprintf(where, wlen, "%s", k);
					return false;
				}
			}
		}
		return true;
	default: return true;
	}
}

static bool same_document(const char *x, const char *y)
{
	char e[128] = "";
	yajl_val a = yajl_tree_parse(x, e, sizeof e), b = yajl_tree_parse(y, e, sizeof e);
	char where[128] = "";
	bool r = a && b && deep_eq(a, b, where, sizeof where);
	if (!r)
		printf("#   documents differ at member \"%s\"\n", where);
	yajl_tree_free(a);
	yajl_tree_free(b);
	return r;
}

static char *slurp(const char *name)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", OCI_TESTDATA, name);
	char *buf = NULL;
	size_t len;
	cleat_error_t err = NULL;
	if (read_file(path, &buf, &len, &err) < 0) {
		printf("# %s\n", err->msg);
		cleat_error_free(&err);
		return NULL;
	}
	return buf;
}

static struct oci_config *parse_ok(const char *json, const char *what)
{
	struct oci_config *c = NULL;
	cleat_error_t err = NULL;
	int r = oci_config_parse(json, strlen(json), "config.json", &c, &err);
	if (!ok(r == 0, what))
		printf("#   %s\n", err->msg);
	cleat_error_free(&err);
	return c;
}

/* Parse, compare the emitted document with the input, and check that a
 * second parse/emit cycle is a fixed point.  Returns the first parse. */
static struct oci_config *roundtrip_file(const char *name)
{
	_cleanup_free_ char *json = slurp(name);
	_cleanup_free_ char *what = xasprintf("%s parses", name);
	if (!json) {
		ok(false, what);
		return NULL;
	}
	struct oci_config *c = parse_ok(json, what);
	if (!c)
		return NULL;
	_cleanup_free_ char *out1 = oci_config_to_json(c);
	free(what);
	what = xasprintf("%s: emitted document equals the input", name);
	ok(same_document(json, out1), what);
	_cleanup_oci_config_ struct oci_config *c2 = NULL;
	cleat_error_t err = NULL;
	free(what);
	what = xasprintf("%s: emitted document parses again", name);
	ok(oci_config_parse(out1, strlen(out1), "emitted", &c2, &err) == 0, what);
	cleat_error_free(&err);
	_cleanup_free_ char *out2 = c2 ? oci_config_to_json(c2) : NULL;
	free(what);
	what = xasprintf("%s: parse -> emit -> parse -> emit is a fixed point", name);
	is(out2, out1, what);
	return c;
}

static void test_runc_spec(void)
{
	_cleanup_oci_config_ struct oci_config *c = roundtrip_file("runc-spec.json");
	if (!c)
		return;
	ok(c->process && c->process->user.uid == 0 && c->process->terminal, "runc spec: process");
	ok(c->has_root && c->root.readonly && strcmp(c->root.path, "rootfs") == 0,
	   "runc spec: root");
	ok(c->n_mounts == 7 && strcmp(c->mounts[2].options[5], "gid=5") == 0, "runc spec: mounts");
	ok(c->process->capabilities.has_bounding && !c->process->capabilities.has_inheritable &&
		   c->process->capabilities.n_ambient == 3,
	   "runc spec: capability sets, absent inheritable kept absent");
	ok(c->process->n_rlimits == 1 && c->process->rlimits[0].hard == 1024, "runc spec: rlimits");
	ok(oci_config_namespace(c, "network") && !oci_config_namespace(c, "user"),
	   "runc spec: namespace lookup");
	ok(c->linux_->resources && c->linux_->resources->n_devices == 1 &&
		   !c->linux_->resources->devices[0].allow &&
		   !c->linux_->resources->devices[0].type,
	   "runc spec: device cgroup deny-all");
}

static void test_default_spec(void)
{
	_cleanup_free_ char *want = slurp("runc-spec.json");
	_cleanup_free_ char *got = oci_default_spec_json(false);
	ok(want && strcmp(got, want) == 0,
	   "oci_default_spec_json(false) is byte-identical to runc spec");
	_cleanup_free_ char *want_rl = slurp("runc-spec-rootless.json");
	_cleanup_free_ char *got_rl = oci_default_spec_json(true);
	if (geteuid() == 0 && getegid() == 0) {
		ok(want_rl && strcmp(got_rl, want_rl) == 0,
		   "oci_default_spec_json(true) is byte-identical to runc spec --rootless");
	} else {
		ok(strstr(got_rl, "\"type\": \"user\"") != NULL,
		   "rootless default spec has a userns");
	}
	_cleanup_oci_config_ struct oci_config *c = parse_ok(got_rl,
							     "rootless default spec parses");
	ok(c && c->linux_->n_uid_mappings == 1 && c->linux_->uid_mappings[0].host_id == geteuid() &&
		   !oci_config_namespace(c, "network") && !c->linux_->resources,
	   "rootless default spec maps the caller and drops netns and resources");
}

static void test_docker(void)
{
	_cleanup_oci_config_ struct oci_config *c = roundtrip_file("docker-seccomp.json");
	if (!c)
		return;
	const struct oci_seccomp *s = c->linux_->seccomp;
	ok(s && strcmp(s->default_action, "SCMP_ACT_ERRNO") == 0 && s->has_default_errno_ret &&
		   s->default_errno_ret == 1 && s->n_architectures == 3,
	   "docker: seccomp defaults");
	ok(s && s->n_syscalls == 11 && s->syscalls[0].n_names == 275, "docker: seccomp syscalls");
	const struct oci_seccomp_syscall *clone = s ? &s->syscalls[7] : NULL;
	ok(clone && strcmp(clone->names[0], "clone") == 0 && clone->n_args == 1 &&
		   clone->args[0].value == 2114060288 &&
		   strcmp(clone->args[0].op, "SCMP_CMP_MASKED_EQ") == 0 &&
		   !clone->args[0].has_value_two,
	   "docker: clone flag mask");
	ok(s && s->syscalls[8].has_errno_ret && s->syscalls[8].errno_ret == 38,
	   "docker: clone3 ENOSYS");
	ok(c->hooks.n_prestart == 1 &&
		   strcmp(c->hooks.prestart[0].args[0], "libnetwork-setkey") == 0 &&
		   !c->hooks.prestart[0].has_timeout,
	   "docker: libnetwork prestart hook");
	const struct oci_resources *r = c->linux_->resources;
	ok(r && r->n_devices == 10 && r->devices[9].has_major && !r->devices[9].has_minor &&
		   r->has_memory && r->memory.has_disable_oom_killer &&
		   !r->memory.disable_oom_killer && r->has_cpu && r->cpu.has_shares &&
		   r->cpu.shares == 0 && r->has_blkio && r->blkio.has_weight &&
		   r->blkio.weight == 0,
	   "docker: resources, zero values kept as present");
	ok(c->process->user.n_additional_gids == 1 && c->process->user.additional_gids[0] == 10 &&
		   c->process->has_oom_score_adj && c->process->oom_score_adj == 0,
	   "docker: user and oomScoreAdj 0");
}

static void test_cri(void)
{
	_cleanup_oci_config_ struct oci_config *c = roundtrip_file("cri.json");
	if (!c)
		return;
	const struct oci_namespace *net = oci_config_namespace(c, "network");
	ok(net && strcmp(net->path, "/var/run/netns/cni-1234-5678") == 0, "cri: netns path");
	const char *t = oci_config_annotation(c, "io.kubernetes.cri.container-type");
	ok(t && strcmp(t, "sandbox") == 0 && !oci_config_annotation(c, "nope"), "cri: annotations");
	ok(c->process->oom_score_adj == -998 && c->process->no_new_privileges &&
		   strcmp(c->process->apparmor_profile, "cri-containerd.apparmor.d") == 0,
	   "cri: process security fields");
	const struct oci_resources *r = c->linux_->resources;
	ok(r && r->has_pids && r->pids_limit == 4096 && r->memory.limit == 134217728 &&
		   r->cpu.quota == 50000 && r->n_unified == 1 && r->n_hugepage_limits == 1,
	   "cri: resources");
	ok(strcmp(c->linux_->rootfs_propagation, "rslave") == 0 && c->linux_->n_sysctl == 2,
	   "cri: propagation and sysctl");
}

static void test_full(void)
{
	_cleanup_oci_config_ struct oci_config *c = roundtrip_file("full.json");
	if (!c)
		return;
	const struct oci_process *p = c->process;
	ok(p->has_console_size && p->console_size.width == 80 && p->user.has_umask &&
		   p->user.umask == 18 && strcmp(p->user.username, "u") == 0 &&
		   strcmp(p->command_line, "app --flag") == 0,
	   "full: console, user, commandLine");
	ok(p->capabilities.has_effective && p->capabilities.n_effective == 0 &&
		   p->capabilities.has_inheritable,
	   "full: empty capability set stays present");
	_cleanup_free_ char *pj = oci_process_to_json(p);
	ok(strstr(pj, "\"effective\":[],") && strstr(pj, "\"ambient\":[]}"),
	   "full: an empty capability set is emitted as []");
	ok(p->n_rlimits == 2 && p->rlimits[0].hard == UINT64_MAX, "full: rlimit infinity");
	ok(p->scheduler && strcmp(p->scheduler->policy, "SCHED_DEADLINE") == 0 &&
		   p->scheduler->nice == -5 && p->scheduler->n_flags == 2 &&
		   p->scheduler->period == 30000000,
	   "full: scheduler");
	ok(p->io_priority && p->io_priority->priority == 4 && p->exec_cpu_affinity &&
		   strcmp(p->exec_cpu_affinity->final, "0-3") == 0,
	   "full: ioPriority, execCPUAffinity");
	ok(c->n_mounts == 1 && c->mounts[0].n_uid_mappings == 1 &&
		   c->mounts[0].uid_mappings[0].host_id == 100000,
	   "full: idmapped mount");
	ok(c->hooks.n_poststop == 2 && c->hooks.prestart[0].timeout == 5 &&
		   c->hooks.n_create_runtime == 1 && c->hooks.n_start_container == 1,
	   "full: hooks");
	const struct oci_linux *l = c->linux_;
	ok(l->n_time_offsets == 2 && strcmp(l->time_offsets[0].clock, "monotonic") == 0 &&
		   l->time_offsets[0].secs == -3600 && l->time_offsets[0].nanosecs == 500,
	   "full: timeOffsets");
	ok(l->n_net_devices == 2 && strcmp(l->net_devices[0].host_name, "eth1") == 0 &&
		   strcmp(l->net_devices[0].name, "ctr0") == 0 && !l->net_devices[1].name,
	   "full: netDevices");
	ok(l->n_devices == 3 && !l->devices[2].has_major && l->devices[0].file_mode == 0666,
	   "full: devices");
	ok(l->personality && strcmp(l->personality->domain, "LINUX32") == 0 && l->intel_rdt &&
		   l->intel_rdt->has_enable_mbm && !l->intel_rdt->enable_mbm,
	   "full: personality, intelRdt");
	const struct oci_seccomp_arg *a = &l->seccomp->syscalls[2].args[0];
	ok(a->index == 1 && a->has_value_two && a->value_two == UINT64_MAX &&
		   strcmp(l->seccomp->listener_path, "/run/seccomp.sock") == 0,
	   "full: seccomp args and listener");
	const struct oci_resources *r = l->resources;
	ok(r->memory.swap == -1 && r->cpu.quota == -1 && r->pids_limit == -1 && r->n_rdma == 2 &&
		   !r->rdma[1].has_hca_handles && r->blkio.n_weight_device == 2 &&
		   !r->blkio.weight_device[1].has_weight && r->network.n_priorities == 2,
	   "full: resources");
}

/* `ctr oci spec` of containerd 1.6.20: what ctr and the CRI start from. */
static void test_containerd(void)
{
	_cleanup_oci_config_ struct oci_config *c = roundtrip_file("containerd-spec.json");
	if (!c)
		return;
	ok(c->process && c->process->capabilities.n_bounding > 0 && c->linux_ &&
		   c->linux_->resources && oci_config_namespace(c, "network"),
	   "containerd: capabilities, resources, namespaces");
}

static void test_semantics(void)
{
	_cleanup_oci_config_ struct oci_config *c = parse_ok(
		"{\"ociVersion\":\"1.0.0\",\"hostname\":\"a\",\"hostname\":\"b\",\"domainname\":"
		"null,"
		"\"x-unknown\":{\"deep\":[1,2,{\"z\":null}]},"
		"\"annotations\":{\"k\":\"1\",\"k\":\"2\"},"
		"\"process\":{\"user\":{\"uid\":2147483647,\"gid\":0},\"cwd\":\"/"
		"\",\"future\":true}}",
		"duplicates, nulls and unknown fields are accepted");
	ok(c && strcmp(c->hostname, "b") == 0, "a repeated member: the last one wins");
	ok(c && c->domainname == NULL, "null means absent");
	ok(c && c->n_annotations == 1 && strcmp(oci_config_annotation(c, "k"), "2") == 0,
	   "a repeated annotation key keeps one entry, the last value");
	ok(c && c->process->user.uid == INT32_MAX && !c->has_root && !c->linux_,
	   "uid 2^31-1 (the highest), absent root and linux");
	ok(oci_config_namespace(c, "pid") == NULL, "namespace lookup without .linux");
}

/* Keys match as Go's encoding/json (runc's decoder) matches them: exactly, or else
 * case-insensitively; the last of several spellings wins.  runc's own tests and configs
 * in the wild write "pagesize" for pageSize. */
static void test_key_case(void)
{
	_cleanup_oci_config_ struct oci_config *c = parse_ok(
		"{\"OCIVERSION\":\"1.0.0\",\"Hostname\":\"a\",\"linux\":{\"resources\":{"
		"\"hugepageLimits\":[{\"pagesize\":\"2MB\",\"LIMIT\":4096}],"
		"\"memory\":{\"Limit\":1,\"limit\":2}},"
		"\"Namespaces\":[{\"TYPE\":\"pid\"}]}}",
		"keys in another case are accepted");
	ok(c && c->linux_ && c->linux_->resources && c->linux_->resources->n_hugepage_limits == 1 &&
		   strcmp(c->linux_->resources->hugepage_limits[0].page_size, "2MB") == 0 &&
		   c->linux_->resources->hugepage_limits[0].limit == 4096,
	   "pagesize and LIMIT fill pageSize and limit");
	ok(c && strcmp(c->oci_version, "1.0.0") == 0 && strcmp(c->hostname, "a") == 0,
	   "OCIVERSION and Hostname fill ociVersion and hostname");
	ok(c && c->linux_->resources->memory.limit == 2, "of Limit then limit, the last one wins");
	ok(c && oci_config_namespace(c, "pid") != NULL, "Namespaces[].TYPE");
	_cleanup_oci_config_ struct oci_config *k = parse_ok(
		"{\"ociVersion\":\"1.0.0\",\"ho\xc5\xbf"
		"tname\":\"c\",\"linux\":{\"resources\":"
		"{\"memory\":{\"\xe2\x84\xaa"
		"ernel\":5}}}}",
		"Unicode letters that fold onto ASCII (KELVIN SIGN, LONG S) match as in Go");
	ok(k && k->hostname && strcmp(k->hostname, "c") == 0 &&
		   k->linux_->resources->memory.kernel == 5,
	   "ho\xc5\xbf"
	   "tname is hostname, \xe2\x84\xaa"
	   "ernel is kernel");
	_cleanup_oci_config_ struct oci_config *n = parse_ok(
		"{\"ociVersion\":\"1.0.0\",\"hostnamex\":\"x\",\"hostnam\":\"y\","
		"\"h\xc3\xb3stname\":\"z\"}",
		"keys that are not a field in any case are ignored");
	ok(n && n->hostname == NULL, "hostnamex, hostnam and h\xc3\xb3stname are not hostname");
}

/* Mappings up to the edge of the 32-bit id space are the kernel's to judge. */
static void test_idmap_edges(void)
{
	_cleanup_oci_config_ struct oci_config *c = parse_ok(
		"{\"ociVersion\":\"1.0.0\",\"linux\":{\"uidMappings\":["
		"{\"containerID\":0,\"hostID\":0,\"size\":4294967295}],\"gidMappings\":["
		"{\"containerID\":4294967294,\"hostID\":4294967294,\"size\":1}]}}",
		"a mapping of the whole id space and one ending at 4294967294 are accepted");
	ok(c && c->linux_->uid_mappings[0].size == UINT32_MAX &&
		   c->linux_->gid_mappings[0].host_id == UINT32_MAX - 1,
	   "mapping edges kept");
}

/* runtime-spec 1.3: linux.memoryPolicy resolved to set_mempolicy's arguments,
 * intelRdt's schemata and enableMonitoring; both emitted back. */
static void test_spec_1_3(void)
{
	const char *json = "{\"ociVersion\":\"1.3.0\",\"linux\":{\"memoryPolicy\":{\"mode\":"
			   "\"MPOL_INTERLEAVE\",\"nodes\":\" 0-2, 64,,1023 \",\"flags\":["
			   "\"MPOL_F_STATIC_NODES\"]},\"intelRdt\":{\"closID\":\"/\",\"schemata\":["
			   "\"L3:0=7f0\",\"MB:0=20\"],\"enableMonitoring\":true}}}";
	_cleanup_oci_config_ struct oci_config *c = parse_ok(json, "1.3: memoryPolicy, intelRdt");
	if (!c)
		return;
	const struct oci_memory_policy *mp = c->linux_->memory_policy;
	ok(mp && mp->mode_value == 3 && mp->flags_value == (1u << 15) && mp->n_nodes == 5 &&
		   mp->nodemask[0] == 7 && mp->nodemask[1] == 1 &&
		   mp->nodemask[15] == UINT64_C(1) << 63,
	   "memoryPolicy: MPOL_INTERLEAVE (3) | MPOL_F_STATIC_NODES, nodes 0-2,64,1023");
	const struct oci_intel_rdt *r = c->linux_->intel_rdt;
	ok(r && strcmp(r->clos_id, "/") == 0 && r->n_schemata == 2 && r->enable_monitoring,
	   "intelRdt: root CLOS, two schemata lines, monitoring");
	_cleanup_free_ char *out = oci_config_to_json(c);
	ok(same_document(json, out), "1.3 fields emitted back");
	_cleanup_oci_config_ struct oci_config *d = parse_ok(
		"{\"ociVersion\":\"1.3.0\",\"linux\":{\"memoryPolicy\":{\"mode\":"
		"\"MPOL_PREFERRED\"}}}",
		"memoryPolicy: MPOL_PREFERRED without nodes (local allocation) is accepted");
	ok(d && d->linux_->memory_policy->mode_value == 1 && d->linux_->memory_policy->n_nodes == 0,
	   "memoryPolicy: MPOL_PREFERRED is 1, no nodes");
}

/* linux.netDevices: "%d" names (the kernel numbers them) may repeat; a repeated
 * key keeps one entry, the last one. */
static void test_net_devices(void)
{
	_cleanup_oci_config_ struct oci_config *c = parse_ok(
		"{\"ociVersion\":\"1.3.0\",\"linux\":{\"netDevices\":{"
		"\"veth1\":{\"name\":\"eth%d\"},\"veth2\":{\"name\":\"eth%d\"},"
		"\"veth3\":{\"name\":\"x\"},\"veth3\":{},\"x\":{}}}}",
		"netDevices: two %d names, a repeated key, a host name reused once freed");
	const struct oci_linux *l = c ? c->linux_ : NULL;
	ok(l && l->n_net_devices == 4 && strcmp(l->net_devices[1].name, "eth%d") == 0 &&
		   strcmp(l->net_devices[2].host_name, "veth3") == 0 && !l->net_devices[2].name,
	   "netDevices: entries kept in order, the last value of a repeated key");
}

static void test_process_and_resources(void)
{
	const char *pj = "{\"terminal\":true,\"user\":{\"uid\":1,\"gid\":2,\"additionalGids\":[3]},"
			 "\"args\":[\"sh\"],\"env\":[\"A=B\"],\"cwd\":\"/tmp\","
			 "\"capabilities\":{\"bounding\":[\"CAP_KILL\"]},"
			 "\"rlimits\":[{\"type\":\"RLIMIT_NPROC\",\"hard\":5,\"soft\":4}],"
			 "\"noNewPrivileges\":true,\"oomScoreAdj\":10}";
	_cleanup_oci_process_ struct oci_process *p = NULL;
	cleat_error_t err = NULL;
	ok(oci_process_parse(pj, strlen(pj), "process.json", &p, &err) == 0, "process.json parses");
	cleat_error_free(&err);
	_cleanup_free_ char *out = p ? oci_process_to_json(p) : NULL;
	ok(out && same_document(pj, out), "process.json round-trips");
	ok(p && p->user.gid == 2 && p->n_rlimits == 1 && p->oom_score_adj == 10,
	   "process.json fields");

	/* runc's `exec -p` accepts a process.json without .user (uid 0, gid 0);
	 * runc's own tty.bats sends one. */
	const char *pj_nouser = "{\"terminal\":true,\"args\":[\"sh\"],\"cwd\":\"/\"}";
	_cleanup_oci_process_ struct oci_process *pn = NULL;
	ok(oci_process_parse(pj_nouser, strlen(pj_nouser), "process.json", &pn, &err) == 0 &&
		   pn->user.uid == 0 && pn->user.gid == 0 && pn->user.n_additional_gids == 0,
	   "process.json without user: uid 0, gid 0");
	cleat_error_free(&err);

	const char *rj = "{\"memory\":{\"limit\":1048576,\"swap\":2097152},\"cpu\":{\"quota\":1000,"
			 "\"period\":10000,\"cpus\":\"0\"},\"pids\":{\"limit\":10},"
			 "\"blockIO\":{\"weight\":100},\"unified\":{\"pids.max\":\"10\"}}";
	struct oci_resources *r = NULL;
	ok(oci_resources_parse(rj, strlen(rj), "resources", &r, &err) == 0, "resources parse");
	cleat_error_free(&err);
	_cleanup_free_ char *rout = r ? oci_resources_to_json(r) : NULL;
	ok(rout && same_document(rj, rout), "resources round-trip");
	ok(r && r->memory.limit == 1048576 && r->cpu.period == 10000 && r->pids_limit == 10,
	   "resources fields");
	oci_resources_free(r);
	/* runtime-spec 1.3: pids.limit is optional */
	const char *nolimit = "{\"pids\":{}}";
	r = NULL;
	ok(oci_resources_parse(nolimit, strlen(nolimit), "resources", &r, &err) == 0 && r &&
		   !r->has_pids,
	   "pids without limit: accepted, no limit set");
	cleat_error_free(&err);
	oci_resources_free(r);
}

int main(void)
{
	test_runc_spec();
	test_default_spec();
	test_docker();
	test_cri();
	test_full();
	test_containerd();
	test_semantics();
	test_key_case();
	test_idmap_edges();
	test_net_devices();
	test_process_and_resources();
	test_spec_1_3();
	return tap_done();
}
