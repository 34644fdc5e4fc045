#include "config.h"
#include "shim/daemon.h"
#include "shim/container.h"
#include "shim/events_client.h"
#include "shim/reaper.h"
#include "shim/shim.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Exits of unknown pids kept while a runtime create/exec runs. */
#define UNCLAIMED_MAX 256
/* At exit, how long queued events may take to reach containerd. */
#define EVENTS_FLUSH_MS 5000

void shim_handle_exit(struct shim *s, pid_t pid, int status, const struct timespec *at)
{
	struct process *p = shim_find_pid(s, pid);
	if (p) {
		process_exited(p, status, at);
		return;
	}
	/* Orphans re-parented to us are dropped, unless a runtime create/exec
	 * is running: then this may be its process, exiting before we read
	 * the pid file. */
	if (s->spawns_in_flight <= 0 || s->nunclaimed >= UNCLAIMED_MAX)
		return;
	struct unclaimed_exit *u = xmalloc0(sizeof *u);
	u->pid = pid;
	u->status = status;
	u->at = *at;
	u->next = s->unclaimed;
	s->unclaimed = u;
	s->nunclaimed++;
}

bool shim_claim_exit(struct shim *s, pid_t pid, int *status, struct timespec *at)
{
	for (struct unclaimed_exit **pp = &s->unclaimed; *pp; pp = &(*pp)->next)
		if ((*pp)->pid == pid) {
			struct unclaimed_exit *u = *pp;
			*pp = u->next;
			*status = u->status;
			*at = u->at;
			free(u);
			s->nunclaimed--;
			return true;
		}
	return false;
}

void shim_spawn_done(struct shim *s)
{
	if (--s->spawns_in_flight > 0)
		return;
	s->spawns_in_flight = 0;
	while (s->unclaimed) {
		struct unclaimed_exit *u = s->unclaimed;
		s->unclaimed = u->next;
		free(u);
	}
	s->nunclaimed = 0;
}

void shim_maybe_exit(struct shim *s)
{
	if (s->containers)
		return;
	s->exiting = true;
	loop_quit(s->loop);
}

static void on_term(struct loop *l, struct loop_source *src, int fd, uint32_t events, void *data)
{
	struct shim *s = data;
	struct signalfd_siginfo si;
	while (read(fd, &si, sizeof si) == (ssize_t) sizeof si)
		cleat_info("received signal %u, shutting down", si.ssi_signo);
	s->exiting = true;
	loop_quit(l);
}

static void noop_handler(int sig) { (void) sig; }

/* fd 2 → the bundle's `log` fifo, which containerd copies into its log.  The
 * daemon lives as long as its containers: every log call site is rate limited. */
static void setup_log(bool debug)
{
	cleat_log_rate_limit(true);
	int fd = open("log", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		cleat_log_set_fd(2, CLEAT_LOG_TEXT, debug);
		return;
	}
	dup2(fd, 2);
	cleat_log_set_fd(fd, CLEAT_LOG_TEXT, debug);
}

static int listen_on(const struct shim_flags *f, char **path, cleat_error_t *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t sl = sizeof sa;
	if (!f->socket || !*f->socket) {
		/* The listener `start` handed us as fd 3. */
		if (getsockname(3, (struct sockaddr *) &sa, &sl) < 0)
			return cleat_error_errno(err, errno, "no listening socket on fd 3");
		fd_set_cloexec(3, true);
		if (sa.sun_path[0])
			*path = xstrdup(sa.sun_path);
		return 3;
	}
	const char *p = str_has_prefix(f->socket, "unix://") ? f->socket + 7 : f->socket;
	if (strlen(p) >= sizeof sa.sun_path)
		return cleat_error_msg(err, "socket path too long: \"%s\"", p);
	strcpy(sa.sun_path, p);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return cleat_error_errno(err, errno, "socket");
	unlink(p);
	if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0 || listen(fd, SOMAXCONN) < 0 ||
	    chmod(p, 0600) < 0)
		return cleat_error_errno(err, errno, "listen on \"%s\"", p);
	*path = xstrdup(p);
	return TAKE_FD(fd);
}

static void shim_free(struct shim *s)
{
	while (s->containers)
		container_free(s->containers);
	while (s->unclaimed) {
		struct unclaimed_exit *u = s->unclaimed;
		s->unclaimed = u->next;
		free(u);
	}
	reaper_free(s->reaper);
	if (s->pub)
		events_publisher_free(s->pub);
	loop_free(s->loop);
	free(s->ns);
	free(s->address);
	free(s->socket_path);
}

int shim_daemon(const struct shim_flags *f, cleat_error_t *err)
{
	struct shim s = { 0 };
	int ret = -1;
	_cleanup_close_ int tfd = -1;
	_cleanup_free_ char *fallback = NULL;
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	/* The log fifo loses its reader whenever containerd restarts: a no-op
	 * handler (not SIG_IGN, which children would inherit) keeps EPIPE harmless. */
	struct sigaction sa = { .sa_handler = noop_handler };
	sigaction(SIGPIPE, &sa, NULL);
	setup_log(f->debug);

	s.ns = xstrdup(f->ns);
	s.address = xstrdup(f->address);
	s.debug = f->debug;
	if (loop_new(&s.loop, err) < 0)
		goto out;
	int lfd = listen_on(f, &s.socket_path, err);
	if (lfd < 0)
		goto out;
	if (ttrpc_server_new(s.loop, lfd, &s.server, err) < 0)
		goto out;
	if (reaper_new(&s, &s.reaper, err) < 0)
		goto out;
	sigset_t term;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGINT);
	tfd = signalfd(-1, &term, SFD_CLOEXEC | SFD_NONBLOCK);
	if (tfd < 0 || !loop_add_fd(s.loop, tfd, EPOLLIN, on_term, &s, err)) {
		if (tfd < 0)
			cleat_error_errno(err, errno, "signalfd");
		goto out;
	}
	const char *ttrpc = getenv("TTRPC_ADDRESS");
	fallback = xasprintf("%s.ttrpc", s.address);
	s.pub = events_publisher_new(s.loop, ttrpc && *ttrpc ? ttrpc : fallback, s.ns);
	task_register(&s);
	cleat_info("shim %d serving %s", getpid(), s.socket_path ? s.socket_path : "fd 3");
	ret = loop_run(s.loop, err);
	/* Reply first, then unlink (as runc-v2): the Shutdown reply is out. */
	if (s.socket_path)
		unlink(s.socket_path);
	ttrpc_server_free(s.server);
	s.server = NULL;
	if (s.pub && events_flush(s.pub, EVENTS_FLUSH_MS) > 0)
		cleat_warn("events left undelivered at exit");
out:
	if (s.server)
		ttrpc_server_free(s.server);
	shim_free(&s);
	return ret;
}
