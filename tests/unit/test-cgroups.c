/* Unit tests for the pure parts of src/runtime/cgroups: path resolution,
 * value conversions, device rules (rendering, v1 emulation, eBPF code),
 * systemd property mapping, update merge, state round trip. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "runtime/cgroups/cgroups.h"
#include "runtime/cgroups/internal.h"
#include "runtime/cgroups/verbs.h"

static int n_tests, n_failed;

#define ok(cond, ...)                                                            \
	do {                                                                     \
		int ok_ = !!(cond);                                              \
		printf("%sok %d - ", ok_ ? "" : "not ", ++n_tests);              \
		printf(__VA_ARGS__);                                             \
		printf("\n");                                                    \
		if (!ok_) {                                                      \
			n_failed++;                                              \
			printf("#   at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                \
	} while (0)

static void is_str(char *got, const char *want, const char *what)
{
	ok(got && strcmp(got, want) == 0, "%s: \"%s\" (want \"%s\")", what, got ? got : "(null)",
	   want);
	free(got);
}

static void test_paths(void)
{
	is_str(cg_clean_path("/a/../../b//c/."), "/b/c", "clean absolute path can't climb above /");
	is_str(cg_clean_path("../../x"), "x", "clean relative path can't climb out");
	is_str(cg_clean_path(""), "", "clean empty path");
	is_str(cg_resolve_path("/docker/abc", "id", "/own"), "/docker/abc",
	       "absolute cgroupsPath stays");
	is_str(cg_resolve_path("foo/bar", "id", "/own"), "/own/foo/bar",
	       "relative cgroupsPath under own cgroup");
	is_str(cg_resolve_path(NULL, "ctr", "/"), "/ctr",
	       "default is <id> under own cgroup (root)");
	is_str(cg_resolve_path(NULL, "ctr", "/user.slice"), "/user.slice/ctr",
	       "default under non-root own cgroup");
	is_str(cg_resolve_path("../../etc", "id", "/own"), "/own/etc", "relative .. can't escape");

	char *slice = NULL, *unit = NULL;
	cleat_error_t err = NULL;
	ok(cg_systemd_parse("system.slice:docker:abc", "id", &slice, &unit, &err) == 0,
	   "parse slice:prefix:name");
	is_str(slice, "system.slice", "systemd slice");
	is_str(unit, "docker-abc.scope", "systemd unit");
	ok(cg_systemd_parse(NULL, "ctr", &slice, &unit, &err) == 0, "systemd default");
	is_str(slice, "system.slice", "default slice");
	is_str(unit, "cleat-ctr.scope", "default unit");
	ok(cg_systemd_parse(":cri:x", "id", &slice, &unit, &err) == 0, "empty slice defaults");
	is_str(slice, "system.slice", "empty slice → system.slice");
	is_str(unit, "cri-x.scope", "unit with prefix");
	ok(cg_systemd_parse("a:b", "id", &slice, &unit, &err) < 0 &&
		   strstr(err->msg, "slice:prefix:name"),
	   "two fields rejected with runc's message");
	cleat_error_free(&err);
	ok(cg_systemd_parse("foo:b:c", "id", &slice, &unit, &err) < 0,
	   "slice not ending in .slice rejected");
	cleat_error_free(&err);
	char *p = NULL;
	ok(cg_systemd_slice_path("a-b-c.slice", &p, &err) == 0, "slice path");
	is_str(p, "/a.slice/a-b.slice/a-b-c.slice", "nested slice path");
	ok(cg_systemd_slice_path("system.slice", &p, &err) == 0, "system.slice path");
	is_str(p, "/system.slice", "system.slice path value");
	ok(cg_systemd_slice_path("a--b.slice", &p, &err) < 0, "a--b.slice is invalid");
	cleat_error_free(&err);
}

static void test_conversions(void)
{
	ok(cg_shares_to_weight(0) == 0, "shares 0 → unset");
	ok(cg_shares_to_weight(2) == 1, "shares 2 → weight 1");
	ok(cg_shares_to_weight(1024) == 100, "shares 1024 → weight 100 (runc 1.3.2+)");
	ok(cg_shares_to_weight(3) == 2 && cg_shares_to_weight(100) == 17 &&
		   cg_shares_to_weight(512) == 59 && cg_shares_to_weight(2048) == 174 &&
		   cg_shares_to_weight(262143) == 10000,
	   "shares → weight along runc's curve");
	ok(cg_shares_to_weight(262144) == 10000, "shares max → weight 10000");
	ok(cg_blkio_to_io_weight(10) == 1, "blkio 10 → io 1");
	ok(cg_blkio_to_io_weight(500) == 4950, "blkio 500 → io 4950");
	ok(cg_blkio_to_io_weight(1000) == 10000, "blkio 1000 → io 10000");
	is_str(cg_cpu_max(true, 50000, true, 100000), "50000 100000", "cpu.max quota+period");
	is_str(cg_cpu_max(true, -1, true, 100000), "max 100000",
	       "cpu.max unlimited quota with period");
	is_str(cg_cpu_max(true, 20000, false, 0), "20000", "cpu.max quota alone");
	ok(cg_cpu_max(false, 0, false, 0) == NULL, "cpu.max unset");
	is_str(cg_v2_limit(-1), "max", "-1 → max");
	is_str(cg_v2_limit(1234), "1234", "plain limit");
	ok(cg_pids_max(0) == 1 && cg_pids_max(-5) == -1 && cg_pids_max(7) == 7,
	   "pids.limit: 0 is a limit of 1, < 0 unlimited (runc 1.4+)");
	int64_t sw = 0;
	cleat_error_t err = NULL;
	ok(cg_swap_v2(200, 100, &sw, &err) == 0 && sw == 100, "swap v2 = memsw - mem");
	ok(cg_swap_v2(0, -1, &sw, &err) == 0 && sw == -1, "unlimited memory → unlimited swap");
	ok(cg_swap_v2(-1, 100, &sw, &err) == 0 && sw == -1, "swap -1 stays");
	ok(cg_swap_v2(300, -1, &sw, &err) == 0 && sw == 300,
	   "unlimited memory with a swap value: swap as is (runc 1.2.1+)");
	cleat_error_free(&err);
	ok(cg_swap_v2(50, 100, &sw, &err) < 0, "memsw below memory rejected");
	cleat_error_free(&err);
	ok(cg_swap_v2(50, 0, &sw, &err) < 0, "swap without memory rejected");
	cleat_error_free(&err);
}

static struct cg_dev_rule R(bool allow, char t, int64_t ma, int64_t mi, unsigned acc) {
	return (struct cg_dev_rule){ allow, t, ma, mi, acc };
}

static void
test_devices(void)
{
	struct cg_dev_rule r = R(true, 'c', 1, 3, CG_DEV_R | CG_DEV_W | CG_DEV_M);
	is_str(cg_dev_rule_string(&r), "c 1:3 rwm", "char rule");
	r = R(false, 'b', 8, -1, CG_DEV_R);
	is_str(cg_dev_rule_string(&r), "b 8:* r", "block rule with wildcard minor");
	r = R(false, 'a', -1, -1, 0);
	is_str(cg_dev_rule_string(&r), "a *:* rwm", "all rule");

	struct oci_device_cgroup d = { .allow = true,
				       .type = (char *) "c",
				       .has_major = true,
				       .major = 10,
				       .access = (char *) "rw" };
	cleat_error_t err = NULL;
	ok(cg_dev_rule_from_oci(&d, &r, &err) == 0 && r.type == 'c' && r.major == 10 &&
		   r.minor == -1 && r.access == (CG_DEV_R | CG_DEV_W),
	   "OCI rule converted");
	d.access = (char *) "rwa";
	ok(cg_dev_rule_from_oci(&d, &r, &err) == 0 && r.access == (CG_DEV_R | CG_DEV_W),
	   "letters other than r, w and m are ignored, as runc does");
	d.access = (char *) "";
	ok(cg_dev_rule_from_oci(&d, &r, &err) < 0, "empty access rejected");
	cleat_error_free(&err);
	d.type = (char *) "x";
	d.access = (char *) "r";
	ok(cg_dev_rule_from_oci(&d, &r, &err) < 0, "bad type rejected");
	cleat_error_free(&err);

	/* A rule left without r, w or m changes nothing: dropped; "a" still resets. */
	struct oci_device_cgroup two[] = {
		{ .allow = true,
		  .type = (char *) "c",
		  .has_major = true,
		  .major = 1,
		  .access = (char *) "x" },
		{ .allow = false, .access = (char *) "q" },
	};
	struct oci_resources res2 = { .devices = two, .n_devices = 2 };
	struct cg_dev_rule *kept;
	size_t nk;
	ok(cg_dev_rules_build(&res2, NULL, false, &kept, &nk, &err) == 0 && nk == 1 &&
		   kept[0].type == 'a',
	   "a rule with no known letter is dropped, a type-a rule kept");
	free(kept);

	/* runc's default config: deny all, then the defaults. */
	struct oci_device_cgroup deny_all = { .allow = false, .access = (char *) "rwm" };
	struct oci_resources res = { .devices = &deny_all, .n_devices = 1 };
	struct cg_dev_rule *rules;
	size_t n;
	ok(cg_dev_rules_build(&res, NULL, true, &rules, &n, &err) == 0 && n == 12,
	   "deny-all + 11 defaults");
	struct cg_dev_emu e = { .default_allow = true };
	for (size_t i = 0; i < n; i++)
		cg_dev_emu_apply(&e, &rules[i]);
	free(rules);
	ok(!e.default_allow && e.n == 11, "emulated: whitelist with 11 entries");
	/* A deny of a listed device removes it. */
	struct cg_dev_rule rm = R(false, 'c', 1, 3, CG_DEV_W);
	cg_dev_emu_apply(&e, &rm);
	bool found = false;
	for (size_t i = 0; i < e.n; i++)
		if (e.r[i].major == 1 && e.r[i].minor == 3)
			found = e.r[i].access == (CG_DEV_R | CG_DEV_M);
	ok(found, "deny w on /dev/null leaves rm");

	struct bpf_insn *insns;
	size_t ni;
	cg_bpf_dev_program(&e, &insns, &ni);
	ok(ni > 7 && insns[ni - 1].code == (BPF_JMP | BPF_EXIT) && insns[ni - 2].imm == 0,
	   "program ends with the default deny");
	/* Every jump lands inside the program. */
	bool jumps_ok = true;
	for (size_t i = 0; i < ni; i++)
		if ((insns[i].code & 0x07) == BPF_JMP && (insns[i].code & 0xf0) != BPF_EXIT &&
		    (i + 1 + (size_t) insns[i].off >= ni))
			jumps_ok = false;
	ok(jumps_ok, "all jumps in range");
	free(insns);
	cg_dev_emu_free(&e);

	/* Blacklist mode: allow all, deny one. */
	struct cg_dev_emu b = { .default_allow = true };
	struct cg_dev_rule a = R(true, 'a', -1, -1, 7), dn = R(false, 'c', 1, 5, 7);
	cg_dev_emu_apply(&b, &a);
	cg_dev_emu_apply(&b, &dn);
	ok(b.default_allow && b.n == 1 && !b.r[0].allow, "blacklist with one denied device");
	cg_dev_emu_free(&b);

	struct oci_device dev = { .path = (char *) "/dev/null" };
	struct oci_linux lx = { .devices = &dev, .n_devices = 1 };
	struct oci_config cfg = { .linux_ = &lx };
	ok(cg_dev_rules_build(NULL, &cfg, true, &rules, &n, &err) == 0 && n == 10,
	   "a config device replaces the default with the same path");
	free(rules);
}

static const struct cg_unit_prop *prop(const struct cg_unit_prop *p, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(p[i].name, name) == 0)
			return &p[i];
	return NULL;
}

static void test_systemd_props(void)
{
	struct oci_resources r = { 0 };
	r.has_memory = true;
	r.memory.has_limit = true;
	r.memory.limit = 64 << 20;
	r.has_cpu = true;
	r.cpu.has_shares = true;
	r.cpu.shares = 1024;
	r.cpu.has_quota = true;
	r.cpu.quota = 50000;
	r.cpu.has_period = true;
	r.cpu.period = 100000;
	r.cpu.cpus = (char *) "0-1,9";
	r.has_pids = true;
	r.pids_limit = 50;
	struct cg_unit_prop *p;
	size_t n;
	cleat_error_t err = NULL;
	ok(cg_systemd_props(&r, true, &p, &n, &err) == 0, "v2 properties");
	const struct cg_unit_prop *x;
	ok((x = prop(p, n, "MemoryMax")) && x->u == 64 << 20, "MemoryMax");
	ok((x = prop(p, n, "CPUWeight")) && x->u == 100, "CPUWeight from shares");
	ok((x = prop(p, n, "CPUQuotaPerSecUSec")) && x->u == 500000, "CPUQuotaPerSecUSec 0.5 CPU");
	ok((x = prop(p, n, "TasksMax")) && x->u == 50, "TasksMax");
	ok((x = prop(p, n, "AllowedCPUs")) && x->n_bytes == 2 && x->bytes[0] == 0x03 &&
		   x->bytes[1] == 0x02,
	   "AllowedCPUs bitmask");
	cg_unit_props_free(p, n);
	r.cpu.quota = 12345;
	ok(cg_systemd_props(&r, false, &p, &n, &err) == 0, "v1 properties");
	ok((x = prop(p, n, "MemoryLimit")) && x->u == 64 << 20, "MemoryLimit on v1");
	ok((x = prop(p, n, "CPUShares")) && x->u == 1024, "CPUShares on v1");
	ok((x = prop(p, n, "CPUQuotaPerSecUSec")) && x->u == 130000, "quota rounded up to 10ms");
	cg_unit_props_free(p, n);
	r.pids_limit = -1;
	r.memory.limit = -1;
	ok(cg_systemd_props(&r, true, &p, &n, &err) == 0 &&
		   prop(p, n, "TasksMax")->u == UINT64_MAX &&
		   prop(p, n, "MemoryMax")->u == UINT64_MAX,
	   "unlimited → infinity");
	cg_unit_props_free(p, n);
	r.pids_limit = 0;
	ok(cg_systemd_props(&r, true, &p, &n, &err) == 0 && prop(p, n, "TasksMax") &&
		   prop(p, n, "TasksMax")->u == 1,
	   "pids.limit 0 → TasksMax 1");
	cg_unit_props_free(p, n);
}

static void test_systemd_device_props(void)
{
	struct cg_dev_rule rules[] = { R(false, 'a', -1, -1, 7), R(true, 'c', 1, 3, 7),
				       R(true, 'c', 136, -1, 7), R(true, 'b', -1, -1, CG_DEV_M),
				       R(true, 'c', 99, -1, CG_DEV_R) };
	struct cg_dev_emu e = { .default_allow = true };
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++)
		cg_dev_emu_apply(&e, &rules[i]);
	const char *devs = "Character devices:\n  1 mem\n136 pts\n\nBlock devices:\n  7 loop\n";
	struct cg_unit_prop *p = NULL;
	size_t n = 0;
	cg_systemd_device_props(&e, devs, &p, &n);
	const struct cg_unit_prop *x = prop(p, n, "DevicePolicy");
	ok(x && strcmp(x->s, "strict") == 0, "whitelist → DevicePolicy=strict");
	ok(n >= 3 && strcmp(p[0].name, "DeviceAllow") == 0 && p[0].n_pairs == 0 &&
		   strcmp(p[1].name, "DevicePolicy") == 0 && strcmp(p[2].name, "DeviceAllow") == 0,
	   "an empty DeviceAllow (clear), DevicePolicy, then the list (runc 1.2.5's order)");
	x = n >= 3 ? &p[2] : NULL;
	ok(x && x->n_pairs == 6, "three DeviceAllow entries (unknown major 99 dropped)");
	ok(x && strcmp(x->pairs[0], "/dev/char/1:3") == 0 && strcmp(x->pairs[1], "rwm") == 0,
	   "exact device path");
	ok(x && strcmp(x->pairs[2], "char-pts") == 0, "wildcard minor → driver name");
	ok(x && strcmp(x->pairs[4], "block-*") == 0 && strcmp(x->pairs[5], "m") == 0,
	   "wildcard major → block-*");
	cg_unit_props_free(p, n);
	cg_dev_emu_free(&e);
	struct cg_dev_emu open_ = { .default_allow = true };
	p = NULL;
	n = 0;
	cg_systemd_device_props(&open_, devs, &p, &n);
	ok(strcmp(prop(p, n, "DevicePolicy")->s, "auto") == 0, "allow-all → DevicePolicy=auto");
	cg_unit_props_free(p, n);
}

static void test_merge_and_state(void)
{
	struct oci_resources into = { 0 }, d = { 0 };
	into.has_memory = true;
	into.memory.has_limit = true;
	into.memory.limit = 100;
	into.memory.has_reservation = true;
	into.memory.reservation = 50;
	d.has_memory = true;
	d.memory.has_limit = true;
	d.memory.limit = 200;
	d.has_cpu = true;
	d.cpu.cpus = xstrdup("0");
	cleat_resources_merge(&into, &d);
	ok(into.memory.limit == 200 && into.memory.reservation == 50, "merge keeps unset fields");
	ok(into.cpu.cpus && strcmp(into.cpu.cpus, "0") == 0, "merge takes cpus");
	free(into.cpu.cpus);
	free(d.cpu.cpus);

	/* blockIO devices: upserted by major:minor. */
	struct oci_resources bi = { 0 }, bd = { 0 };
	bi.blkio.n_throttle_read_bps_device = 1;
	bi.blkio.throttle_read_bps_device = xmalloc0(sizeof(struct oci_throttle_device));
	bi.blkio.throttle_read_bps_device[0] = (struct oci_throttle_device){ 8, 0, 100 };
	bi.blkio.n_weight_device = 1;
	bi.blkio.weight_device = xmalloc0(sizeof(struct oci_weight_device));
	bi.blkio.weight_device[0] = (struct oci_weight_device){ 8, 0, true, 10, true, 20 };
	struct oci_throttle_device tds[] = { { 8, 16, 300 }, { 8, 0, 200 } };
	struct oci_weight_device wds[] = { { 8, 0, true, 30, false, 0 } };
	bd.has_blkio = true;
	bd.blkio.throttle_read_bps_device = tds;
	bd.blkio.n_throttle_read_bps_device = 2;
	bd.blkio.weight_device = wds;
	bd.blkio.n_weight_device = 1;
	cleat_resources_merge(&bi, &bd);
	struct oci_throttle_device *t = bi.blkio.throttle_read_bps_device;
	ok(bi.blkio.n_throttle_read_bps_device == 2 && t[0].minor == 0 && t[0].rate == 200 &&
		   t[1].minor == 16 && t[1].rate == 300,
	   "merge updates a known throttle device, appends a new one");
	struct oci_weight_device *w = bi.blkio.weight_device;
	ok(bi.blkio.n_weight_device == 1 && w[0].weight == 30 && w[0].has_leaf_weight &&
		   w[0].leaf_weight == 20,
	   "merge updates a weight device's weight, keeps its leafWeight");
	free(bi.blkio.throttle_read_bps_device);
	free(bi.blkio.weight_device);

	struct cleat_cgroup cg = { .mode = CLEAT_CGROUP_HYBRID, .path = (char *) "/x" };
	char *ctrls[] = { (char *) "memory", NULL };
	struct cg_hier h = { .v2 = false,
			     .mountpoint = (char *) "/sys/fs/cgroup/memory",
			     .controllers = ctrls,
			     .dir = (char *) "/sys/fs/cgroup/memory/x",
			     .created = true };
	cg.h = &h;
	cg.n_h = 1;
	char *s = cleat_cgroup_to_string(&cg);
	struct cleat_cgroup *back = NULL;
	cleat_error_t err = NULL;
	ok(cleat_cgroup_from_string(s, &back, &err) == 0 && back->mode == CLEAT_CGROUP_HYBRID &&
		   back->n_h == 1 && strcmp(back->h[0].dir, h.dir) == 0 &&
		   cg_hier_has(&back->h[0], "memory") && back->h[0].created,
	   "state round trip");
	free(s);
	cleat_cgroup_free(back);
	ok(cleat_cgroup_from_string("garbage", &back, &err) < 0, "bad state rejected");
	cleat_error_free(&err);
}

/* The glibc release check of a static cleat before it dlopens libsystemd. */
static void test_glibc_banner(void)
{
	static const char img[] = "\177ELF\0junk\0GNU C Library (Debian GLIBC 2.36-9+deb12u14) "
				  "stable release version 2.36.\nmore";
	size_t n = sizeof img - 1;
	ok(cleat_glibc_banner_matches(img, n, "2.36"), "same release matches");
	ok(!cleat_glibc_banner_matches(img, n, "2.3"), "2.3 is not 2.36");
	ok(!cleat_glibc_banner_matches(img, n, "2.41"), "another release does not match");
	ok(!cleat_glibc_banner_matches(img, n - 18, "2.36"), "a truncated banner does not match");
	static const char at_end[] = "stable release version 2.36";
	ok(!cleat_glibc_banner_matches(at_end, sizeof at_end - 1, "2.36"),
	   "a version cut at the end of the image does not match");
	static const char longer[] = "stable release version 2.361.";
	ok(!cleat_glibc_banner_matches(longer, sizeof longer - 1, "2.36"), "2.361 is not 2.36");
	static const char none[] = "no banner here";
	ok(!cleat_glibc_banner_matches(none, sizeof none - 1, "2.36"), "no banner: no match");
	static const char two[] = "release version 2.35.\0release version 2.36\0";
	ok(cleat_glibc_banner_matches(two, sizeof two - 1, "2.36"), "a later banner matches");
}

/* A join handed over with the files the parent opened (cleat_cgroup_join_adopt_string):
 * each hierarchy takes its fd in order; the cgroup2 directory only with clone_into;
 * files that are not the string's are refused and closed. */
static void test_join_adopt(void)
{
	const char *s =
		"cleat-cgroup/1\nmode\thybrid\nsystemd\t0\nunit\t\nslice\t\npath\t/c\n"
		"h\tv1\t1\tcpu,cpuacct\t/sys/fs/cgroup/cpu,cpuacct\t/sys/fs/cgroup/cpu,cpuacct/c\n"
		"h\tv1\t1\tmemory\t/sys/fs/cgroup/memory\t/sys/fs/cgroup/memory/c\n"
		"h\tv2\t1\t\t/sys/fs/cgroup/unified\t/sys/fs/cgroup/unified/c\n";
	cleat_error_t err = NULL;
	struct cleat_cgroup_join j;
	int fds[4];
	for (int i = 0; i < 4; i++)
		fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int keep[4] = { fds[0], fds[1], fds[2], fds[3] };
	ok(cleat_cgroup_join_adopt_string(s, fds, 4, true, &j, &err) == 0,
	   "adopt 3 files and a directory");
	ok(j.n == 3 && j.fds[0] == keep[0] && j.fds[1] == keep[1] && j.fds[2] == keep[2] &&
		   j.v2_dir == keep[3] && !j.v2[0] && !j.v2[1] && j.v2[2] && j.hybrid,
	   "in order, the directory last");
	ok(fds[0] == -1 && fds[3] == -1, "taken from the caller's array");
	is_str(xstrdup(j.paths[1]), "/sys/fs/cgroup/memory/c/tasks", "a v1 file's path");
	is_str(xstrdup(j.paths[2]), "/sys/fs/cgroup/unified/c/cgroup.procs", "the v2 file's path");
	cleat_cgroup_join_close(&j);
	ok(fcntl(keep[0], F_GETFD) < 0 && fcntl(keep[3], F_GETFD) < 0, "the join closes them");

	for (int i = 0; i < 4; i++)
		keep[i] = fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ok(cleat_cgroup_join_adopt_string(s, fds, 4, false, &j, &err) == 0 && j.v2_dir == -1 &&
		   fcntl(keep[3], F_GETFD) < 0,
	   "without clone_into the directory is closed");
	cleat_cgroup_join_close(&j);
	ok(cleat_cgroup_join_adopt_string(s, fds, 3, false, &j, &err) == 0 && j.n == 3 &&
		   j.v2_dir == -1,
	   "the directory may be missing");
	cleat_cgroup_join_close(&j);

	for (int i = 0; i < 2; i++)
		keep[i] = fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ok(cleat_cgroup_join_adopt_string(s, fds, 2, true, &j, &err) < 0 && err &&
		   err->errnum == EPROTO && j.n == 0,
	   "2 files for 3 hierarchies: refused");
	ok(fds[0] == -1 && fcntl(keep[0], F_GETFD) < 0 && fcntl(keep[1], F_GETFD) < 0,
	   "and closed");
	cleat_error_free(&err);
}

int main(void)
{
	test_glibc_banner();
	test_paths();
	test_conversions();
	test_devices();
	test_systemd_props();
	test_systemd_device_props();
	test_merge_and_state();
	test_join_adopt();
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
