/* OCI hooks: run each hook with the state on stdin, a timeout, and the hook's
 * output captured for the error message (runc reports stdout and stderr). */
#include "config.h"
#include "runtime/linux/hooks.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "runtime/linux/json_gen.h"

/* Enough of the hook's output to explain a failure; the rest is drained and dropped. */
#define HOOK_OUTPUT_MAX 4096

struct hook_output {
	char buf[HOOK_OUTPUT_MAX + 1];
	size_t len;
};

struct hook_run {
	pid_t pid;
	int pidfd; /* -1 when pidfd_open is unavailable */
	int in_fd; /* write end of the hook's stdin, -1 once all is written */
	int out_fd; /* read end of its stdout */
	int err_fd; /* read end of its stderr */
	const char *input;
	size_t input_len, input_off;
	struct hook_output out, errout;
};

static void run_close(struct hook_run *r)
{
	cleat_closep(&r->pidfd);
	cleat_closep(&r->in_fd);
	cleat_closep(&r->out_fd);
	cleat_closep(&r->err_fd);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the child: wire the pipes to 0/1/2, restore a clean signal state (the
 * runtime may block or ignore signals; ignored dispositions survive execve)
 * and exec.  Only async-signal-safe calls here. */
static _Noreturn void hook_child(const struct oci_hook *h, char *const *argv, char *const *envp,
				 int in_rd, int out_wr, int err_wr)
{
	if (dup2(in_rd, 0) < 0 || dup2(out_wr, 1) < 0 || dup2(err_wr, 2) < 0)
		_exit(127);
	/* Every other fd is O_CLOEXEC already; closing them is the belt to those braces. */
	close_fds_from(3, NULL, 0);
	sigset_t all;
	sigemptyset(&all);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigprocmask(SIG_SETMASK, &all, NULL);

	execve(h->path, argv, envp);
	/* stderr is the captured pipe: the parent puts this in the error. */
	const char *why = strerror(errno);
	(void) !write(2, "exec: ", 6);
	(void) !write(2, why, strlen(why));
	_exit(127);
}

/* The model's arrays are counted, not NULL-terminated: execve needs both. */
static char **strv_terminated(char *const *v, size_t n, const char *fallback)
{
	char **out = xmalloc((n + 2) * sizeof *out);
	size_t i = 0;
	if (n == 0 && fallback)
		out[i++] = (char *) fallback;
	for (size_t j = 0; j < n; j++)
		out[i++] = v[j];
	out[i] = NULL;
	return out;
}

static int hook_spawn(const struct oci_hook *h, char *const *default_env, struct hook_run *r,
		      cleat_error_t *err)
{
	/* args[0] is argv[0]; without args, the path is (exec.Cmd's rule, runc's too). */
	_cleanup_free_ char **argv = strv_terminated(h->args, h->n_args, h->path);
	/* env absent: default_env when the caller gives one, else an empty environment. */
	_cleanup_free_ char **envp = h->n_env || !default_env
					     ? strv_terminated(h->env, h->n_env, NULL)
					     : NULL;
	int in[2], out[2], errp[2];
	if (pipe2(in, O_CLOEXEC) < 0)
		return cleat_error_errno(err, errno, "pipe");
	if (pipe2(out, O_CLOEXEC) < 0) {
		int e = errno;
		close(in[0]), close(in[1]);
		return cleat_error_errno(err, e, "pipe");
	}
	if (pipe2(errp, O_CLOEXEC) < 0) {
		int e = errno;
		close(in[0]), close(in[1]), close(out[0]), close(out[1]);
		return cleat_error_errno(err, e, "pipe");
	}
	pid_t pid = fork();
	if (pid == 0)
		hook_child(h, argv, envp ? envp : default_env, in[0], out[1], errp[1]);
	int fork_errno = errno;
	close(in[0]), close(out[1]), close(errp[1]);
	r->in_fd = in[1];
	r->out_fd = out[0];
	r->err_fd = errp[0];
	if (pid < 0)
		return cleat_error_errno(err, fork_errno, "fork");
	r->pid = pid;
	r->pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
	fd_set_nonblock(r->in_fd, true);
	if (r->input_len == 0)
		cleat_closep(&r->in_fd), r->in_fd = -1;
	return 0;
}

static void drain(int *fd, struct hook_output *o)
{
	char tmp[4096];
	ssize_t n = read(*fd, tmp, sizeof tmp);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		cleat_closep(fd);
		*fd = -1;
		return;
	}
	size_t room = HOOK_OUTPUT_MAX - o->len;
	size_t take = (size_t) n < room ? (size_t) n : room;
	memcpy(o->buf + o->len, tmp, take);
	o->len += take;
	o->buf[o->len] = '\0';
}

/* A hook that exits without reading its stdin makes our write fail with EPIPE;
 * SIGPIPE is blocked around the write and a pending one consumed, so the
 * runtime is not killed and its own disposition is left alone. */
static void feed(struct hook_run *r)
{
	sigset_t pipe_set, old;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	ssize_t n = write(r->in_fd, r->input + r->input_off, r->input_len - r->input_off);
	int e = errno;
	if (n < 0 && e == EPIPE) {
		struct timespec zero = { 0, 0 };
		sigtimedwait(&pipe_set, NULL, &zero);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (n > 0)
		r->input_off += (size_t) n;
	if ((n < 0 && e != EINTR && e != EAGAIN) || r->input_off == r->input_len) {
		cleat_closep(&r->in_fd);
		r->in_fd = -1;
	}
}

/* Returns 1 when the hook has exited (status in *status), 0 otherwise. */
static int reap(struct hook_run *r, int *status)
{
	pid_t p;
	do
		p = waitpid(r->pid, status, WNOHANG);
	while (p < 0 && errno == EINTR);
	return p == r->pid;
}

/* Pump stdin/stdout/stderr until the hook exits or the deadline passes.  We
 * stop at the hook's exit, not at EOF: a daemon the hook left behind may hold
 * the pipes open forever.  Returns 1 on exit, 0 on timeout. */
static int hook_wait(struct hook_run *r, long long deadline_ms, int *status)
{
	for (;;) {
		struct pollfd p[4];
		int np = 0, i_in = -1, i_out = -1, i_err = -1;
		if (r->in_fd >= 0)
			i_in = np, p[np++] = (struct pollfd){ .fd = r->in_fd, .events = POLLOUT };
		if (r->out_fd >= 0)
			i_out = np, p[np++] = (struct pollfd){ .fd = r->out_fd, .events = POLLIN };
		if (r->err_fd >= 0)
			i_err = np, p[np++] = (struct pollfd){ .fd = r->err_fd, .events = POLLIN };
		if (r->pidfd >= 0)
			p[np++] = (struct pollfd){ .fd = r->pidfd, .events = POLLIN };

		/* Without a pidfd, exit is noticed by a short tick. */
		int timeout = r->pidfd >= 0 ? -1 : 50;
		if (deadline_ms >= 0) {
			long long left = deadline_ms - now_ms();
			if (left <= 0)
				return reap(r, status);
			if (timeout < 0 || left < timeout)
				timeout = (int) left;
		}
		int n = poll(p, (nfds_t) np, timeout);
		if (n < 0 && errno != EINTR)
			return reap(r, status);
		if (n > 0) {
			if (i_in >= 0 && p[i_in].revents)
				feed(r);
			if (i_out >= 0 && p[i_out].revents)
				drain(&r->out_fd, &r->out);
			if (i_err >= 0 && p[i_err].revents)
				drain(&r->err_fd, &r->errout);
		}
		if (reap(r, status)) {
			/* Collect what the hook wrote just before exiting. */
			fd_set_nonblock(r->out_fd, true);
			fd_set_nonblock(r->err_fd, true);
			for (int i = 0; i < 64 && r->out_fd >= 0; i++)
				drain(&r->out_fd, &r->out);
			for (int i = 0; i < 64 && r->err_fd >= 0; i++)
				drain(&r->err_fd, &r->errout);
			return 1;
		}
	}
}

static void trim(struct hook_output *o)
{
	while (o->len > 0 && (o->buf[o->len - 1] == '\n' || o->buf[o->len - 1] == '\r'))
		o->buf[--o->len] = '\0';
}

static int hook_run_one(const struct oci_hook *h, size_t idx, const char *phase,
			const char *state_json, char *const *default_env, cleat_error_t *err)
{
	if (h->path == NULL)
		return cleat_error_msg(err, "%s hook #%zu: path is required", phase, idx);
	struct hook_run *r = xmalloc0(sizeof *r);
	r->pidfd = r->in_fd = r->out_fd = r->err_fd = -1;
	r->input = state_json ? state_json : "";
	r->input_len = strlen(r->input);
	int ret = 0;
	if (hook_spawn(h, default_env, r, err) < 0) {
		ret = cleat_error_wrap(err, "error running %s hook #%zu: \"%s\"", phase, idx,
				       h->path);
		goto out;
	}
	long long deadline = h->has_timeout && h->timeout > 0 ? now_ms() + h->timeout * 1000 : -1;
	int status = 0;
	if (!hook_wait(r, deadline, &status)) {
		kill(r->pid, SIGKILL);
		while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR)
			;
		ret = cleat_error_msg(
			err, "error running %s hook #%zu: \"%s\": hook timed out after %llds",
			phase, idx, h->path, (long long) h->timeout);
		goto out;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		goto out;
	trim(&r->out);
	trim(&r->errout);
	/* runc's words (Go's ExitError text: "exit status N", "signal: bad system call"),
	 * which tools and runc's tests match, plus the phase, path and signal number. */
	char how[96];
	if (WIFEXITED(status)) {
		snprintf(how, sizeof how, "exit status %d", WEXITSTATUS(status));
	} else {
		int n = snprintf(how, sizeof how, "signal: %s (signal %d)",
				 strsignal(WTERMSIG(status)), WTERMSIG(status));
		if (n > 8)
			how[8] = (char) tolower((unsigned char) how[8]);
	}
	ret = cleat_error_msg(err, "error running %s hook #%zu: \"%s\": %s, stdout: %s, stderr: %s",
			      phase, idx, h->path, how, r->out.buf, r->errout.buf);
out:
	run_close(r);
	free(r);
	return ret;
}

int cleat_hooks_run(const struct oci_hook *hooks, size_t n, const char *phase,
		    const char *state_json, cleat_error_t *err)
{
	return cleat_hooks_run_env(hooks, n, phase, state_json, NULL, err);
}

int cleat_hooks_run_env(const struct oci_hook *hooks, size_t n, const char *phase,
			const char *state_json, char *const *default_env, cleat_error_t *err)
{
	for (size_t i = 0; i < n; i++)
		if (hook_run_one(&hooks[i], i, phase, state_json, default_env, err) < 0)
			return -1;
	return 0;
}

size_t cleat_hooks_run_warn(const struct oci_hook *hooks, size_t n, const char *phase,
			    const char *state_json)
{
	size_t failed = 0;
	for (size_t i = 0; i < n; i++) {
		_cleanup_error_ cleat_error_t e = NULL;
		if (hook_run_one(&hooks[i], i, phase, state_json, NULL, &e) < 0) {
			cleat_warn("%s", e->msg);
			failed++;
		}
	}
	return failed;
}

char *cleat_hooks_state_with_status(const char *state_json, const char *status)
{
	yajl_val v = yajl_tree_parse(state_json ? state_json : "", NULL, 0);
	if (v == NULL || !YAJL_IS_OBJECT(v)) {
		if (v)
			yajl_tree_free(v);
		return NULL;
	}
	yajl_gen g = yajl_gen_alloc(NULL);
	yajl_gen_map_open(g);
	for (size_t i = 0; i < v->u.object.len; i++) {
		cleat_json_gen_str(g, v->u.object.keys[i]);
		if (strcmp(v->u.object.keys[i], "status") == 0)
			cleat_json_gen_str(g, status);
		else
			oci_json_gen_value(g, v->u.object.values[i]);
	}
	yajl_gen_map_close(g);
	const unsigned char *buf;
	size_t len;
	yajl_gen_get_buf(g, &buf, &len);
	char *out = xstrndup((const char *) buf, len);
	yajl_gen_free(g);
	yajl_tree_free(v);
	return out;
}
