/* linux.intelRdt: the resctrl writer (src/runtime/linux/resctrl.c) against a
 * temporary directory laid out like /sys/fs/resctrl (info/, schemata, tasks,
 * a preset CLOS with mon_groups/). */
#include "config.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "runtime/linux/resctrl.h"
#include "security-tap.h"

static char *slurp(const char *root, const char *rel)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", root, rel);
	char *s = NULL;
	size_t len;
	_cleanup_error_ cleat_error_t e = NULL;
	return read_file(path, &s, &len, &e) == 0 ? s : xstrdup("(absent)");
}

static bool is_dir(const char *root, const char *rel)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", root, rel);
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool same(char *got, const char *want)
{
	bool r = strcmp(got, want) == 0;
	if (!r)
		printf("#   got \"%s\", want \"%s\"\n", got, want);
	free(got);
	return r;
}

int main(void)
{
	char tmpl[] = "/tmp/cleat-resctrl.XXXXXX";
	const char *root = mkdtemp(tmpl);
	if (!root)
		return 99;
	cleat_error_t err = NULL;
	_cleanup_free_ char *info = xasprintf("%s/info", root);
	_cleanup_free_ char *preset = xasprintf("%s/gold/mon_groups", root);
	mkdir_p(info, 0755, &err);
	mkdir_p(preset, 0755, &err);
	_cleanup_free_ char *status = xasprintf("%s/info/last_cmd_status", root);
	write_file(status, "ok\n", 3, 0644, &err);

	/* no closID: a group named after the container, schemata in spec order */
	struct oci_intel_rdt a = { .l3_cache_schema = "L3:0=7f0", .mem_bw_schema = "MB:0=20" };
	char *lines[] = { "L2:0=f", "MB:0=70" };
	a.schemata = lines;
	a.n_schemata = 2;
	bool created = false;
	ok(cleat_resctrl_apply(root, &a, "ct1", 4242, &created, &err) == 0 && created,
	   "no closID: group <id> made");
	ok(same(slurp(root, "ct1/schemata"), "L3:0=7f0\nMB:0=20\nL2:0=f\nMB:0=70\n"),
	   "schemata: l3CacheSchema, memBwSchema, then schemata, in one write");
	ok(same(slurp(root, "ct1/tasks"), "4242"), "the init's pid in tasks");
	/* update: runc's refusals, in its order and words */
	ok(cleat_resctrl_update_check(NULL, &a, "L3:0=ff", NULL, &err) < 0 &&
		   err_has(&err, "Intel RDT/CAT: l3 cache schema is not enabled"),
	   "update --l3-cache-schema without resctrl: CAT not enabled");
	ok(cleat_resctrl_update_check(root, &a, NULL, "MB:0=50", &err) < 0 &&
		   err_has(&err, "Intel RDT/MBA: memory bandwidth schema is not enabled"),
	   "update --mem-bw-schema without info/MB: MBA not enabled");
	_cleanup_free_ char *l3info = xasprintf("%s/info/L3", root);
	_cleanup_free_ char *mbinfo = xasprintf("%s/info/MB", root);
	mkdir_p(l3info, 0755, &err);
	mkdir_p(mbinfo, 0755, &err);
	ok(cleat_resctrl_update_check(root, NULL, "L3:0=ff", NULL, &err) < 0 &&
		   err_has(&err,
			   "updating a non-existent Intel RDT configuration is not supported"),
	   "update of a container without intelRdt refused");
	ok(cleat_resctrl_update_check(root, &a, "L3:0=ff", "MB:0=50", &err) == 0 &&
		   cleat_resctrl_update_check(NULL, NULL, NULL, "", &err) == 0,
	   "update checks pass with the features, and when nothing is asked");
	struct oci_intel_rdt u = { .l3_cache_schema = xstrdup("L3:0=7f0"),
				   .mem_bw_schema = xstrdup("MB:0=20") };
	u.schemata = lines;
	u.n_schemata = 2;
	ok(cleat_resctrl_update(root, &u, "ct1", "L3:0=ff", NULL, &err) == 0 &&
		   same(slurp(root, "ct1/schemata"), "L3:0=ff\nMB:0=20\nL2:0=f\nMB:0=70\n") &&
		   strcmp(u.l3_cache_schema, "L3:0=ff") == 0,
	   "update --l3-cache-schema: the config's line replaced, all lines written again");
	ok(cleat_resctrl_update(root, &u, "ct1", "", "MB:0=50", &err) == 0 &&
		   same(slurp(root, "ct1/schemata"), "L3:0=ff\nMB:0=50\nL2:0=f\nMB:0=70\n"),
	   "update --mem-bw-schema keeps the earlier l3 line");
	free(u.l3_cache_schema);
	free(u.mem_bw_schema);
	/* the directory holds the files the fake made: empty them as rmdir needs */
	_cleanup_free_ char *f1 = xasprintf("%s/ct1/schemata", root);
	_cleanup_free_ char *f2 = xasprintf("%s/ct1/tasks", root);
	unlink(f1);
	unlink(f2);
	ok(cleat_resctrl_remove(root, &a, "ct1", created, &err) == 0 && !is_dir(root, "ct1"),
	   "delete removes the group it created");

	/* a preset CLOS without schemata is joined, never removed; monitoring group */
	struct oci_intel_rdt b = { .clos_id = "gold", .enable_monitoring = true };
	ok(cleat_resctrl_apply(root, &b, "ct2", 77, &created, &err) == 0 && !created,
	   "closID gold: joined, not created");
	ok(same(slurp(root, "gold/schemata"), "(absent)"), "no schemata given: none written");
	ok(same(slurp(root, "gold/tasks"), "77") &&
		   same(slurp(root, "gold/mon_groups/ct2/tasks"), "77"),
	   "pid in the CLOS and in mon_groups/<id>");
	_cleanup_free_ char *f3 = xasprintf("%s/gold/mon_groups/ct2/tasks", root);
	unlink(f3);
	ok(cleat_resctrl_remove(root, &b, "ct2", false, &err) == 0 && is_dir(root, "gold") &&
		   !is_dir(root, "gold/mon_groups/ct2"),
	   "delete keeps a closID group, removes the monitoring group");

	/* the pre-1.3 enableCMT asks for the same per-container monitoring group */
	struct oci_intel_rdt bc = { .clos_id = "gold", .enable_cmt = true, .has_enable_cmt = true };
	ok(cleat_resctrl_apply(root, &bc, "ct4", 78, &created, &err) == 0 &&
		   same(slurp(root, "gold/mon_groups/ct4/tasks"), "78"),
	   "enableCMT: pid in mon_groups/<id>");
	_cleanup_free_ char *f4 = xasprintf("%s/gold/mon_groups/ct4/tasks", root);
	unlink(f4);
	ok(cleat_resctrl_remove(root, &bc, "ct4", false, &err) == 0 &&
		   !is_dir(root, "gold/mon_groups/ct4"),
	   "enableCMT: delete removes its monitoring group");

	/* a missing preset CLOS without schemata is an error naming closID */
	struct oci_intel_rdt c = { .clos_id = "silver" };
	ok(cleat_resctrl_apply(root, &c, "ct3", 1, &created, &err) < 0 &&
		   err_has(&err, "linux.intelRdt.closID: CLOS \"silver\" must exist") &&
		   !is_dir(root, "silver"),
	   "missing preset CLOS refused, nothing made");

	/* closID "/" is the root group itself */
	struct oci_intel_rdt d = { .clos_id = "/" };
	ok(cleat_resctrl_apply(root, &d, "ct4", 9, &created, &err) == 0 && !created &&
		   same(slurp(root, "tasks"), "9"),
	   "closID \"/\": the root's tasks");
	_cleanup_free_ char *g = cleat_resctrl_group(root, &d, "ct4");
	ok(strcmp(g, root) == 0, "closID \"/\": the group is the root");

	/* a failed write names the field and carries info/last_cmd_status */
	_cleanup_free_ char *bad = xasprintf("%s/bronze/schemata", root);
	mkdir_p(bad, 0755, &err);
	struct oci_intel_rdt e = { .clos_id = "bronze", .mem_bw_schema = "MB:0=20" };
	ok(cleat_resctrl_apply(root, &e, "ct5", 1, &created, &err) < 0 &&
		   err_has(&err, "last_cmd_status: ok") && is_dir(root, "bronze"),
	   "a failed schemata write: error with last_cmd_status, preset group kept");

	_cleanup_free_ char *rm = xasprintf("rm -rf '%s'", root);
	if (system(rm) != 0)
		return 99;
	return tap_done();
}
