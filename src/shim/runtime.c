#include "config.h"
#include "shim/runtime.h"
#include "shim/json.h"
#include "shim/reaper.h"
#include "shim/status.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runtime output is small (errors, `ps` pid lists); cap it so a runaway
 * runtime cannot grow the shim. */
#define RUNTIME_OUT_MAX (1024 * 1024)

struct runtime_cmd {
	struct shim *shim;
	runtime_done_fn fn;
	void *data;
	int out_fd;
	struct loop_source *out_src;
	char *out;
	size_t out_len;
	char *log_path;
	off_t log_off;
};

void runtime_opts_clear(struct runtime_opts *o)
{
	free(o->binary);
	free(o->root);
	o->binary = o->root = NULL;
}

char **runtime_argv(const struct runtime_opts *o, const char *log, const char *const *args)
{
	size_t n = 0;
	while (args[n])
		n++;
	char **argv = xmalloc0((n + 10) * sizeof *argv);
	size_t i = 0;
	argv[i++] = xstrdup(o->binary);
	argv[i++] = xstrdup("--root");
	argv[i++] = xstrdup(o->root);
	if (log) {
		argv[i++] = xstrdup("--log");
		argv[i++] = xstrdup(log);
		argv[i++] = xstrdup("--log-format");
		argv[i++] = xstrdup("json");
	}
	if (o->systemd_cgroup)
		argv[i++] = xstrdup("--systemd-cgroup");
	for (size_t k = 0; k < n; k++)
		argv[i++] = xstrdup(args[k]);
	argv[i] = NULL;
	return argv;
}

void shim_child_reset(void)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < _NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	unsetenv("NOTIFY_SOCKET");
}

char *runtime_resolve_binary(const char *name)
{
	if (strchr(name, '/'))
		return xstrdup(name);
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (const char *p = path; *p;) {
		const char *e = strchrnul(p, ':');
		if (e > p) {
			_cleanup_free_ char *cand = xasprintf("%.*s/%s", (int) (e - p), p, name);
			if (access(cand, X_OK) == 0)
				return TAKE_PTR(cand);
		}
		p = *e ? e + 1 : e;
	}
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			_cleanup_free_ char *cand = xasprintf("%s/%s", self, name);
			if (access(cand, X_OK) == 0)
				return TAKE_PTR(cand);
		}
	}
	return xstrdup(name);
}

char *runtime_log_last_error(const char *buf)
{
	char *last = NULL;
	for (const char *line = buf; line && *line;) {
		const char *nl = strchr(line, '\n');
		_cleanup_free_ char *l = nl ? xstrndup(line, (size_t) (nl - line)) : xstrdup(line);
		_cleanup_free_ char *level = json_string_dup(json_get(l, "level"));
		if (level && strcmp(level, "error") == 0) {
			char *msg = json_string_dup(json_get(l, "msg"));
			if (msg) {
				free(last);
				last = msg;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return last;
}

static off_t file_size(const char *path)
{
	struct stat st;
	return (path && stat(path, &st) == 0) ? st.st_size : 0;
}

static char *read_log_from(const char *path, off_t off)
{
	if (!path)
		return NULL;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || lseek(fd, off, SEEK_SET) < 0)
		return NULL;
	char *buf = NULL;
	size_t len;
	cleat_error_t err = NULL;
	if (read_all_fd(fd, path, &buf, &len, &err) < 0) {
		cleat_error_free(&err);
		return NULL;
	}
	char *msg = runtime_log_last_error(buf);
	free(buf);
	return msg;
}

void runtime_result_clear(struct runtime_result *r)
{
	free(r->out);
	free(r->error);
	r->out = r->error = NULL;
}

char *runtime_result_message(const struct runtime_result *r, const char *what)
{
	if (r->error && *r->error)
		return xasprintf("%s: %s", what, r->error);
	if (r->out && r->out_len) {
		_cleanup_free_ char *o = xstrndup(r->out, r->out_len);
		size_t n = strlen(o);
		while (n && (o[n - 1] == '\n' || o[n - 1] == ' '))
			o[--n] = '\0';
		return xasprintf("%s: %s", what, o);
	}
	return xasprintf("%s: exit status %d", what, r->status);
}

int runtime_result_error(const struct runtime_result *r, const char *what, cleat_error_t *err)
{
	_cleanup_free_ char *msg = runtime_result_message(r, what);
	return shim_error(err, TTRPC_UNKNOWN, "%s", msg);
}

/* In the child between fork and exec: only async-signal-safe work. */
static void __attribute__((noreturn)) exec_child(char **argv, const int fds[3], int devnull)
{
	shim_child_reset();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	int use[3];
	for (int i = 0; i < 3; i++)
		use[i] = fds[i] >= 0 ? fds[i] : devnull;
	/* Move sources above 2 first so a dup2 cannot clobber a later source. */
	for (int i = 0; i < 3; i++)
		if (use[i] >= 0 && use[i] < 3) {
			int d = fcntl(use[i], F_DUPFD_CLOEXEC, 3);
			if (d < 0)
				_exit(127);
			use[i] = d;
		}
	for (int i = 0; i < 3; i++)
		if (use[i] >= 0 && dup2(use[i], i) < 0)
			_exit(127);
	/* Nothing else reaches the runtime or the container, not even fds
	 * containerd leaked to us without O_CLOEXEC. */
	close_fds_from(3, NULL, 0);
	execvp(argv[0], argv);
	/* Seen by containerd as the command's output: "exec <binary>: <reason>". */
	const char *why = strerror(errno);
	(void) !write(2, "exec ", 5);
	(void) !write(2, argv[0], strlen(argv[0]));
	(void) !write(2, ": ", 2);
	(void) !write(2, why, strlen(why));
	_exit(127);
}

static void cmd_read_out(struct runtime_cmd *c)
{
	for (;;) {
		char buf[4096];
		ssize_t n = read(c->out_fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		if (c->out_len + (size_t) n > RUNTIME_OUT_MAX)
			continue;
		c->out = xrealloc(c->out, c->out_len + (size_t) n + 1);
		memcpy(c->out + c->out_len, buf, (size_t) n);
		c->out_len += (size_t) n;
		c->out[c->out_len] = '\0';
	}
}

static void on_out(struct loop *l, struct loop_source *src, int fd, uint32_t events, void *data)
{
	struct runtime_cmd *c = data;
	cmd_read_out(c);
	if (events & (EPOLLHUP | EPOLLERR)) {
		loop_remove(l, src);
		c->out_src = NULL;
	}
}

static void on_exit_cmd(struct shim *s, pid_t pid, int status, const struct timespec *at,
			void *data)
{
	struct runtime_cmd *c = data;
	/* The runtime has exited, so everything it wrote is in the pipe already;
	 * a grandchild that kept the pipe open must not delay us. */
	cmd_read_out(c);
	if (c->out_src)
		loop_remove(s->loop, c->out_src);
	close(c->out_fd);
	struct runtime_result res = { .status = status, .out = c->out, .out_len = c->out_len };
	if (status != 0)
		res.error = read_log_from(c->log_path, c->log_off);
	c->fn(s, &res, c->data);
	runtime_result_clear(&res);
	free(c->log_path);
	free(c);
}

static int make_input(const char *input, size_t len, int *rfd, cleat_error_t *err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return cleat_error_errno(err, errno, "pipe");
	/* Runtime input (LinuxResources JSON) fits the pipe buffer, so write it
	 * before the child runs and never block the loop on it. */
	if (len > 65536 || write_all(p[1], input, len) < 0) {
		close(p[0]);
		close(p[1]);
		return cleat_error_errno(err, len > 65536 ? E2BIG : errno, "write runtime input");
	}
	close(p[1]);
	*rfd = p[0];
	return 0;
}

int runtime_run(struct shim *s, char **argv, const struct runtime_spawn_opts *o, runtime_done_fn fn,
		void *data, cleat_error_t *err)
{
	int outp[2];
	if (pipe2(outp, O_CLOEXEC | O_NONBLOCK) < 0)
		return cleat_error_errno(err, errno, "pipe");
	_cleanup_close_ int out_r = outp[0], out_w = outp[1];
	/* The child side must block: a runtime writing to a non-blocking stdout gets EAGAIN. */
	fd_set_nonblock(out_w, false);
	_cleanup_close_ int in_r = -1;
	if (o->input && make_input(o->input, o->input_len, &in_r, err) < 0)
		return -1;
	_cleanup_close_ int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	int fds[3];
	for (int i = 0; i < 3; i++)
		fds[i] = o->fd[i] == RUNTIME_FD_CAPTURE ? out_w : o->fd[i];
	if (in_r >= 0)
		fds[0] = in_r;

	struct runtime_cmd *c = xmalloc0(sizeof *c);
	c->shim = s;
	c->fn = fn;
	c->data = data;
	c->log_path = o->log_path ? xstrdup(o->log_path) : NULL;
	c->log_off = file_size(o->log_path);

	pid_t pid = fork();
	if (pid < 0) {
		free(c->log_path);
		free(c);
		return cleat_error_errno(err, errno, "fork %s", argv[0]);
	}
	if (pid == 0)
		exec_child(argv, fds, devnull);
	c->out_fd = TAKE_FD(out_r);
	c->out_src = loop_add_fd(s->loop, c->out_fd, EPOLLIN, on_out, c, err);
	if (!c->out_src)
		cleat_error_free(err); /* still collected at exit */
	reaper_watch(s->reaper, pid, on_exit_cmd, c);
	cleat_debug("runtime %s %s started as pid %d", argv[0], argv[1] ? argv[1] : "", pid);
	return 0;
}

/* Only for the `delete` subcommand, a short-lived process with no reaper:
 * the daemon itself never waits for a specific pid. */
int runtime_run_sync(char **argv, const char *log_path, struct runtime_result *res,
		     cleat_error_t *err)
{
	int outp[2];
	if (pipe2(outp, O_CLOEXEC) < 0)
		return cleat_error_errno(err, errno, "pipe");
	_cleanup_close_ int out_r = outp[0], out_w = outp[1];
	_cleanup_close_ int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	off_t off = file_size(log_path);
	int fds[3] = { devnull, out_w, out_w };
	pid_t pid = fork();
	if (pid < 0)
		return cleat_error_errno(err, errno, "fork %s", argv[0]);
	if (pid == 0)
		exec_child(argv, fds, devnull);
	close(TAKE_FD(out_w));
	memset(res, 0, sizeof *res);
	if (read_all_fd(out_r, "runtime output", &res->out, &res->out_len, err) < 0)
		cleat_error_free(err);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return cleat_error_errno(err, errno, "waitpid %s", argv[0]);
	res->status = reaper_exit_status(st);
	if (res->status != 0)
		res->error = read_log_from(log_path, off);
	return 0;
}
