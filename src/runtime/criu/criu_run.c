/* Spawning criu and turning its failure into an error that says why. */
#include "config.h"
#include "runtime/criu/criu_run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "runtime/cgroups/cgroups.h"

void cleat_criu_cmd_init(struct cleat_criu_cmd *c)
{
	memset(c, 0, sizeof *c);
	c->stdio[0] = c->stdio[1] = c->stdio[2] = -1;
}

void cleat_criu_cmd_free(struct cleat_criu_cmd *c)
{
	strv_free(c->argv);
	free(c->log_path);
	c->argv = NULL;
	c->log_path = NULL;
}

void cleat_criu_arg(struct cleat_criu_cmd *c, const char *fmt, ...)
{
	if (c->n + 2 > c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		c->argv = xrealloc(c->argv, c->cap * sizeof *c->argv);
	}
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&c->argv[c->n], fmt, ap) < 0)
		abort();
	va_end(ap);
	c->argv[++c->n] = NULL;
}

char *cleat_criu_path(void)
{
	/* As runc (exec.LookPath): PATH only, so that PATH decides which criu runs. */
	const char *env = getenv("PATH");
	_cleanup_free_ char *path = xstrdup(
		env ? env : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	char *save = NULL;
	for (char *d = strtok_r(path, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/criu", *d ? d : ".");
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

int cleat_criu_require(char **path, cleat_error_t *err)
{
	*path = cleat_criu_path();
	if (*path == NULL)
		return cleat_error_msg(
			err, "checkpoint/restore needs CRIU, but there is no criu binary in "
			     "PATH (install the criu package)");
	return 0;
}

void cleat_criu_cgroup_roots(pid_t pid, cleat_criu_cgroup_root_fn fn, void *data)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/cgroup", (int) pid);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char line[4096];
	while (f && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		char *ctrl = strchr(line, ':');
		char *dir = ctrl ? strchr(ctrl + 1, ':') : NULL;
		if (!dir)
			continue;
		*dir++ = '\0';
		ctrl++;
		/* v1 named hierarchies ("name=systemd") are not criu controllers. */
		if (str_has_prefix(ctrl, "name="))
			continue;
		fn(data, *ctrl ? ctrl : NULL, dir);
	}
}

/* In the child: stdio, the kept fds, the cgroup; then exec.  Never returns. */
static void child_exec(const char *criu, struct cleat_criu_cmd *c)
{
	for (int i = 0; i < 3; i++)
		if (c->stdio[i] >= 0 && c->stdio[i] != i && dup2(c->stdio[i], i) < 0)
			_exit(126);
	for (size_t i = 0; i < c->n_keep; i++)
		fd_set_cloexec(c->keep[i], false);
	if (c->cgroup) {
		cleat_error_t e = NULL;
		if (cleat_cgroup_enter(c->cgroup, getpid(), &e) < 0) {
			dprintf(2, "criu: join the container's cgroup: %s\n", e->msg);
			_exit(126);
		}
	}
	execv(criu, c->argv);
	dprintf(2, "exec %s: %s\n", criu, strerror(errno));
	_exit(127);
}

/* The "Error (...)" lines at the end of criu's log, at most the last 5. */
static char *log_errors(const char *log_path)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	cleat_error_t e = NULL;
	if (!log_path || read_file(log_path, &text, &len, &e) < 0) {
		cleat_error_free(&e);
		return xstrdup("");
	}
	const char *lines[5] = { 0 };
	size_t n = 0;
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save))
		if (strstr(l, "Error (") || strstr(l, "Warn ("))
			lines[n++ % 5] = l;
	char *out = xstrdup("");
	for (size_t i = n > 5 ? n - 5 : 0; i < n; i++) {
		char *t = xasprintf("%s\n  %s", out, lines[i % 5]);
		free(out);
		out = t;
	}
	return out;
}

/* `criu check` output when it fails on this kernel, else NULL. */
static char *check_failure(const char *criu)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return NULL;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		execl(criu, criu, "check", (char *) NULL);
		_exit(127);
	}
	close(p[1]);
	_cleanup_free_ char *out = NULL;
	size_t len = 0;
	cleat_error_t e = NULL;
	if (read_all_fd(p[0], "criu check", &out, &len, &e) < 0)
		cleat_error_free(&e);
	close(p[0]);
	int st = 0;
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return NULL;
	while (out && len > 0 && out[len - 1] == '\n')
		out[--len] = '\0';
	return xasprintf("\"%s check\" fails on this kernel, CRIU cannot work here:\n%s", criu,
			 out ? out : "");
}

/* Make the cgroup with the child in it; the child waits on go[0] for one byte
 * (end of file: the cgroup could not be made, it exits). */
static int make_cgroup_for(struct cleat_criu_cmd *c, pid_t pid, int go, cleat_error_t *err)
{
	int r = cleat_cgroup_make(c->cgroup, c->cgroup_make, pid, err);
	if (r == 0 && write(go, "1", 1) != 1)
		r = cleat_error_errno(err, errno, "start criu");
	close(go);
	if (r < 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	return r;
}

int cleat_criu_spawn(const char *criu, struct cleat_criu_cmd *c, pid_t *pid_out, cleat_error_t *err)
{
	int go[2] = { -1, -1 };
	if (c->cgroup_make && pipe2(go, O_CLOEXEC) < 0)
		return cleat_error_errno(err, errno, "pipe");
	pid_t pid = fork();
	if (pid < 0) {
		close(go[0]);
		close(go[1]);
		return cleat_error_errno(err, errno, "fork criu");
	}
	if (pid == 0) {
		char b;
		if (go[1] >= 0)
			close(go[1]);
		if (go[0] >= 0 && read(go[0], &b, 1) != 1)
			_exit(126);
		child_exec(criu, c);
	}
	if (go[0] >= 0) {
		close(go[0]);
		if (make_cgroup_for(c, pid, go[1], err) < 0)
			return -1;
	}
	*pid_out = pid;
	return 0;
}

int cleat_criu_wait(pid_t pid, int *status, cleat_error_t *err)
{
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return cleat_error_errno(err, errno, "wait for criu");
	return 0;
}

int cleat_criu_failed(const char *criu, const struct cleat_criu_cmd *c, const char *action, int st,
		      const char *detail, cleat_error_t *err)
{
	_cleanup_free_ char *check = check_failure(criu);
	if (check)
		return cleat_error_msg(err, "criu %s failed: %s", action, check);
	_cleanup_free_ char *errors = log_errors(c->log_path);
	const char *log = c->log_path ? c->log_path : "-";
	if (detail)
		return cleat_error_msg(err, "criu %s failed: %s (log %s)%s", action, detail, log,
				       errors);
	if (WIFSIGNALED(st))
		return cleat_error_msg(err, "criu %s was killed by signal %d (log %s)%s", action,
				       WTERMSIG(st), log, errors);
	return cleat_error_msg(err, "criu %s failed with status %d (log %s)%s", action,
			       WEXITSTATUS(st), log, errors);
}
