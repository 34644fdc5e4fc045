/* The probe of the criu-vm cases: holds a resource that checkpoint/restore must carry
 * over (a TCP connection on loopback, a unix socket pair, file locks, a datagram socket
 * connected to a peer outside the container, memory) and checks every 0.2 s that it
 * still works.  After each check it writes "COUNT ok" (or "COUNT error: what") to the
 * status file, atomically, so the test reads how far it got and whether the resource
 * still works after restore, not only that restore returned 0.
 *
 *   criu-probe tcp PORT STATUS          both ends of a loopback connection, one process
 *   criu-probe tcp-server PORT STATUS   echoes one connection on 127.0.0.1:PORT
 *   criu-probe tcp-client PORT STATUS   connects to 127.0.0.1:PORT, sends and checks echoes
 *   criu-probe unix STATUS              a socketpair between a parent and its echoing child
 *   criu-probe locks FILE STATUS        flock(FILE) and a fcntl lock on FILE.posix, checked
 *                                       by a child that must find both taken
 *   criu-probe dgram-send PATH STATUS   a datagram socket connected to PATH sends the count
 *   criu-probe dgram-recv PATH STATUS   binds PATH; the status counts what arrives
 *   criu-probe mem MIB STATUS           MIB of memory with a known pattern, verified
 *   criu-probe flock-free FILE          exits 0 when FILE's flock is free, 1 when held
 *
 * Built statically by run.sh at test time (the container rootfs is busybox only). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *status_path;
static unsigned long count;

/* "COUNT ok" or "COUNT error: ..." into the status file, by rename. */
static void status(const char *fmt, ...)
{
	char tmp[4096], line[512];
	snprintf(tmp, sizeof tmp, "%s.tmp", status_path);
	int n = snprintf(line, sizeof line, "%lu ", count);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - (size_t) n, fmt, ap);
	va_end(ap);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "%s\n", line);
	fclose(f);
	rename(tmp, status_path);
}

static void tick(void)
{
	struct timespec ts = { 0, 200 * 1000 * 1000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* A failure that ends the probe's checking: the status says what, the process stays
 * (the test reads the status with exec). */
_Noreturn static void broken(const char *what)
{
	status("error: %s: %s", what, strerror(errno));
	for (;;)
		pause();
}

/* Read one '\n'-terminated line of at most n-1 bytes; up to 60 s (a restore under
 * emulation takes seconds, the peer's retransmissions back off). */
static int read_line(int fd, char *buf, size_t n)
{
	size_t len = 0;
	while (len + 1 < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, 60000);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			errno = ETIMEDOUT;
		if (r <= 0)
			return -1;
		ssize_t got = read(fd, buf + len, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got == 0)
			errno = ECONNRESET;
		if (got <= 0)
			return -1;
		if (buf[len++] == '\n')
			break;
	}
	buf[len] = '\0';
	return 0;
}

static int write_all(int fd, const char *s)
{
	size_t len = strlen(s);
	while (len > 0) {
		ssize_t w = write(fd, s, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		s += w;
		len -= (size_t) w;
	}
	return 0;
}

/* Send the count on `out`, expect it back on `in`. */
static void round_trip(int out, int in, const char *what)
{
	char msg[64], back[64];
	snprintf(msg, sizeof msg, "%lu\n", count + 1);
	if (write_all(out, msg) < 0)
		broken(what);
	if (read_line(in, back, sizeof back) < 0)
		broken(what);
	if (strcmp(msg, back) != 0) {
		errno = EPROTO;
		broken(what);
	}
}

/* Echo lines from fd back on fd. */
static void echo_line(int fd, const char *what)
{
	char line[64];
	if (read_line(fd, line, sizeof line) < 0 || write_all(fd, line) < 0)
		broken(what);
}

static struct sockaddr_in loopback(const char *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t) atoi(port)) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int tcp_listen(const char *port)
{
	struct sockaddr_in a = loopback(port);
	int one = 1;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(s, (struct sockaddr *) &a, sizeof a) < 0 || listen(s, 1) < 0)
		broken("listen on 127.0.0.1");
	return s;
}

static int tcp_connect(const char *port)
{
	struct sockaddr_in a = loopback(port);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *) &a, sizeof a) < 0)
		broken("connect to 127.0.0.1");
	return s;
}

_Noreturn static void tcp_pair(const char *port)
{
	int l = tcp_listen(port);
	int c = tcp_connect(port);
	int s = accept(l, NULL, NULL);
	if (s < 0)
		broken("accept");
	/* Only the established pair is left: restore must bring the connection itself. */
	close(l);
	for (;; tick()) {
		char line[64];
		snprintf(line, sizeof line, "%lu\n", count + 1);
		if (write_all(c, line) < 0)
			broken("tcp client send");
		echo_line(s, "tcp server echo");
		char back[64];
		if (read_line(c, back, sizeof back) < 0)
			broken("tcp client receive");
		if (strcmp(line, back) != 0) {
			errno = EPROTO;
			broken("tcp echo differs");
		}
		count++;
		status("ok");
	}
}

_Noreturn static void tcp_server(const char *port)
{
	int l = tcp_listen(port);
	status("listening");
	int s = accept(l, NULL, NULL);
	if (s < 0)
		broken("accept");
	close(l);
	for (;;) {
		echo_line(s, "tcp echo");
		count++;
		status("ok");
	}
}

_Noreturn static void tcp_client(const char *port)
{
	int c = tcp_connect(port);
	for (;; tick()) {
		round_trip(c, c, "tcp round trip");
		count++;
		status("ok");
	}
}

_Noreturn static void unix_pair(const char *unused)
{
	(void) unused;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		broken("socketpair");
	pid_t pid = fork();
	if (pid < 0)
		broken("fork");
	if (pid == 0) {
		close(sv[0]);
		for (;;) {
			char line[64];
			if (read_line(sv[1], line, sizeof line) < 0 || write_all(sv[1], line) < 0)
				_exit(1);
		}
	}
	close(sv[1]);
	for (;; tick()) {
		round_trip(sv[0], sv[0], "socketpair round trip");
		count++;
		status("ok");
	}
}

/* In a child (a process of its own, so the parent's locks conflict): 0 when both
 * locks are held by the parent. */
static int locks_held(const char *file, const char *posix, pid_t parent)
{
	int fd = open(file, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 2;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 3; /* nobody holds the flock */
	if (errno != EWOULDBLOCK)
		return 4;
	int pfd = open(posix, O_RDWR | O_CLOEXEC);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	if (pfd < 0 || fcntl(pfd, F_GETLK, &fl) < 0)
		return 5;
	if (fl.l_type != F_WRLCK)
		return 6; /* the fcntl lock is gone */
	if (fl.l_pid != parent)
		return 7;
	return 0;
}

_Noreturn static void locks(const char *file)
{
	char posix[4096];
	snprintf(posix, sizeof posix, "%s.posix", file);
	int fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	int pfd = open(posix, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	if (fd < 0 || pfd < 0)
		broken("open the lock files");
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		broken("flock");
	if (fcntl(pfd, F_SETLK, &fl) < 0)
		broken("fcntl F_SETLK");
	static const char *why[] = {
		[2] = "reopen failed",		[3] = "the flock is free",
		[4] = "flock probe failed",	[5] = "F_GETLK failed",
		[6] = "the fcntl lock is free", [7] = "the fcntl lock has another owner"
	};
	for (;; tick()) {
		pid_t self = getpid();
		pid_t pid = fork();
		if (pid < 0)
			broken("fork");
		if (pid == 0)
			_exit(locks_held(file, posix, self));
		int st = 0;
		while (waitpid(pid, &st, 0) < 0)
			if (errno != EINTR)
				broken("wait");
		int code = WIFEXITED(st) ? WEXITSTATUS(st) : 1;
		if (code != 0) {
			status("error: %s", code < 8 && why[code] ? why[code] : "check failed");
			continue;
		}
		count++;
		status("ok");
	}
}

_Noreturn static void dgram_send(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *) &a, sizeof a) < 0)
		broken("connect the datagram socket");
	for (;; tick()) {
		char msg[64];
		int n = snprintf(msg, sizeof msg, "%lu", count + 1);
		if (send(s, msg, (size_t) n, 0) != n)
			broken("send");
		count++;
		status("ok");
	}
}

_Noreturn static void dgram_recv(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
	unlink(path);
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *) &a, sizeof a) < 0)
		broken("bind the datagram socket");
	status("listening");
	for (;;) {
		char msg[64];
		ssize_t n = recv(s, msg, sizeof msg - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			broken("recv");
		count++;
		msg[n] = '\0';
		status("ok last %s", msg);
	}
}

static unsigned char pattern(size_t i) { return (unsigned char) ((i * 2654435761u) >> 13); }

_Noreturn static void mem(const char *mib)
{
	size_t len = (size_t) atoi(mib) << 20;
	unsigned char *p = malloc(len);
	if (!p)
		broken("malloc");
	for (size_t i = 0; i < len; i++)
		p[i] = pattern(i);
	for (;; tick()) {
		for (size_t i = 0; i < len; i++)
			if (p[i] != pattern(i)) {
				status("error: byte %zu of %zu differs", i, len);
				for (;;)
					pause();
			}
		count++;
		status("ok");
	}
}

/* One try at FILE's flock from outside the container. */
static int flock_free(const char *file)
{
	int fd = open(file, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror(file);
		return 2;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	return errno == EWOULDBLOCK ? 1 : 2;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "flock-free") == 0)
		return flock_free(argv[2]);
	if (argc < 3) {
		fprintf(stderr, "usage: criu-probe MODE [ARG] STATUS\n");
		return 2;
	}
	status_path = argv[argc - 1];
	static const struct {
		const char *mode;
		int argc;
		void (*run)(const char *arg);
	} modes[] = {
		{ "tcp", 4, tcp_pair },		 { "tcp-server", 4, tcp_server },
		{ "tcp-client", 4, tcp_client }, { "unix", 3, unix_pair },
		{ "locks", 4, locks },		 { "dgram-send", 4, dgram_send },
		{ "dgram-recv", 4, dgram_recv }, { "mem", 4, mem },
	};
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
		if (strcmp(argv[1], modes[i].mode) == 0 && argc == modes[i].argc)
			modes[i].run(argv[2]);
	fprintf(stderr, "criu-probe: unknown mode or arguments\n");
	return 2;
}
