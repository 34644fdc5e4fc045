/* state.json / `cleat state` and `cleat features` documents. */
#include <config.h>

#include <string.h>
#include <yajl/yajl_tree.h>

#include "common/util.h"
#include "oci-spec/state.h"
#include "test-oci-tap.h"

static void test_state(void)
{
	struct oci_kv ann[] = { { "z.last", "1" }, { "a.first", "2" } };
	struct oci_state s = {
		.oci_version = "1.0.2-dev",
		.id = "ct1",
		.status = "created",
		.pid = 11732,
		.bundle = "/tmp/b",
		.annotations = ann,
		.n_annotations = 2,
		.rootfs = "/tmp/b/rootfs",
		.created = "2026-11-28T07:15:50.173158246Z",
		.owner = "",
	};
	_cleanup_free_ char *j = oci_state_to_json(&s);
	is(j,
	   "{\"ociVersion\":\"1.0.2-dev\",\"id\":\"ct1\",\"status\":\"created\",\"pid\":11732,"
	   "\"bundle\":\"/tmp/b\",\"annotations\":{\"a.first\":\"2\",\"z.last\":\"1\"}}",
	   "hook state: spec key order, sorted annotations");

	/* captured from `runc state` (runc 1.1.5) */
	const char *runc_out = "{\n"
			       "  \"ociVersion\": \"1.0.2-dev\",\n"
			       "  \"id\": \"ct1\",\n"
			       "  \"pid\": 11732,\n"
			       "  \"status\": \"created\",\n"
			       "  \"bundle\": \"/tmp/b\",\n"
			       "  \"rootfs\": \"/tmp/b/rootfs\",\n"
			       "  \"created\": \"2026-11-28T07:15:50.173158246Z\",\n"
			       "  \"annotations\": {\n"
			       "    \"a.first\": \"2\",\n"
			       "    \"z.last\": \"1\"\n"
			       "  },\n"
			       "  \"owner\": \"\"\n"
			       "}";
	_cleanup_free_ char *r = oci_state_to_runc_json(&s);
	is(r, runc_out, "runc state layout");

	s.pid = 0;
	s.status = "stopped";
	s.n_annotations = 0;
	_cleanup_free_ char *j0 = oci_state_to_json(&s);
	is(j0,
	   "{\"ociVersion\":\"1.0.2-dev\",\"id\":\"ct1\",\"status\":\"stopped\",\"bundle\":\"/tmp/"
	   "b\"}",
	   "hook state: pid and empty annotations omitted");
	_cleanup_free_ char *r0 = oci_state_to_runc_json(&s);
	ok(strstr(r0, "\"pid\": 0,\n") && !strstr(r0, "annotations"),
	   "runc state prints pid 0 for a stopped container");

	struct oci_state *p = NULL;
	cleat_error_t err = NULL;
	ok(oci_state_parse(runc_out, strlen(runc_out), "state.json", &p, &err) == 0,
	   "runc state output parses");
	cleat_error_free(&err);
	ok(p && p->pid == 11732 && strcmp(p->status, "created") == 0 && p->n_annotations == 2 &&
		   strcmp(p->rootfs, "/tmp/b/rootfs") == 0 && strcmp(p->owner, "") == 0,
	   "parsed state fields");
	_cleanup_free_ char *again = p ? oci_state_to_runc_json(p) : NULL;
	is(again, runc_out, "state round-trips");
	oci_state_free(p);
}

static void test_features(void)
{
	struct oci_features_in f;
	oci_features_defaults(&f);
	ok(f.capabilities == NULL, "features: capabilities are the runtime's to fill");
	static const char *const caps[] = { "CAP_CHOWN", "CAP_KILL", NULL };
	f.capabilities = caps;
	f.cgroup_v1 = true;
	f.seccomp_enabled = true;
	static const char *const none[] = { NULL };
	f.seccomp_supported_flags = none;
	struct oci_kv ann[] = { { "org.example.z", "1" },
				{ "io.github.seccomp.libseccomp.version", "2.5.4" } };
	f.annotations = ann;
	f.n_annotations = 2;
	_cleanup_free_ char *j = oci_features_to_json(&f);
	ok(strncmp(j, "{\n    \"ociVersionMin\": \"1.0.0\",\n    \"ociVersionMax\": \"", 52) == 0,
	   "features: 4-space indent, version range first");
	size_t len = strlen(j);
	ok(len > 2 && strcmp(j + len - 2, "}\n") == 0, "features: ends with a newline");
	ok(strstr(j, "\"supportedFlags\": []") != NULL, "features: an empty list is []");
	ok(strstr(j, "\"cgroup\": {\n            \"v1\": true,\n            \"v2\": false,\n"
		     "            \"systemd\": false,\n            \"systemdUser\": false,\n"
		     "            \"rdma\": false\n        }") != NULL,
	   "features: cgroup block");
	ok(strstr(j,
		  "\"mountExtensions\": {\n            \"idmap\": {\n                \"enabled\": "
		  "false\n            }\n        }") != NULL,
	   "features: mountExtensions.idmap");
	ok(strstr(j, "\"intelRdt\": {\n            \"enabled\": false,\n            \"schemata\": "
		     "false,\n            \"monitoring\": false\n        }") != NULL,
	   "features: intelRdt enabled, schemata, monitoring");
	ok(strstr(j, "\"memoryPolicy\": {\n            \"modes\": [\n                "
		     "\"MPOL_BIND\",") &&
		   strstr(j,
			  "\"MPOL_WEIGHTED_INTERLEAVE\"\n            ],\n            \"flags\": [\n"
			  "                \"MPOL_F_NUMA_BALANCING\",\n                "
			  "\"MPOL_F_RELATIVE_NODES\",\n                \"MPOL_F_STATIC_NODES\"\n"),
	   "features: memoryPolicy modes and flags, sorted");
	const char *a1 = strstr(j, "io.github.seccomp"), *a2 = strstr(j, "org.example.z");
	ok(a1 && a2 && a1 < a2, "features: annotations sorted by key");

	char e[128];
	yajl_val t = yajl_tree_parse(j, e, sizeof e);
	const char *p_ns[] = { "linux", "namespaces", NULL };
	yajl_val ns = t ? yajl_tree_get(t, p_ns, yajl_t_array) : NULL;
	ok(ns && ns->u.array.len == 8, "features: eight namespaces incl. time");
	const char *p_keys[] = { "linux", NULL };
	yajl_val lx = t ? yajl_tree_get(t, p_keys, yajl_t_object) : NULL;
	const char *want[] = { "namespaces",	  "capabilities", "cgroup",   "seccomp",
			       "apparmor",	  "selinux",	  "intelRdt", "memoryPolicy",
			       "mountExtensions", "netDevices" };
	bool order = lx && lx->u.object.len == ARRAY_SIZE(want);
	for (size_t i = 0; order && i < ARRAY_SIZE(want); i++)
		order = strcmp(lx->u.object.keys[i], want[i]) == 0;
	ok(order, "features: linux keys in features-linux.md order");
	const char *p_seccomp[] = { "linux", "seccomp", NULL };
	yajl_val sc = t ? yajl_tree_get(t, p_seccomp, yajl_t_object) : NULL;
	const char *want_sc[] = { "enabled", "actions",	   "operators",
				  "archs",   "knownFlags", "supportedFlags" };
	order = sc && sc->u.object.len == ARRAY_SIZE(want_sc);
	for (size_t i = 0; order && i < ARRAY_SIZE(want_sc); i++)
		order = strcmp(sc->u.object.keys[i], want_sc[i]) == 0;
	ok(order, "features: seccomp keys");
	yajl_tree_free(t);

	struct oci_features_in bare = { .oci_version_min = "1.0.0", .oci_version_max = "1.0.0" };
	_cleanup_free_ char *b = oci_features_to_json(&bare);
	ok(!strstr(b, "hooks") && !strstr(b, "annotations") && !strstr(b, "actions"),
	   "features: NULL lists omitted");
}

int main(void)
{
	test_state();
	test_features();
	return tap_done();
}
