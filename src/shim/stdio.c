#include "config.h"
#include "shim/stdio.h"
#include "shim/runtime.h"
#include "shim/shim.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#define COPY_BUF 4096 /* PIPE_BUF, as runc-v2's copy loops */
#define SPLICE_CHUNK 65536
#define LOGGER_READY_TIMEOUT_MS 10000
#define LOGGER_KILL_DELAY_MS 12000

enum {
	IN,
	OUT,
	ERR
};

struct copier {
	struct stdio *io;
	int src, dst;
	struct loop_source *src_s, *dst_s;
	bool is_output, done, use_splice;
	char *buf;
	size_t off, len;
};

struct stdio {
	struct shim *shim;
	bool terminal;
	int child[3]; /* the runtime's 0/1/2 */
	int in_pipe_w; /* shim → container stdin */
	int out_pipe_r[3]; /* container stdout/stderr → shim (index OUT/ERR) */
	int fifo_in_r; /* stdin fifo, read end */
	int fifo_in_hold_w; /* held stdin writer; CloseIO closes it */
	int fifo_w[3]; /* stdout/stderr fifo write ends */
	int fifo_hold_r[3]; /* held read ends so the fifo never loses its last reader */
	int file_fd; /* file:// target */
	int master; /* pty master */
	int console_listen;
	char *console_dir, *console_path;
	int logger_pidfd;
	int logger_ready; /* read end of the logger's fd 5 until it is ready */
	struct loop_source *ready_src, *ready_timer;
	char *logger_path;
	stdio_ready_fn ready_fn;
	void *ready_data;
	struct copier *cp[3];
	int outputs_open;
	void (*drained_fn)(void *);
	void *drained_data;
};

/* ---- URI parsing (pure) ---------------------------------------------------- */

static char *percent_decode(const char *s, size_t n)
{
	char *o = xmalloc(n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char) s[i + 1]) &&
		    isxdigit((unsigned char) s[i + 2])) {
			char hex[3] = { s[i + 1], s[i + 2], 0 };
			o[k++] = (char) strtol(hex, NULL, 16);
			i += 2;
		} else if (s[i] == '+') {
			o[k++] = ' ';
		} else {
			o[k++] = s[i];
		}
	}
	o[k] = '\0';
	return o;
}

void stdio_uri_clear(struct stdio_uri *u)
{
	free(u->path);
	strv_free(u->args);
	u->path = NULL;
	u->args = NULL;
}

static char **parse_query(const char *q)
{
	size_t cap = 8, n = 0;
	char **args = xmalloc0(cap * sizeof *args);
	while (q && *q) {
		const char *amp = strchrnul(q, '&');
		const char *eq = memchr(q, '=', (size_t) (amp - q));
		if (n + 3 > cap) {
			cap *= 2;
			args = xrealloc(args, cap * sizeof *args);
		}
		if (amp > q) {
			const char *kend = eq ? eq : amp;
			args[n++] = percent_decode(q, (size_t) (kend - q));
			/* Like containerd's binary IO: an empty value adds no word. */
			if (eq && amp > eq + 1)
				args[n++] = percent_decode(eq + 1, (size_t) (amp - eq - 1));
		}
		q = *amp ? amp + 1 : amp;
	}
	args[n] = NULL;
	return args;
}

int stdio_parse_uri(const char *s, struct stdio_uri *out, cleat_error_t *err)
{
	memset(out, 0, sizeof *out);
	if (!s || !*s) {
		out->kind = STDIO_NONE;
		return 0;
	}
	const char *sep = strstr(s, "://");
	if (!sep) {
		out->kind = STDIO_FIFO;
		out->path = xstrdup(s);
		return 0;
	}
	size_t slen = (size_t) (sep - s);
	const char *rest = sep + 3;
	const char *qm = strchr(rest, '?');
	size_t plen = qm ? (size_t) (qm - rest) : strlen(rest);
	if (slen == 4 && strncmp(s, "fifo", 4) == 0)
		out->kind = STDIO_FIFO;
	else if (slen == 4 && strncmp(s, "file", 4) == 0)
		out->kind = STDIO_FILE;
	else if (slen == 6 && strncmp(s, "binary", 6) == 0)
		out->kind = STDIO_BINARY;
	else
		return cleat_error_msg(err, "unsupported STDIO scheme %.*s: not implemented",
				       (int) slen, s);
	if (plen == 0 || rest[0] != '/')
		return cleat_error_msg(err, "%.*s:// needs an absolute path: \"%s\"", (int) slen, s,
				       s);
	out->path = percent_decode(rest, plen);
	if (out->kind == STDIO_BINARY)
		out->args = parse_query(qm ? qm + 1 : NULL);
	return 0;
}

/* ---- copy loops ------------------------------------------------------------ */

static void copier_finish(struct copier *c);
static void copier_pump(struct copier *c);

static void on_src(struct loop *l, struct loop_source *src, int fd, uint32_t ev, void *data)
{
	copier_pump(data);
}

static void on_dst(struct loop *l, struct loop_source *src, int fd, uint32_t ev, void *data)
{
	struct copier *c = data;
	/* Writable again: stop watching the destination, resume reading. */
	loop_remove(l, c->dst_s);
	c->dst_s = NULL;
	copier_pump(c);
}

static bool is_fifo(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

/* Wait until dst is writable, with src out of the loop: a hung-up source is
 * reported by epoll on every turn and would otherwise spin. */
static void wait_dst(struct copier *c)
{
	struct shim *s = c->io->shim;
	cleat_error_t err = NULL;
	if (c->src_s) {
		loop_remove(s->loop, c->src_s);
		c->src_s = NULL;
	}
	if (!c->dst_s)
		c->dst_s = loop_add_fd(s->loop, c->dst, EPOLLOUT, on_dst, c, &err);
	if (!c->dst_s) {
		cleat_warn("stdio: watch destination: %s", err ? err->msg : "?");
		cleat_error_free(&err);
		copier_finish(c);
	}
}

static void watch_src(struct copier *c)
{
	cleat_error_t err = NULL;
	if (c->src_s)
		return;
	c->src_s = loop_add_fd(c->io->shim->loop, c->src, EPOLLIN, on_src, c, &err);
	if (!c->src_s) {
		cleat_warn("stdio: watch source: %s", err ? err->msg : "?");
		cleat_error_free(&err);
		copier_finish(c);
	}
}

/* Move bytes until the source is empty or the destination is full. */
static void copier_pump(struct copier *c)
{
	for (int rounds = 0; rounds < 64 && !c->done; rounds++) {
		if (c->off < c->len) {
			ssize_t n = write(c->dst, c->buf + c->off, c->len - c->off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && errno == EAGAIN)
				return wait_dst(c);
			if (n < 0)
				return copier_finish(c);
			c->off += (size_t) n;
			continue;
		}
		ssize_t n;
		if (c->use_splice) {
			n = splice(c->src, NULL, c->dst, NULL, SPLICE_CHUNK,
				   SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
			if (n < 0 && errno == EINVAL) {
				c->use_splice = false;
				continue;
			}
			if (n < 0 && errno == EAGAIN) {
				int avail = 0;
				/* EAGAIN from either side: data waiting means the destination is full. */
				if (ioctl(c->src, FIONREAD, &avail) == 0 && avail > 0)
					return wait_dst(c);
				return watch_src(c);
			}
		} else {
			if (!c->buf)
				c->buf = xmalloc(COPY_BUF);
			n = read(c->src, c->buf, COPY_BUF);
			if (n > 0) {
				c->off = 0;
				c->len = (size_t) n;
				continue;
			}
			if (n < 0 && errno == EAGAIN)
				return watch_src(c);
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) /* EOF, or EIO from a pty master whose slave is gone */
			return copier_finish(c);
	}
	if (!c->done)
		watch_src(c);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(TAKE_FD(*fd));
}

static void check_drained(struct stdio *io)
{
	if (io->outputs_open == 0 && io->drained_fn) {
		void (*fn)(void *) = io->drained_fn;
		io->drained_fn = NULL;
		fn(io->drained_data);
	}
}

static void copier_finish(struct copier *c)
{
	struct stdio *io = c->io;
	struct loop *l = io->shim->loop;
	if (c->done)
		return;
	c->done = true;
	if (c->src_s)
		loop_remove(l, c->src_s);
	if (c->dst_s)
		loop_remove(l, c->dst_s);
	c->src_s = c->dst_s = NULL;
	free(c->buf);
	c->buf = NULL;
	if (!c->is_output) {
		/* stdin reached EOF: the container sees EOF too (not for a pty:
		 * closing the master would hang the terminal up). */
		close_fd(&io->in_pipe_w);
		close_fd(&io->fifo_in_r);
		return;
	}
	for (int i = OUT; i <= ERR; i++)
		if (io->cp[i] == c) {
			close_fd(&io->out_pipe_r[i]);
			close_fd(&io->fifo_w[i]);
			close_fd(&io->fifo_hold_r[i]);
		}
	if (io->terminal) {
		/* The pty carries stdout and stderr; let a stderr reader see EOF too. */
		for (int i = OUT; i <= ERR; i++) {
			close_fd(&io->fifo_w[i]);
			close_fd(&io->fifo_hold_r[i]);
		}
	}
	io->outputs_open--;
	check_drained(io);
}

static struct copier *copier_new(struct stdio *io, int src, int dst, bool is_output)
{
	struct copier *c = xmalloc0(sizeof *c);
	c->io = io;
	c->src = src;
	c->dst = dst;
	c->is_output = is_output;
	c->use_splice = is_fifo(src) && is_fifo(dst);
	if (is_output)
		io->outputs_open++;
	return c;
}

/* ---- setup ----------------------------------------------------------------- */

static int open_output_fifo(const char *path, int *w, int *hold, cleat_error_t *err)
{
	/* Open our own reader first: the writer's open then never blocks, even
	 * if the client has not opened its end, and the fifo never
	 * loses its last reader when the client goes away (no EPIPE). */
	_cleanup_close_ int r = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (r < 0)
		return cleat_error_errno(err, errno, "open stdio fifo \"%s\"", path);
	int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return cleat_error_errno(err, errno, "open stdio fifo \"%s\" for writing", path);
	*w = fd;
	*hold = TAKE_FD(r);
	return 0;
}

static int open_input_fifo(struct stdio *io, const char *path, cleat_error_t *err)
{
	_cleanup_close_ int r = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (r < 0)
		return cleat_error_errno(err, errno, "open stdin fifo \"%s\"", path);
	/* Our writer keeps stdin from reaching EOF when the client's writer goes
	 * away (containerd restarts); CloseIO releases it. */
	int w = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (w < 0)
		return cleat_error_errno(err, errno, "open stdin fifo \"%s\" for writing", path);
	io->fifo_in_hold_w = w;
	io->fifo_in_r = TAKE_FD(r);
	return 0;
}

static int make_pipe(int *shim_end, int *child_end, bool child_reads, cleat_error_t *err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return cleat_error_errno(err, errno, "pipe");
	*shim_end = child_reads ? p[1] : p[0];
	*child_end = child_reads ? p[0] : p[1];
	fd_set_nonblock(*shim_end, true);
	return 0;
}

static int chown_pipes(struct stdio *io, uint32_t uid, uint32_t gid, cleat_error_t *err)
{
	if (uid == 0 && gid == 0)
		return 0;
	int fds[] = { io->child[0],  io->child[1],	  io->child[2],
		      io->in_pipe_w, io->out_pipe_r[OUT], io->out_pipe_r[ERR] };
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0 && fchown(fds[i], uid, gid) < 0)
			return cleat_error_errno(err, errno, "chown stdio pipe to %u:%u", uid, gid);
	return 0;
}

static int start_logger(struct stdio *io, const struct stdio_cfg *cfg, const struct stdio_uri *u,
			cleat_error_t *err)
{
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, ready[2] = { -1, -1 };
	if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 ||
	    pipe2(ready, O_CLOEXEC) < 0) {
		int e = errno;
		close_fd(&outp[0]), close_fd(&outp[1]), close_fd(&errp[0]), close_fd(&errp[1]);
		return cleat_error_errno(err, e, "pipe for logger");
	}
	size_t nargs = strv_length(u->args);
	char **argv = xmalloc0((nargs + 2) * sizeof *argv);
	argv[0] = u->path;
	for (size_t i = 0; i < nargs; i++)
		argv[i + 1] = u->args[i];
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		free(argv);
		close_fd(&outp[0]), close_fd(&outp[1]), close_fd(&errp[0]), close_fd(&errp[1]);
		close_fd(&ready[0]), close_fd(&ready[1]);
		return cleat_error_errno(err, e, "fork logger \"%s\"", u->path);
	}
	if (pid == 0) {
		shim_child_reset();
		setenv("CONTAINER_ID", cfg->id ? cfg->id : "", 1);
		setenv("CONTAINER_NAMESPACE", cfg->ns ? cfg->ns : "", 1);
		int src[3] = { fcntl(outp[0], F_DUPFD_CLOEXEC, 10),
			       fcntl(errp[0], F_DUPFD_CLOEXEC, 10),
			       fcntl(ready[1], F_DUPFD_CLOEXEC, 10) };
		int nul = open("/dev/null", O_RDWR);
		if (nul >= 0)
			dup2(nul, 0), dup2(nul, 1), dup2(nul, 2);
		for (int i = 0; i < 3; i++)
			if (src[i] < 0 || dup2(src[i], 3 + i) < 0)
				_exit(127);
		close_fds_from(6, NULL, 0);
		execv(argv[0], argv);
		_exit(127);
	}
	free(argv);
	io->logger_pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
	close(outp[0]);
	close(errp[0]);
	close(ready[1]);
	io->child[1] = outp[1];
	io->child[2] = errp[1];
	/* Its readiness is awaited on the loop (stdio_when_ready). */
	io->logger_ready = ready[0];
	io->logger_path = xstrdup(u->path);
	return 0;
}

static int prepare_output(struct stdio *io, const struct stdio_cfg *cfg, cleat_error_t *err)
{
	__attribute__((cleanup(stdio_uri_clear))) struct stdio_uri uo = { 0 }, ue = { 0 };
	if (stdio_parse_uri(cfg->out, &uo, err) < 0 || stdio_parse_uri(cfg->err, &ue, err) < 0)
		return -1;
	if (uo.kind == STDIO_FILE || uo.kind == STDIO_BINARY) {
		if (uo.kind == STDIO_BINARY)
			return start_logger(io, cfg, &uo, err);
		_cleanup_free_ char *dir = xstrdup(uo.path);
		char *slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			if (mkdir_p(dir, 0755, err) < 0)
				return -1;
		}
		/* Both streams append to the file; the container writes it directly. */
		io->file_fd = open(uo.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (io->file_fd < 0)
			return cleat_error_errno(err, errno, "open log file \"%s\"", uo.path);
		io->child[1] = io->file_fd;
		io->child[2] = io->file_fd;
		return 0;
	}
	const struct stdio_uri *u[3] = { NULL, &uo, &ue };
	for (int i = OUT; i <= ERR; i++) {
		if (u[i]->kind == STDIO_NONE)
			continue;
		if (u[i]->kind != STDIO_FIFO)
			return cleat_error_msg(err, "stderr must use the same scheme as stdout");
		if (open_output_fifo(u[i]->path, &io->fifo_w[i], &io->fifo_hold_r[i], err) < 0)
			return -1;
		if (!io->terminal && make_pipe(&io->out_pipe_r[i], &io->child[i], false, err) < 0)
			return -1;
	}
	return 0;
}

static int prepare_console(struct stdio *io, cleat_error_t *err)
{
	const char *base = getenv("XDG_RUNTIME_DIR");
	_cleanup_free_ char *tmpl = xasprintf("%s/pty-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpl))
		return cleat_error_errno(err, errno, "mkdtemp \"%s\"", tmpl);
	io->console_dir = TAKE_PTR(tmpl);
	io->console_path = xasprintf("%s/pty.sock", io->console_dir);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(io->console_path) >= sizeof sa.sun_path)
		return cleat_error_msg(err, "console socket path too long: \"%s\"",
				       io->console_path);
	strcpy(sa.sun_path, io->console_path);
	io->console_listen = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (io->console_listen < 0)
		return cleat_error_errno(err, errno, "socket");
	if (bind(io->console_listen, (struct sockaddr *) &sa, sizeof sa) < 0 ||
	    listen(io->console_listen, 1) < 0)
		return cleat_error_errno(err, errno, "listen on \"%s\"", io->console_path);
	return 0;
}

int stdio_prepare(struct shim *s, const struct stdio_cfg *cfg, struct stdio **out,
		  cleat_error_t *err)
{
	struct stdio *io = xmalloc0(sizeof *io);
	io->shim = s;
	io->terminal = cfg->terminal;
	int *all[] = { &io->child[0],	    &io->child[1],	 &io->child[2],
		       &io->in_pipe_w,	    &io->out_pipe_r[0],	 &io->out_pipe_r[1],
		       &io->out_pipe_r[2],  &io->fifo_in_r,	 &io->fifo_in_hold_w,
		       &io->fifo_w[0],	    &io->fifo_w[1],	 &io->fifo_w[2],
		       &io->fifo_hold_r[0], &io->fifo_hold_r[1], &io->fifo_hold_r[2],
		       &io->file_fd,	    &io->master,	 &io->console_listen,
		       &io->logger_pidfd,   &io->logger_ready };
	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		*all[i] = -1;
	*out = io;
	if (cfg->in && *cfg->in) {
		if (open_input_fifo(io, cfg->in, err) < 0)
			return -1;
		if (!io->terminal && make_pipe(&io->in_pipe_w, &io->child[0], true, err) < 0)
			return -1;
	}
	if (prepare_output(io, cfg, err) < 0)
		return -1;
	if (io->terminal && prepare_console(io, err) < 0)
		return -1;
	return chown_pipes(io, cfg->uid, cfg->gid, err);
}

/* ---- logger readiness ------------------------------------------------------ */

/* Stop waiting for the logger: no callback runs any more. */
static void stop_ready_wait(struct stdio *io)
{
	struct loop *l = io->shim->loop;
	if (io->ready_src)
		loop_remove(l, io->ready_src);
	if (io->ready_timer)
		loop_remove(l, io->ready_timer);
	io->ready_src = io->ready_timer = NULL;
	io->ready_fn = NULL;
	close_fd(&io->logger_ready);
}

static void ready_done(struct stdio *io, cleat_error_t err)
{
	stdio_ready_fn fn = io->ready_fn;
	void *data = io->ready_data;
	stop_ready_wait(io);
	if (fn)
		fn(data, err);
}

/* The logger closed fd 5 or wrote to it (EOF too when it died: then it logs nothing,
 * as containerd's shim, which reads one byte and takes EOF for ready). */
static void on_logger_ready(struct loop *l, struct loop_source *src, int fd, uint32_t ev,
			    void *data)
{
	ready_done(data, NULL);
}

static void on_logger_timeout(struct loop *l, struct loop_source *src, void *data)
{
	struct stdio *io = data;
	cleat_error_t err = NULL;
	io->ready_timer = NULL;
	cleat_error_msg(&err, "logger \"%s\" did not become ready", io->logger_path);
	ready_done(io, err);
	cleat_error_free(&err);
}

void stdio_when_ready(struct stdio *io, stdio_ready_fn fn, void *data)
{
	cleat_error_t err = NULL;
	if (io->logger_ready < 0) {
		fn(data, NULL);
		return;
	}
	io->ready_fn = fn;
	io->ready_data = data;
	io->ready_src = loop_add_fd(io->shim->loop, io->logger_ready, EPOLLIN, on_logger_ready, io,
				    &err);
	if (io->ready_src)
		io->ready_timer = loop_add_timer(io->shim->loop, LOGGER_READY_TIMEOUT_MS,
						 on_logger_timeout, io, &err);
	if (!io->ready_timer) {
		cleat_error_wrap(&err, "wait for logger \"%s\"", io->logger_path);
		ready_done(io, err);
		cleat_error_free(&err);
	}
}

/* ---- handing over ---------------------------------------------------------- */

void stdio_child_fds(const struct stdio *io, int fds[3])
{
	for (int i = 0; i < 3; i++)
		fds[i] = io->child[i] >= 0 ? io->child[i] : RUNTIME_FD_NULL;
	/* With a terminal the container's stdio is the pty; what the runtime
	 * itself prints is captured for the error message. */
	if (io->terminal)
		fds[1] = fds[2] = RUNTIME_FD_CAPTURE;
}

const char *stdio_console_socket(const struct stdio *io) { return io->console_path; }

static int receive_master(struct stdio *io, cleat_error_t *err)
{
	/* The runtime has exited, so its fd is queued already; never wait on a
	 * peer that connected and sent nothing (EAGAIN is its error). */
	_cleanup_close_ int conn = accept4(io->console_listen, NULL, NULL,
					   SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (conn < 0)
		return cleat_error_errno(err, errno, "accept on console socket \"%s\"",
					 io->console_path);
	char data[256];
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = { .iov_base = data, .iov_len = sizeof data };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = u.buf,
			      .msg_controllen = sizeof u.buf };
	ssize_t n;
	do
		n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return cleat_error_errno(err, errno, "receive pty master");
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS ||
	    cm->cmsg_len != CMSG_LEN(sizeof(int)))
		return cleat_error_msg(err, "console socket: expected exactly one fd");
	memcpy(&io->master, CMSG_DATA(cm), sizeof(int));
	fd_set_nonblock(io->master, true);
	return 0;
}

static void remove_console_socket(struct stdio *io)
{
	close_fd(&io->console_listen);
	if (io->console_path) {
		unlink(io->console_path);
		rmdir(io->console_dir);
		free(io->console_path);
		free(io->console_dir);
		io->console_path = io->console_dir = NULL;
	}
}

int stdio_started(struct stdio *io, cleat_error_t *err)
{
	for (int i = 0; i < 3; i++)
		if (io->child[i] != io->file_fd)
			close_fd(&io->child[i]);
	io->child[0] = io->child[1] = io->child[2] = -1;
	if (io->terminal) {
		int r = receive_master(io, err);
		remove_console_socket(io);
		if (r < 0)
			return -1;
		if (io->fifo_in_r >= 0)
			io->cp[IN] = copier_new(io, io->fifo_in_r, io->master, false);
		if (io->fifo_w[OUT] >= 0)
			io->cp[OUT] = copier_new(io, io->master, io->fifo_w[OUT], true);
	} else {
		if (io->fifo_in_r >= 0 && io->in_pipe_w >= 0)
			io->cp[IN] = copier_new(io, io->fifo_in_r, io->in_pipe_w, false);
		for (int i = OUT; i <= ERR; i++)
			if (io->out_pipe_r[i] >= 0 && io->fifo_w[i] >= 0)
				io->cp[i] = copier_new(io, io->out_pipe_r[i], io->fifo_w[i], true);
	}
	for (int i = 0; i < 3; i++)
		if (io->cp[i])
			copier_pump(io->cp[i]);
	return 0;
}

void stdio_close_stdin(struct stdio *io)
{
	if (io)
		close_fd(&io->fifo_in_hold_w);
}

int stdio_resize(struct stdio *io, uint32_t width, uint32_t height, cleat_error_t *err)
{
	if (!io || io->master < 0)
		return 0;
	struct winsize ws = { .ws_row = (unsigned short) height, .ws_col = (unsigned short) width };
	if (ioctl(io->master, TIOCSWINSZ, &ws) < 0)
		return cleat_error_errno(err, errno, "resize pty");
	return 0;
}

bool stdio_drained(const struct stdio *io) { return !io || io->outputs_open == 0; }

void stdio_on_drained(struct stdio *io, void (*fn)(void *data), void *data)
{
	if (stdio_drained(io)) {
		fn(data);
		return;
	}
	io->drained_fn = fn;
	io->drained_data = data;
}

void stdio_close_output(struct stdio *io)
{
	if (!io)
		return;
	io->drained_fn = NULL;
	for (int i = OUT; i <= ERR; i++)
		if (io->cp[i])
			copier_finish(io->cp[i]);
	for (int i = OUT; i <= ERR; i++) {
		close_fd(&io->fifo_w[i]);
		close_fd(&io->fifo_hold_r[i]);
	}
}

/* A logger told to stop: SIGKILL if it is still there 12 s later (as runc-v2);
 * forgotten as soon as it has exited. */
struct logger_kill {
	struct loop *loop;
	int pidfd;
	struct loop_source *timer, *exit;
};

static void logger_kill_done(struct logger_kill *k)
{
	if (k->timer)
		loop_remove(k->loop, k->timer);
	if (k->exit)
		loop_remove(k->loop, k->exit);
	close(k->pidfd);
	free(k);
}

static void on_logger_timer(struct loop *l, struct loop_source *src, void *data)
{
	struct logger_kill *k = data;
	k->timer = NULL;
	syscall(SYS_pidfd_send_signal, k->pidfd, SIGKILL, NULL, 0);
	logger_kill_done(k);
}

static void on_logger_exit(struct loop *l, struct loop_source *src, int fd, uint32_t ev, void *data)
{
	logger_kill_done(data);
}

static void stop_logger(struct stdio *io)
{
	cleat_error_t err = NULL;
	syscall(SYS_pidfd_send_signal, io->logger_pidfd, SIGTERM, NULL, 0);
	struct logger_kill *k = xmalloc0(sizeof *k);
	k->loop = io->shim->loop;
	k->pidfd = TAKE_FD(io->logger_pidfd);
	k->timer = loop_add_timer(k->loop, LOGGER_KILL_DELAY_MS, on_logger_timer, k, &err);
	if (!k->timer) {
		cleat_warn("stdio: watch logger: %s", err ? err->msg : "?");
		cleat_error_free(&err);
		logger_kill_done(k);
		return;
	}
	/* Without a watch on its exit, the timer still sends the SIGKILL. */
	k->exit = loop_add_fd(k->loop, k->pidfd, EPOLLIN, on_logger_exit, k, &err);
	if (!k->exit) {
		cleat_warn("stdio: watch logger exit: %s", err ? err->msg : "?");
		cleat_error_free(&err);
	}
}

void stdio_free(struct stdio *io)
{
	if (!io)
		return;
	stdio_close_output(io);
	for (int i = 0; i < 3; i++) {
		if (io->cp[i]) {
			copier_finish(io->cp[i]);
			free(io->cp[i]);
		}
		if (io->child[i] != io->file_fd)
			close_fd(&io->child[i]);
		close_fd(&io->out_pipe_r[i]);
	}
	close_fd(&io->in_pipe_w);
	close_fd(&io->fifo_in_r);
	close_fd(&io->fifo_in_hold_w);
	close_fd(&io->file_fd);
	close_fd(&io->master);
	remove_console_socket(io);
	stop_ready_wait(io);
	free(io->logger_path);
	if (io->logger_pidfd >= 0)
		stop_logger(io);
	free(io);
}
