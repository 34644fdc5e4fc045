/* Pure logic of the shim: sha256, socket naming and grouping, Go-style flags,
 * the JSON scanner, process state transitions, runtime argv, runtime log
 * errors, exec spec rewriting. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>

#include "common/sha256.h"
#include "common/util.h"
#include "shim/bootstrap.h"
#include "shim/json.h"
#include "shim/process.h"
#include "shim/reaper.h"
#include "shim/runtime.h"
#include "shim/task.h"
#include "test-shim-tap.h"
#include "bootstrap.pb-c.h"
#include "google_types.pb-c.h"

static void test_sha256(void)
{
	char hex[65];
	sha256_hex("", 0, hex);
	STREQ(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	      "sha256 of empty");
	sha256_hex("abc", 3, hex);
	STREQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	      "sha256 abc");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha256_hex(two, strlen(two), hex);
	STREQ(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	      "sha256 448-bit vector");
	/* One million 'a', fed in odd-sized chunks. */
	struct sha256 s;
	uint8_t d[32];
	char chunk[997];
	memset(chunk, 'a', sizeof chunk);
	sha256_init(&s);
	size_t left = 1000000;
	while (left) {
		size_t n = left < sizeof chunk ? left : sizeof chunk;
		sha256_update(&s, chunk, n);
		left -= n;
	}
	sha256_final(&s, d);
	OK(d[0] == 0xcd && d[1] == 0xc7 && d[31] == 0xd0, "sha256 of a million 'a' (streamed)");
}

static void test_socket_naming(void)
{
	char *p = shim_socket_path(NULL, "/run/containerd/containerd.sock", "default",
				   "trace-sleep-1");
	/* Observed on this host with containerd-shim-runc-v2. */
	STREQ(p,
	      "/run/containerd/s/2aa60f6df2448087927176653a354e6b83e67b4b59a61ab382d14e66acfd2f9f",
	      "socket path = sha256(address/ns/group) as runc-v2");
	free(p);
	char *g = shim_group_key("{\"annotations\":{\"io.kubernetes.cri.sandbox-id\":\"sb1\","
				 "\"io.containerd.runc.v2.group\":\"grp\"}}",
				 "ct");
	STREQ(g, "grp", "group annotation wins over sandbox id");
	free(g);
	g = shim_group_key("{\"annotations\":{\"io.kubernetes.cri.sandbox-id\":\"sb1\"}}", "ct");
	STREQ(g, "sb1", "sandbox id groups a pod");
	free(g);
	g = shim_group_key("{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"]}}", "ct");
	STREQ(g, "ct", "no annotation: the container id");
	free(g);
	g = shim_group_key("{\"annotations\":{\"io.containerd.runc.v2.group\":\"\"}}", "ct");
	STREQ(g, "ct", "empty group annotation is ignored");
	free(g);
	STREQ(shim_default_runtime("containerd-shim-runc-v2"), "runc",
	      "drop-in name: runc by default, as containerd-shim-runc-v2");
	STREQ(shim_default_runtime("containerd-shim-cleat-v2"), "cleat", "own name: cleat");
	STREQ(shim_default_runtime(NULL), "cleat", "no name: cleat");
}

static uint8_t *pack_params(const char *id, const char *ns, const char *dir, size_t *len)
{
	Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
	any.type_url = (char *) "containerd.runc.v1.Options";
	any.value.data = (uint8_t *) "\x1a\x03/cg"; /* shim_cgroup = 3: "/cg" */
	any.value.len = 5;
	Containerd__Runtime__Bootstrap__V1__Extension ext =
		CONTAINERD__RUNTIME__BOOTSTRAP__V1__EXTENSION__INIT;
	ext.value = &any;
	Containerd__Runtime__Bootstrap__V1__Extension *exts[] = { &ext };
	Containerd__Runtime__Bootstrap__V1__BootstrapParams p =
		CONTAINERD__RUNTIME__BOOTSTRAP__V1__BOOTSTRAP_PARAMS__INIT;
	p.instance_id = (char *) id;
	p.namespace_ = (char *) ns;
	p.containerd_version = (char *) "v2.4.2";
	p.socket_dir = (char *) dir;
	p.n_extensions = 1;
	p.extensions = exts;
	*len = containerd__runtime__bootstrap__v1__bootstrap_params__get_packed_size(&p);
	uint8_t *buf = malloc(*len);
	containerd__runtime__bootstrap__v1__bootstrap_params__pack(&p, buf);
	return buf;
}

static void test_start_input(void)
{
	struct shim_start_input in;
	size_t len;
	uint8_t *buf = pack_params("ct", "ns", "/run/x/s", &len);
	shim_start_input_parse(buf, len, "ct", "ns", &in);
	OK(in.bootstrap, "BootstrapParams with our id and namespace: containerd 2.x");
	STREQ(in.opts_type_url, "containerd.runc.v1.Options", "options from the first extension");
	OK(in.opts_len == 5, "options value kept");
	STREQ(in.socket_dir, "/run/x/s", "socket_dir taken");
	shim_start_input_clear(&in);
	shim_start_input_parse(buf, len, "other", "ns", &in);
	OK(!in.bootstrap, "another id: not bootstrap params");
	shim_start_input_clear(&in);
	free(buf);

	Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
	any.type_url = (char *) "containerd.runc.v1.Options";
	any.value.data = (uint8_t *) "\x1a\x03/cg";
	any.value.len = 5;
	len = google__protobuf__any__get_packed_size(&any);
	buf = malloc(len);
	google__protobuf__any__pack(&any, buf);
	shim_start_input_parse(buf, len, "ct", "ns", &in);
	OK(!in.bootstrap && in.socket_dir == NULL, "an options Any (containerd 1.6/1.7)");
	STREQ(in.opts_type_url, "containerd.runc.v1.Options", "its type kept");
	shim_start_input_clear(&in);
	free(buf);
	shim_start_input_parse(NULL, 0, "ct", "ns", &in);
	OK(!in.bootstrap && in.opts_type_url == NULL, "empty stdin: nothing");

	uint8_t *r = shim_bootstrap_result("unix:///run/containerd/s/ab", &len);
	Containerd__Runtime__Bootstrap__V1__BootstrapResult *res =
		containerd__runtime__bootstrap__v1__bootstrap_result__unpack(NULL, len, r);
	OK(res && res->version == 3, "result: version 3");
	if (res) {
		STREQ(res->protocol, "ttrpc", "result: ttrpc");
		STREQ(res->address, "unix:///run/containerd/s/ab", "result: address");
		containerd__runtime__bootstrap__v1__bootstrap_result__free_unpacked(res, NULL);
	}
	free(r);
}

static void test_flags(void)
{
	struct shim_flags f;
	cleat_error_t err = NULL;
	char *argv1[] = { "shim",
			  "-namespace",
			  "default",
			  "-address",
			  "/run/containerd/containerd.sock",
			  "-publish-binary",
			  "/usr/bin/containerd",
			  "-id",
			  "c1",
			  "start",
			  NULL };
	OK(shim_flags_parse(10, argv1, &f, &err) == 0, "parse start argv");
	STREQ(f.ns, "default", "-namespace");
	STREQ(f.id, "c1", "-id");
	STREQ(f.publish_binary, "/usr/bin/containerd", "-publish-binary accepted");
	STREQ(f.action, "start", "action after the flags");
	OK(!f.debug, "no -debug");
	shim_flags_clear(&f);

	char *argv2[] = {
		"shim", "--namespace=k8s.io", "-debug", "-bundle", "/b", "-id=x", "delete", NULL
	};
	OK(shim_flags_parse(7, argv2, &f, &err) == 0, "parse --flag=value and bool");
	STREQ(f.ns, "k8s.io", "--namespace=");
	OK(f.debug, "-debug");
	STREQ(f.bundle, "/b", "-bundle");
	STREQ(f.action, "delete", "delete action");
	shim_flags_clear(&f);

	char *argv3[] = { "shim", "-namespace", "ns", "-id", "x", "-address", "/a", NULL };
	OK(shim_flags_parse(7, argv3, &f, &err) == 0 && f.action == NULL, "daemon mode: no action");
	shim_flags_clear(&f);

	char *argv4[] = { "shim", "-bogus", NULL };
	OK(shim_flags_parse(2, argv4, &f, &err) < 0 && err, "unknown flag is an error");
	cleat_error_free(&err);
	shim_flags_clear(&f);
	char *argv5[] = { "shim", "-id", NULL };
	OK(shim_flags_parse(2, argv5, &f, &err) < 0, "missing value is an error");
	cleat_error_free(&err);
	shim_flags_clear(&f);
	char *argv6[] = { "shim", "-v", NULL };
	OK(shim_flags_parse(2, argv6, &f, &err) == 0 && f.version, "-v");
	shim_flags_clear(&f);
	char *argv7[] = { "shim", "-info", NULL };
	OK(shim_flags_parse(2, argv7, &f, &err) == 0 && f.info && !f.action,
	   "-info (containerd 2.x), no namespace needed");
	shim_flags_clear(&f);
}

static void test_json(void)
{
	const char *doc =
		"{\"a\": {\"b\": [1, 2, {\"c\": \"x\\u00e9\\n\"}]}, \"t\": true, \"n\": -5, "
		"\"s\": \"q\\\"uote\"}";
	const char *path[] = { "a", "b", NULL };
	const char *arr = json_get_path(doc, path);
	OK(arr && *arr == '[', "path lookup");
	const char *it = arr, *v;
	int n = 0;
	long long i;
	while ((v = json_array_next(&it)))
		n++;
	OK(n == 3, "array of 3");
	it = arr;
	v = json_array_next(&it);
	OK(json_int(v, &i) && i == 1, "first element 1");
	json_array_next(&it);
	v = json_array_next(&it);
	char *c = json_string_dup(json_get(v, "c"));
	STREQ(c, "x\xc3\xa9\n", "unicode and escapes decoded");
	free(c);
	OK(json_is_true(json_get(doc, "t")), "true");
	OK(json_int(json_get(doc, "n"), &i) && i == -5, "negative int");
	char *s = json_string_dup(json_get(doc, "s"));
	STREQ(s, "q\"uote", "escaped quote");
	free(s);
	OK(json_get(doc, "missing") == NULL, "missing key");
	OK(json_skip("{\"a\":[1,2") == NULL, "truncated document rejected");
	OK(json_get("[1]", "a") == NULL, "not an object");
	it = "[]";
	OK(json_array_next(&it) == NULL, "empty array");
	/* Deep nesting must not recurse without bound. */
	char deep[600];
	memset(deep, '[', 300);
	memset(deep + 300, ']', 300);
	deep[600 - 1] = '\0';
	deep[599] = ']';
	OK(json_skip(deep) == NULL, "nesting depth is bounded");
}

static void test_states(void)
{
	OK(proc_transition_ok(PROC_CREATED, PROC_STARTING) &&
		   proc_transition_ok(PROC_STARTING, PROC_RUNNING),
	   "created -> starting -> running");
	OK(!proc_transition_ok(PROC_CREATED, PROC_RUNNING), "created -/-> running");
	OK(proc_transition_ok(PROC_RUNNING, PROC_PAUSING), "running -> pausing");
	OK(proc_transition_ok(PROC_PAUSING, PROC_PAUSED), "pausing -> paused");
	OK(proc_transition_ok(PROC_PAUSED, PROC_RUNNING), "paused -> running");
	OK(proc_transition_ok(PROC_RUNNING, PROC_STOPPED), "running -> stopped");
	OK(proc_transition_ok(PROC_STOPPED, PROC_DELETED), "stopped -> deleted");
	OK(proc_transition_ok(PROC_CREATED, PROC_STOPPED),
	   "created -> stopped (died before start)");
	OK(!proc_transition_ok(PROC_STOPPED, PROC_RUNNING), "stopped -/-> running");
	OK(!proc_transition_ok(PROC_CREATED, PROC_PAUSED), "created -/-> paused");
	OK(!proc_transition_ok(PROC_RUNNING, PROC_CREATED), "running -/-> created");
	OK(!proc_transition_ok(PROC_DELETED, PROC_RUNNING), "deleted is final");
	OK(!proc_transition_ok(PROC_RUNNING, PROC_DELETED), "running -/-> deleted");
	OK(proc_state_status(PROC_CREATED) == 1 && proc_state_status(PROC_STARTING) == 1 &&
		   proc_state_status(PROC_RUNNING) == 2 && proc_state_status(PROC_STOPPED) == 3 &&
		   proc_state_status(PROC_PAUSED) == 4 && proc_state_status(PROC_PAUSING) == 5,
	   "containerd Status enum values");
}

static void test_runtime(void)
{
	struct runtime_opts o = { .binary = "/usr/sbin/runc",
				  .root = "/run/containerd/runc/default",
				  .systemd_cgroup = true };
	const char *args[] = { "kill", "--all", "c1", "9", NULL };
	char **argv = runtime_argv(&o, "/b/log.json", args);
	const char *want[] = { "/usr/sbin/runc",
			       "--root",
			       "/run/containerd/runc/default",
			       "--log",
			       "/b/log.json",
			       "--log-format",
			       "json",
			       "--systemd-cgroup",
			       "kill",
			       "--all",
			       "c1",
			       "9",
			       NULL };
	bool same = true;
	for (size_t k = 0; want[k] || argv[k]; k++)
		if (!want[k] || !argv[k] || strcmp(want[k], argv[k]) != 0)
			same = false;
	OK(same, "runtime argv: global flags then the verb");
	strv_free(argv);
	o.systemd_cgroup = false;
	const char *a2[] = { "start", "x", NULL };
	argv = runtime_argv(&o, NULL, a2);
	OK(strv_length(argv) == 5 && strcmp(argv[3], "start") == 0, "no --log when log is NULL");
	strv_free(argv);

	char *e = runtime_log_last_error("{\"level\":\"info\",\"msg\":\"hello\"}\n"
					 "{\"level\":\"error\",\"msg\":\"first\",\"time\":\"t\"}\n"
					 "{\"level\":\"error\",\"msg\":\"runc create failed: "
					 "unable to start container process: exec: \\\"nope\\\": "
					 "executable file not found in $PATH\",\"time\":\"t\"}\n"
					 "{\"level\":\"warning\",\"msg\":\"later\"}\n");
	STREQ(e,
	      "runc create failed: unable to start container process: exec: \"nope\": executable "
	      "file not found in $PATH",
	      "last error line of the runtime's JSON log");
	free(e);
	OK(runtime_log_last_error("not json\n{\"level\":\"info\",\"msg\":\"x\"}") == NULL,
	   "no error line");

	struct runtime_result r = { .status = 1, .error = "boom" };
	char *m = runtime_result_message(&r, "OCI runtime create failed");
	STREQ(m, "OCI runtime create failed: boom", "message from the log");
	free(m);
	r.error = NULL;
	r.out = "oops\n";
	r.out_len = 5;
	m = runtime_result_message(&r, "x");
	STREQ(m, "x: oops", "else from the output");
	free(m);
	r.out = NULL;
	r.out_len = 0;
	m = runtime_result_message(&r, "x");
	STREQ(m, "x: exit status 1", "else the exit status");
	free(m);
	OK(reaper_exit_status(0x0900) == 9 && reaper_exit_status(9) == 137 &&
		   reaper_exit_status(15) == 143,
	   "exit status: code, or 128+signal");
}

static void test_exec_spec(void)
{
	const char *spec = "{\"args\":[\"sh\"],\"terminal\":false,\"cwd\":\"/\"}";
	char *s = task_exec_spec(spec, strlen(spec), true);
	OK(s != NULL, "exec spec rewritten");
	OK(json_is_true(json_get(s, "terminal")), "terminal overridden by the request");
	const char *cwd = json_get(s, "cwd");
	char *c = json_string_dup(cwd);
	STREQ(c, "/", "other members kept");
	free(c);
	int count = 0;
	const char *it = s, *k, *v, *e;
	while (json_object_next(&it, &k, &v, &e))
		count += json_key_is(k, "terminal");
	OK(count == 1, "exactly one terminal member");
	free(s);
	OK(task_exec_spec("[1]", 3, false) == NULL, "a non-object spec is refused");
	OK(task_exec_spec("{\"a\":", 5, false) == NULL, "a truncated spec is refused");
}

int main(void)
{
	test_sha256();
	test_socket_naming();
	test_start_input();
	test_flags();
	test_json();
	test_states();
	test_runtime();
	test_exec_spec();
	return tap_done();
}
