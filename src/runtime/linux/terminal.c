#include "config.h"
#include "runtime/linux/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "common/scm_fd.h"
#include "common/util.h"
#include "runtime/linux/safe_path.h"

/* Bind the pty slave over /dev/console (CVE-2025-52565 class).  The source is
 * the slave fd itself, never /dev/pts/<n> by name, which a symlink could send
 * to a file the container must not write (a procfs or masked file bound on
 * /dev/console would be writable there).  The target is reached from "/"
 * without following any symlink, created if missing, and must be a file or
 * a device node outside procfs and sysfs: a symlink planted in the image or
 * swapped in while we work can neither move the mount elsewhere nor make
 * /dev/console something else. */
static int bind_console(int slave, cleat_error_t *err)
{
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return cleat_error_errno(err, errno, "open \"/\"");
	_cleanup_close_ int dev = cleat_safe_open(root, "/dev", O_PATH | O_DIRECTORY,
						  RESOLVE_NO_SYMLINKS, err);
	if (dev < 0)
		return cleat_error_wrap(err, "\"/dev/console\"");
	_cleanup_close_ int made = openat(
		dev, "console", O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (made < 0 && errno != EEXIST)
		return cleat_error_errno(err, errno, "create \"/dev/console\"");
	cleat_error_t tmp = NULL;
	_cleanup_close_ int target = cleat_safe_open(dev, "console", O_PATH, RESOLVE_NO_SYMLINKS,
						     &tmp);
	if (target < 0 && tmp->errnum == ELOOP) {
		cleat_error_free(&tmp);
		return cleat_error_errno(err, ELOOP, "\"/dev/console\" is a symlink");
	}
	if (target < 0) {
		*err = tmp;
		return -1;
	}
	struct stat st;
	struct statfs sf;
	if (fstat(target, &st) < 0 || fstatfs(target, &sf) < 0)
		return cleat_error_errno(err, errno, "stat \"/dev/console\"");
	if ((!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) || sf.f_type == PROC_SUPER_MAGIC ||
	    sf.f_type == SYSFS_MAGIC)
		return cleat_error_msg(err,
				       "\"/dev/console\" is not a file or device node of /dev");
	_cleanup_close_ int tree = open_tree(slave, "",
					     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0)
		return cleat_error_errno(err, errno, "open_tree the pty slave");
	if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return cleat_error_errno(err, errno,
					 "bind mount the pty slave on \"/dev/console\"");
	return 0;
}

int cleat_terminal_setup(const struct oci_process *p, bool bind, int *master, cleat_error_t *err)
{
	_cleanup_close_ int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return cleat_error_errno(err, errno, "open \"/dev/ptmx\"");
	int unlock = 0;
	if (ioctl(m, TIOCSPTLCK, &unlock) < 0)
		return cleat_error_errno(err, errno, "unlock pty");
	int n;
	if (ioctl(m, TIOCGPTN, &n) < 0)
		return cleat_error_errno(err, errno, "get pty number");
	_cleanup_free_ char *slave_path = xasprintf("/dev/pts/%d", n);
	/* TIOCGPTPEER opens the slave of this very master, not whatever a path resolves to. */
	_cleanup_close_ int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0)
		s = open(slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0)
		return cleat_error_errno(err, errno, "open pty slave \"%s\"", slave_path);
	/* Without TIOCGPTPEER (before Linux 4.13) the path was opened: it must
	 * still be a pty slave, not what a symlink made of it. */
	struct statfs sf;
	struct stat st;
	if (fstatfs(s, &sf) < 0 || sf.f_type != DEVPTS_SUPER_MAGIC || fstat(s, &st) < 0 ||
	    !S_ISCHR(st.st_mode))
		return cleat_error_msg(err, "pty slave \"%s\" is not on devpts", slave_path);
	if (p->has_console_size) {
		struct winsize ws = { .ws_row = (unsigned short) p->console_size.height,
				      .ws_col = (unsigned short) p->console_size.width };
		if (ioctl(s, TIOCSWINSZ, &ws) < 0)
			return cleat_error_errno(err, errno, "set console size");
	}
	if (bind && bind_console(s, err) < 0)
		return -1;
	if (setsid() < 0 && errno != EPERM)
		return cleat_error_errno(err, errno, "setsid");
	if (ioctl(s, TIOCSCTTY, 0) < 0)
		return cleat_error_errno(err, errno, "set controlling terminal");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(s, fd) < 0)
			return cleat_error_errno(err, errno, "dup2 pty slave to %d", fd);
	*master = TAKE_FD(m);
	return 0;
}

int cleat_fd_socket_connect(const char *path, const char *what, int *out, cleat_error_t *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sa.sun_path)
		return cleat_error_errno(err, ENAMETOOLONG, "%s \"%s\"", what, path);
	strcpy(sa.sun_path, path);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return cleat_error_errno(err, errno, "socket");
	if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
		return cleat_error_errno(err, errno, "connect to %s \"%s\"", what, path);
	*out = TAKE_FD(fd);
	return 0;
}

int cleat_console_socket_connect(const char *path, int *out, cleat_error_t *err)
{
	return cleat_fd_socket_connect(path, "console socket", out, err);
}

int cleat_console_send(int sock, int master, cleat_error_t *err)
{
	/* runc sends the master's file name as the payload; receivers ignore it. */
	if (cleat_fd_socket_send(sock, "/dev/ptmx", master) < 0)
		return cleat_error_errno(err, errno, "send pty master over console socket");
	return 0;
}

int cleat_fd_socket_send(int sock, const char *payload, int fd)
{
	struct iovec iov = { (void *) payload, strlen(payload) };
	union cleat_scm_fds u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	cleat_scm_fds_attach(&msg, &u, &fd, 1);
	ssize_t r;
	do
		r = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -1 : 0;
}

int cleat_pidfd_send(const char *path, pid_t pid, const char *kind, cleat_error_t *err)
{
	_cleanup_close_ int sock = -1;
	if (cleat_fd_socket_connect(path, "pidfd socket", &sock, err) < 0)
		return -1;
	_cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return cleat_error_errno(err, errno, "pidfd_open %d", (int) pid);
	if (cleat_fd_socket_send(sock, kind, pidfd) < 0)
		return cleat_error_errno(err, errno, "send pidfd over pidfd socket \"%s\"", path);
	return 0;
}

void cleat_terminal_clear_onlcr(int master)
{
	struct termios t;
	if (tcgetattr(master, &t) == 0 && (t.c_oflag & ONLCR)) {
		t.c_oflag &= ~(tcflag_t) ONLCR;
		(void) tcsetattr(master, TCSANOW, &t);
	}
}

static void copy_some(int from, int to, bool *open_)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof buf);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			*open_ = false;
		return;
	}
	(void) write_all(to, buf, (size_t) n);
}

static void resize_from_stdin(int master)
{
	struct winsize ws;
	/* A 0x0 size (no real terminal behind stdin) would only break consoleSize. */
	if (ioctl(0, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		(void) ioctl(master, TIOCSWINSZ, &ws);
}

/* Forwarded to the process, as runc's signal handler does. */
static const int forwarded[] = { SIGHUP,  SIGINT,  SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGPIPE,
				 SIGALRM, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGWINCH };

static void forwarded_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(set, forwarded[i]);
}

void cleat_terminal_block_signals(void)
{
	sigset_t set;
	forwarded_set(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

int cleat_terminal_proxy(int master, pid_t pid, int *status, cleat_error_t *err)
{
	sigset_t set, old;
	forwarded_set(&set);
	sigprocmask(SIG_BLOCK, &set, &old);
	_cleanup_close_ int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		int e = errno;
		sigprocmask(SIG_SETMASK, &old, NULL);
		return cleat_error_errno(err, e, "signalfd");
	}
	struct termios saved;
	bool raw = master >= 0 && isatty(0) && tcgetattr(0, &saved) == 0;
	if (raw) {
		struct termios t = saved;
		cfmakeraw(&t);
		tcsetattr(0, TCSANOW, &t);
		resize_from_stdin(master);
	}
	bool in_open = master >= 0, master_open = master >= 0;
	/* A SIGCHLD that came before the mask was set is gone: look once. */
	bool exited = waitpid(pid, status, WNOHANG) == pid;
	while (!exited || master_open) {
		struct pollfd pfd[3] = { { sfd, POLLIN, 0 },
					 { in_open ? 0 : -1, POLLIN, 0 },
					 { master_open ? master : -1, POLLIN, 0 } };
		/* After the exit, drain the master without blocking forever on a
		 * grandchild that keeps the slave open. */
		if (poll(pfd, 3, exited ? 100 : -1) <= 0) {
			if (exited)
				break;
			continue;
		}
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof si) == sizeof si) {
				if (si.ssi_signo == SIGCHLD)
					continue;
				if (si.ssi_signo == SIGWINCH && master >= 0)
					resize_from_stdin(master);
				else
					kill(pid, (int) si.ssi_signo);
			}
			if (!exited) {
				pid_t r = waitpid(pid, status, WNOHANG);
				if (r == pid)
					exited = true;
			}
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			copy_some(0, master, &in_open);
		}
		if (pfd[2].revents & (POLLIN | POLLHUP | POLLERR))
			copy_some(master, 1, &master_open);
	}
	if (raw)
		tcsetattr(0, TCSANOW, &saved);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return 0;
}
