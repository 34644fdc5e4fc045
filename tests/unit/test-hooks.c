/* Unit tests for cleat_hooks_run: stdin, argv[0], env, failures, timeout. */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "runtime/linux/hooks.h"
#include "security-tap.h"

static char dir[] = "/tmp/cleat-test-hooks-XXXXXX";

static char *slurp(const char *name)
{
	char *path = xasprintf("%s/%s", dir, name), *s = NULL;
	size_t len;
	cleat_error_t err = NULL;
	if (read_file(path, &s, &len, &err) < 0)
		cleat_error_free(&err);
	free(path);
	return s ? s : xstrdup("(missing)");
}

static struct oci_hook sh_hook(const char *script)
{
	/* Counted, with garbage where a NULL terminator would be: as the parser's arrays. */
	static char *args[8][4];
	static int next;
	char **a = args[next++ % 8];
	if (next > 8)
		free(a[2]);
	a[0] = "sh";
	a[1] = "-c";
	a[2] = xasprintf("cd %s && %s", dir, script);
	a[3] = (char *) 0x1;
	return (struct oci_hook){ .path = "/bin/sh", .args = a, .n_args = 3 };
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	if (mkdtemp(dir) == NULL)
		abort();
	cleat_error_t err = NULL;
	const char *state =
		"{\"ociVersion\":\"1.2.0\",\"id\":\"c\",\"status\":\"created\",\"pid\":1}";

	struct oci_hook h = sh_hook("cat > stdin.out");
	ok(cleat_hooks_run(&h, 1, "prestart", state, &err) == 0, "hook succeeds");
	char *s = slurp("stdin.out");
	ok(strcmp(s, state) == 0, "state JSON on stdin");
	free(s);

	char *a0[] = { "my-argv0", "-c", NULL, (char *) 0x1 };
	a0[2] = xasprintf("echo $0 > %s/argv0.out", dir);
	struct oci_hook h0 = { .path = "/bin/sh", .args = a0, .n_args = 3 };
	ok(cleat_hooks_run(&h0, 1, "poststart", state, &err) == 0, "hook with custom argv[0]");
	s = slurp("argv0.out");
	ok(strcmp(s, "my-argv0\n") == 0, "args[0] is argv[0]");
	free(s);
	free(a0[2]);

	setenv("CLEAT_TEST_LEAK", "leaked", 1);
	struct oci_hook he = sh_hook("echo \"[$CLEAT_TEST_LEAK][$FOO]\" > env.out");
	ok(cleat_hooks_run(&he, 1, "poststop", state, &err) == 0, "hook without env");
	s = slurp("env.out");
	ok(strcmp(s, "[][]\n") == 0, "absent env means an empty environment");
	free(s);
	char *env[] = { "FOO=bar", (char *) 0x1 };
	he.env = env;
	he.n_env = 1;
	ok(cleat_hooks_run(&he, 1, "poststop", state, &err) == 0, "hook with env");
	s = slurp("env.out");
	ok(strcmp(s, "[][bar]\n") == 0, "env is exactly the hook's env");
	free(s);

	struct oci_hook hf[2] = { sh_hook("echo out-text; echo oops >&2; exit 3"),
				  sh_hook("touch second.out") };
	ok(cleat_hooks_run(hf, 2, "createRuntime", state, &err) < 0 &&
		   err_has(&err,
			   "createRuntime hook #0: \"/bin/sh\": exit status 3, stdout: out-text, "
			   "stderr: oops"),
	   "failure names phase, path, status and output");
	char *second = xasprintf("%s/second.out", dir);
	ok(access(second, F_OK) < 0, "hooks after a failed one do not run");
	ok(cleat_hooks_run_warn(hf, 2, "poststop", state) == 1 && access(second, F_OK) == 0,
	   "run_warn: a failed hook is counted, the ones after it still run");
	free(second);

	struct oci_hook ht = sh_hook("sleep 20");
	ht.has_timeout = true;
	ht.timeout = 1;
	double t0 = now();
	ok(cleat_hooks_run(&ht, 1, "prestart", state, &err) < 0 && err_has(&err, "hook timed out"),
	   "timeout kills the hook");
	double dt = now() - t0;
	ok(dt >= 0.9 && dt < 3, "timeout honoured (%.2fs)", dt);

	struct oci_hook hbg = sh_hook("sleep 20 & exit 0");
	t0 = now();
	ok(cleat_hooks_run(&hbg, 1, "poststart", state, &err) == 0 && now() - t0 < 3,
	   "a daemon left holding the hook's stdout does not block the runtime");

	/* 1 MiB of state to a hook that reads none of it. */
	size_t big = 1 << 20;
	char *bigstate = xmalloc(big + 1);
	memset(bigstate, 'x', big);
	bigstate[big] = '\0';
	struct oci_hook hn = sh_hook("exit 0");
	ok(cleat_hooks_run(&hn, 1, "prestart", bigstate, &err) == 0,
	   "hook that ignores stdin: no SIGPIPE, no hang");
	free(bigstate);

	struct oci_hook hx = { .path = "/nonexistent/hook" };
	ok(cleat_hooks_run(&hx, 1, "startContainer", state, &err) < 0 &&
		   err_has(&err, "startContainer hook #0: \"/nonexistent/hook\": exit status 127"),
	   "missing hook binary is an error");

	int leak = fcntl(0, F_DUPFD, 50); /* no O_CLOEXEC on purpose */
	struct oci_hook hl = sh_hook("test -e /proc/$$/fd/50 && exit 9; exit 0");
	ok(cleat_hooks_run(&hl, 1, "prestart", state, &err) == 0, "no fd above 2 reaches a hook");
	cleat_error_free(&err);
	close(leak);

	char *st = cleat_hooks_state_with_status(
		"{\"ociVersion\":\"1.2.0\",\"id\":\"c\",\"status\":\"creating\",\"pid\":5,"
		"\"annotations\":{\"status\":\"x\"}}",
		"created");
	ok(st && strcmp(st,
			"{\"ociVersion\":\"1.2.0\",\"id\":\"c\",\"status\":\"created\",\"pid\":5,"
			"\"annotations\":{\"status\":\"x\"}}") == 0,
	   "state status replaced, annotations untouched: %s", st ? st : "(null)");
	free(st);
	ok(cleat_hooks_state_with_status("[1]", "created") == NULL, "non-object state refused");

	char *cmd = xasprintf("rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# cleanup of %s failed\n", dir);
	free(cmd);
	return tap_done();
}
