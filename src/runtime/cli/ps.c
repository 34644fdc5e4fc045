/* cleat ps [--format table|json] <id> [ps options]: the processes of the
 * container's cgroup, as `ps` prints them (default `ps -ef`), or their pids
 * as a JSON array. */
#include "config.h"
#include "runtime/cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "runtime/cgroups/verbs.h"

static bool has_pid(const pid_t *p, size_t n, long pid)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == pid)
			return true;
	return false;
}

/* Run ps with the user's options and capture its output. */
static int run_ps(char **args, size_t nargs, char **out, cleat_error_t *err)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return cleat_error_errno(err, errno, "pipe");
	pid_t pid = fork();
	if (pid < 0)
		return cleat_error_errno(err, errno, "fork");
	if (pid == 0) {
		dup2(fds[1], 1);
		char **av = xmalloc0((nargs + 2) * sizeof *av);
		av[0] = (char *) "ps";
		for (size_t i = 0; i < nargs; i++)
			av[i + 1] = args[i];
		execvp("ps", av);
		_exit(127);
	}
	close(fds[1]);
	size_t len;
	int rc = read_all_fd(fds[0], "ps output", out, &len, err);
	close(fds[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (rc < 0)
		return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return cleat_error_msg(err, "ps failed (exit status %d): %s",
				       WIFEXITED(st) ? WEXITSTATUS(st) : -1, *out);
	return 0;
}

static int print_table(const pid_t *pids, size_t n, char **args, size_t nargs, cleat_error_t *err)
{
	static char *def[] = { (char *) "-ef" };
	_cleanup_free_ char *out = NULL;
	if (run_ps(nargs ? args : def, nargs ? nargs : 1, &out, err) < 0)
		return -1;
	char *save = NULL, *header = strtok_r(out, "\n", &save);
	if (!header)
		return cleat_error_msg(err, "ps printed nothing");
	/* The PID column's index, found in the header like runc does. */
	int col = -1, i = 0;
	_cleanup_free_ char *h2 = xstrdup(header);
	for (char *s2 = NULL, *t = strtok_r(h2, " \t", &s2); t; t = strtok_r(NULL, " \t", &s2), i++)
		if (strcmp(t, "PID") == 0)
			col = i;
	if (col < 0)
		return cleat_error_msg(err, "couldn't find PID field in ps output");
	printf("%s\n", header);
	for (char *line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		_cleanup_free_ char *l2 = xstrdup(line);
		char *s2 = NULL, *t = strtok_r(l2, " \t", &s2);
		for (int k = 0; t && k < col; k++)
			t = strtok_r(NULL, " \t", &s2);
		if (t && has_pid(pids, n, strtol(t, NULL, 10)))
			printf("%s\n", line);
	}
	return 0;
}

const struct cli_flag cli_ps_flags[] = {
	{ "format", 'f', 'f', true, "\"table\"", "select one of: table or json", false },
	CLI_FLAGS_END,
};

int cli_ps(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	const char *format = "table";
	int c;
	optind = 0;
	while ((c = cli_getopt(argc, argv, cli_ps_flags, "ps", err)) != -1) {
		if (c != 'f')
			return -1;
		format = optarg;
	}
	if (cli_require_min_args(argc, "ps", 1, err) < 0)
		return -1;
	const char *id = argv[optind];
	_cleanup_free_ pid_t *pids = NULL;
	size_t n;
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		return cleat_error_msg(err, "invalid format option");
	if (cleat_container_pids(ctx, id, &pids, &n, err) < 0)
		return -1;
	if (strcmp(format, "json") == 0) {
		fputc('[', stdout);
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int) pids[i]);
		fputs("]\n", stdout);
		return 0;
	}
	return print_table(pids, n, argv + optind + 1, (size_t) (argc - optind - 1), err);
}
