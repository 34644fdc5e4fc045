/* Namespace plans (validation of what a config asks), uid/gid map text, the
 * process environment (LISTEN_FDS), PATH lookup with runc's message. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/util.h"
#include "runtime/linux/namespaces.h"
#include "runtime/linux/process.h"
#include "runtime/linux/userns.h"
#include "test-runtime-tap.h"

#define BASE                                                                                       \
	"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"user\":{\"uid\":" \
	"0,\"gid\":0},\"cwd\":\"/\",\"args\":[\"sh\"]}"

/* Build a plan from BASE + extra top-level members; returns the error text or NULL. */
static char *plan_error(const char *extra, struct cleat_ns_plan *out)
{
	_cleanup_free_ char *json = xasprintf(BASE "%s}", extra);
	struct oci_config *c = NULL;
	cleat_error_t err = NULL;
	if (oci_config_parse(json, strlen(json), "config.json", &c, &err) < 0) {
		char *s = xasprintf("parse: %s", err->msg);
		cleat_error_free(&err);
		return s;
	}
	struct cleat_ns_plan p;
	char *res = NULL;
	if (cleat_ns_plan_build(c, &p, &err) < 0) {
		res = xstrdup(err->msg);
		cleat_error_free(&err);
	} else if (out) {
		*out = p;
	} else {
		cleat_ns_plan_close(&p);
	}
	oci_config_free(c);
	return res;
}

static void expect_error(const char *extra, const char *want, const char *what)
{
	_cleanup_free_ char *e = plan_error(extra, NULL);
	ok(e && strstr(e, want), "%s", what);
	if (!(e && strstr(e, want)))
		printf("#   got: %s\n", e ? e : "(no error)");
}

static void test_plans(void)
{
	struct cleat_ns_plan p;
	_cleanup_free_ char *e = plan_error(
		",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},"
		"{\"type\":\"mount\"},{\"type\":\"uts\"}]},\"hostname\":\"h\"",
		&p);
	ok(e == NULL, "a default-like config is accepted");
	if (!e) {
		ok(p.create[CLEAT_NS_PID] && p.create[CLEAT_NS_NET] && p.create[CLEAT_NS_MNT] &&
			   p.create[CLEAT_NS_UTS] && !p.create[CLEAT_NS_USER] &&
			   !p.create[CLEAT_NS_IPC],
		   "the plan creates exactly the listed namespaces");
		ok(p.join_fd[CLEAT_NS_PID] < 0, "nothing is joined");
		cleat_ns_plan_close(&p);
	}
	_cleanup_free_ char *e2 = plan_error(",\"linux\":{\"namespaces\":[{\"type\":\"network\","
					     "\"path\":\"/proc/self/ns/net\"}]}",
					     &p);
	ok(e2 == NULL && p.join_fd[CLEAT_NS_NET] >= 0 && !p.create[CLEAT_NS_NET],
	   "a path is opened to be joined");
	if (!e2)
		cleat_ns_plan_close(&p);
	expect_error(",\"hostname\":\"h\"",
		     "unable to set hostname without a private UTS namespace",
		     "hostname without uts");
	expect_error(",\"domainname\":\"d\"",
		     "unable to set domainname without a private UTS namespace",
		     "domainname without uts");
	expect_error(
		",\"linux\":{\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]}",
		"USER namespace isn't enabled", "mappings without a user namespace");
	expect_error(",\"linux\":{\"namespaces\":[{\"type\":\"user\"}]}",
		     "no user namespace mappings", "a user namespace without mappings");
	expect_error(",\"linux\":{\"timeOffsets\":{\"boottime\":{\"secs\":1}}}",
		     "time offsets specified", "time offsets without a time namespace");
	expect_error(
		",\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/nonexistent/ns\"}]}",
		"\"/nonexistent/ns\"", "a missing path is named");
}

static void test_kinds(void)
{
	ok(cleat_ns_kind_from_oci("network") == CLEAT_NS_NET, "network -> net");
	ok(cleat_ns_kind_from_oci("mount") == CLEAT_NS_MNT, "mount -> mnt");
	ok(cleat_ns_kind_from_oci("net") < 0, "/proc names are not OCI types");
	ok_str(cleat_ns_proc_name(CLEAT_NS_MNT), "mnt", "proc name of mount");
	ok(CLEAT_NS_USER == 0 && CLEAT_NS_MNT == CLEAT_NS_COUNT - 1,
	   "user is joined first, mount last");
}

static void test_maps(void)
{
	struct oci_idmap m[] = { { 0, 1000, 1 }, { 1, 100000, 65536 } };
	_cleanup_free_ char *s = cleat_userns_format_map(m, 2);
	ok_str(s, "0 1000 1\n1 100000 65536\n", "uid_map text");
	_cleanup_free_ char *e = cleat_userns_format_map(NULL, 0);
	ok_str(e, "", "empty map");
}

static void test_env(void)
{
	char *envv[] = { "PATH=/bin", "A=b" };
	struct oci_process p = { .env = envv, .n_env = 2 };
	char **env = cleat_process_env(&p, 0);
	ok(strv_length(env) == 2 && strcmp(env[1], "A=b") == 0, "env copied as is");
	cleat_process_env_add_home(&env, 12345);
	ok(strv_length(env) == 3 && strcmp(env[2], "HOME=/") == 0,
	   "HOME=/ for a uid without passwd entry");
	strv_free(env);
	env = cleat_process_env(&p, 2);
	ok(strv_length(env) == 4 && strcmp(env[2], "LISTEN_FDS=2") == 0 &&
		   strcmp(env[3], "LISTEN_PID=1") == 0,
	   "LISTEN_FDS/LISTEN_PID=1 added for socket activation");
	strv_free(env);
	char *dup[] = { "A=1", "PATH=/bin", "A=2", "AB=3", "A" };
	struct oci_process d = { .env = dup, .n_env = 5 };
	env = cleat_process_env(&d, 0);
	ok(strv_length(env) == 4 && strcmp(env[0], "A=2") == 0 && strcmp(env[2], "AB=3") == 0 &&
		   strcmp(env[3], "A") == 0,
	   "a duplicate variable: the last value wins, at the first one's place");
	strv_free(env);
	char *home[] = { "HOME=/x" };
	struct oci_process q = { .env = home, .n_env = 1 };
	env = cleat_process_env(&q, 0);
	cleat_process_env_add_home(&env, 0);
	ok(strv_length(env) == 1, "an existing HOME is kept");
	strv_free(env);
}

static void test_find_exec(void)
{
	char *args[] = { "sh" };
	char *env[] = { "PATH=/nonexistent:/bin:/usr/bin", NULL };
	struct oci_process p = { .args = args, .n_args = 1 };
	char *out = NULL;
	cleat_error_t err = NULL;
	ok(cleat_process_find_exec(&p, env, &out, &err) == 0 && out && strcmp(out, "/bin/sh") == 0,
	   "sh found in PATH (%s)", out ? out : "-");
	free(out);
	out = NULL;
	char *nargs[] = { "no-such-program-here" };
	struct oci_process q = { .args = nargs, .n_args = 1 };
	ok(cleat_process_find_exec(&q, env, &out, &err) < 0 && err &&
		   strcmp(err->msg,
			  "exec: \"no-such-program-here\": executable file not found in $PATH") ==
			   0,
	   "runc's not-found message");
	cleat_error_free(&err);
	struct oci_process r = { 0 };
	ok(cleat_process_find_exec(&r, env, &out, &err) < 0, "empty args refused");
	cleat_error_free(&err);
}

int main(void)
{
	test_plans();
	test_kinds();
	test_maps();
	test_env();
	test_find_exec();
	return tap_done();
}
