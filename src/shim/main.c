/* containerd-shim-cleat-v2: `start` (bootstrap a daemon, print its address),
 * `delete` (clean up after a dead daemon), or, with no action, the daemon. */
#include "config.h"
#include "shim/bootstrap.h"
#include "shim/container.h"
#include "shim/daemon.h"
#include "shim/info.h"
#include "shim/json.h"
#include "shim/mount.h"
#include "shim/mount_idmap.h"
#include "shim/options.h"
#include "shim/runtime.h"
#include "shim/shim.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "google_types.pb-c.h"
#include "shim.pb-c.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define SHIM_NAME "containerd-shim-cleat-v2"

#ifndef PR_SCHED_CORE
#define PR_SCHED_CORE 62
#define PR_SCHED_CORE_CREATE 1
#endif
#ifndef PIDTYPE_PGID
#define PIDTYPE_PGID 2
#endif

/* Anything start prints becomes part of the address containerd dials
 * (containerd reads its stdout): log into the bundle's `log` fifo, or nowhere. */
static void log_to_fifo(bool debug)
{
	int fd = open("log", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	cleat_log_set_fd(fd, CLEAT_LOG_TEXT, debug);
}

static int bind_socket(const char *path, int *out, cleat_error_t *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sa.sun_path)
		return cleat_error_msg(err, "socket path too long: \"%s\"", path);
	strcpy(sa.sun_path, path);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return cleat_error_errno(err, errno, "socket");
	if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
		return cleat_error_errno(err, errno, "bind \"%s\"", path);
	if (listen(fd, SOMAXCONN) < 0 || chmod(path, 0600) < 0)
		return cleat_error_errno(err, errno, "listen \"%s\"", path);
	*out = TAKE_FD(fd);
	return 0;
}

static bool socket_alive(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strncpy(sa.sun_path, path, sizeof sa.sun_path - 1);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	return fd >= 0 && connect(fd, (struct sockaddr *) &sa, sizeof sa) == 0;
}

/* ./address, written the way containerd reads it: no newline, atomically. */
static int write_address(const char *address, cleat_error_t *err)
{
	unlink(".address");
	_cleanup_close_ int fd = open(".address", O_RDWR | O_CREAT | O_EXCL | O_SYNC | O_CLOEXEC,
				      0666);
	if (fd < 0)
		return cleat_error_errno(err, errno, "create .address");
	if (write_all(fd, address, strlen(address)) < 0)
		return cleat_error_errno(err, errno, "write .address");
	if (rename(".address", "address") < 0)
		return cleat_error_errno(err, errno, "rename .address");
	return 0;
}

static pid_t spawn_daemon(const struct shim_flags *f, int listener, cleat_error_t *err)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n < 0)
		return cleat_error_errno(err, errno, "readlink /proc/self/exe");
	self[n] = '\0';
	/* The daemon keeps the name containerd ran us by: it picks the default runtime. */
	char *argv[] = { program_invocation_short_name,
			 (char *) "-namespace",
			 f->ns,
			 (char *) "-id",
			 f->id,
			 (char *) "-address",
			 f->address,
			 f->debug ? (char *) "-debug" : NULL,
			 NULL };
	pid_t pid = fork();
	if (pid < 0)
		return cleat_error_errno(err, errno, "fork");
	if (pid == 0) {
		shim_child_reset();
		setpgid(0, 0);
		int nul = open("/dev/null", O_RDWR);
		if (nul < 0 || dup2(nul, 0) < 0 || dup2(nul, 1) < 0 || dup2(nul, 2) < 0)
			_exit(127);
		if (dup2(listener, 3) < 0) /* dup2 clears FD_CLOEXEC on fd 3 */
			_exit(127);
		close_fds_from(4, NULL, 0);
		execv(self, argv);
		_exit(127);
	}
	return pid;
}

static void move_to_cgroup(pid_t pid, const char *cg)
{
	char num[16];
	snprintf(num, sizeof num, "%d", pid);
	_cleanup_closedir_ DIR *d = opendir("/sys/fs/cgroup");
	struct dirent *de;
	cleat_error_t err = NULL;
	_cleanup_free_ char *v2 = xasprintf("/sys/fs/cgroup%s/cgroup.procs", cg);
	if (write_file(v2, num, strlen(num), 0, &err) == 0)
		return;
	cleat_error_free(&err);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *p = xasprintf("/sys/fs/cgroup/%s%s/cgroup.procs", de->d_name,
						   cg);
		if (access(p, W_OK) == 0 && write_file(p, num, strlen(num), 0, &err) < 0) {
			cleat_warn("shim cgroup: %s", err->msg);
			cleat_error_free(&err);
		}
	}
}

/* The runtime options containerd handed to start; only shim_cgroup matters here. */
static void apply_start_options(pid_t daemon, const struct shim_start_input *in)
{
	if (!in->opts_type_url)
		return;
	struct shim_options o = { 0 };
	shim_options_from_any(in->opts_type_url, in->opts_value, in->opts_len, &o);
	if (o.shim_cgroup)
		move_to_cgroup(daemon, o.shim_cgroup);
	shim_options_clear(&o);
}

/* stdin: containerd 2.x's BootstrapParams, or 1.6/1.7's options Any, or nothing. */
static void read_start_input(const struct shim_flags *f, struct shim_start_input *in)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	cleat_error_t err = NULL;
	*in = (struct shim_start_input){ 0 };
	if (read_all_fd(0, "stdin", &buf, &len, &err) < 0) {
		cleat_error_free(&err);
		return;
	}
	shim_start_input_parse((uint8_t *) buf, len, f->id, f->ns, in);
}

/* The answer on stdout: the bare address for containerd 1.6/1.7, a
 * BootstrapResult (task API v3) for a containerd that sent BootstrapParams. */
static void print_address(const struct shim_start_input *in, const char *address)
{
	if (!in->bootstrap) {
		fputs(address, stdout);
		return;
	}
	size_t len = 0;
	_cleanup_free_ uint8_t *msg = shim_bootstrap_result(address, &len);
	fwrite(msg, 1, len, stdout);
}

static void set_oom_score(pid_t daemon)
{
	char path[64], buf[32] = "";
	snprintf(path, sizeof path, "/proc/%d/oom_score_adj", getppid());
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, buf, sizeof buf - 1) <= 0)
		return;
	long v = strtol(buf, NULL, 10) + 1;
	if (v > 1000)
		v = 1000;
	snprintf(path, sizeof path, "/proc/%d/oom_score_adj", daemon);
	snprintf(buf, sizeof buf, "%ld", v);
	cleat_error_t err = NULL;
	/* Lowering below our own value needs CAP_SYS_RESOURCE: not fatal. */
	if (write_file(path, buf, strlen(buf), 0, &err) < 0) {
		cleat_warn("set oom_score_adj of shim %d: %s", daemon, err->msg);
		cleat_error_free(&err);
	}
}

static int cmd_start(const struct shim_flags *f, cleat_error_t *err)
{
	log_to_fifo(f->debug);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	_cleanup_free_ char *config = NULL;
	if (read_file("config.json", &config, NULL, err) < 0)
		return -1;
	__attribute__((cleanup(shim_start_input_clear))) struct shim_start_input in = { 0 };
	read_start_input(f, &in);
	const char *dir = in.socket_dir ? in.socket_dir : SHIM_SOCKET_DIR;
	_cleanup_free_ char *group = shim_group_key(config, f->id);
	_cleanup_free_ char *path = shim_socket_path(dir, f->address, f->ns, group);
	_cleanup_free_ char *address = xasprintf("unix://%s", path);
	if (mkdir_p(dir, 0711, err) < 0)
		return -1;
	_cleanup_close_ int listener = -1;
	if (bind_socket(path, &listener, err) < 0) {
		if ((*err)->errnum != EADDRINUSE)
			return -1;
		cleat_error_free(err);
		/* A live shim of the same group serves this container too. */
		if (socket_alive(path)) {
			if (write_address(address, err) < 0)
				return -1;
			print_address(&in, address);
			return 0;
		}
		unlink(path);
		if (bind_socket(path, &listener, err) < 0)
			return -1;
	}
	if (write_address(address, err) < 0)
		goto fail;
	/* containerd's sched_core option: one core-scheduling cookie for the shim's
	 * process group, inherited by the daemon and the containers it starts. */
	if (getenv("SCHED_CORE") &&
	    prctl(PR_SCHED_CORE, PR_SCHED_CORE_CREATE, 0, PIDTYPE_PGID, 0) < 0)
		cleat_warn("prctl(PR_SCHED_CORE): %s", strerror(errno));
	pid_t pid = spawn_daemon(f, listener, err);
	if (pid < 0)
		goto fail;
	apply_start_options(pid, &in);
	set_oom_score(pid);
	print_address(&in, address);
	return 0;
fail:
	unlink(path);
	return -1;
}

static void read_delete_options(const char *bundle, struct runtime_opts *o, const char *ns)
{
	_cleanup_free_ char *opath = xasprintf("%s/options.json", bundle);
	_cleanup_free_ char *json = NULL;
	cleat_error_t err = NULL;
	_cleanup_free_ char *bin = NULL, *root = NULL;
	if (read_file(opath, &json, NULL, &err) == 0) {
		bin = json_string_dup(json_get(json, "binary_name"));
		root = json_string_dup(json_get(json, "root"));
		o->systemd_cgroup = json_is_true(json_get(json, "systemd_cgroup"));
	}
	cleat_error_free(&err);
	o->binary = runtime_resolve_binary(container_runtime_name(bin));
	o->root = xasprintf("%s/%s", root && *root ? root : SHIM_DEFAULT_RUNTIME_ROOT, ns);
}

/* A shim killed with SIGKILL leaves its socket behind: remove it once nobody
 * listens (a grouped shim still serving other containers keeps it). */
static void remove_dead_socket(const char *bundle)
{
	_cleanup_free_ char *apath = xasprintf("%s/address", bundle);
	_cleanup_free_ char *addr = NULL;
	cleat_error_t err = NULL;
	if (read_file(apath, &addr, NULL, &err) < 0) {
		cleat_error_free(&err);
		return;
	}
	if (!str_has_prefix(addr, "unix://"))
		return;
	const char *path = addr + strlen("unix://");
	/* Only a dead socket: the directory is containerd's socket_dir (2.x), or ours. */
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && !socket_alive(path))
		unlink(path);
}

/* runc, crun and cleat keep a container's state in <root>/<id>: without it the runtime
 * knows no such container and `delete --force` has nothing to do. containerd runs this
 * subcommand after every shim disconnect, also after a clean Delete (each `docker run
 * --rm`), where the daemon's `delete` removed that state already: no runtime exec then. */
static bool runtime_knows(const struct runtime_opts *o, const char *id)
{
	if (!*id)
		return true;
	_cleanup_free_ char *state = xasprintf("%s/%s", o->root, id);
	struct stat st;
	return lstat(state, &st) == 0 || errno != ENOENT;
}

static void runtime_delete_force(const struct runtime_opts *o, const char *bundle, const char *id)
{
	cleat_error_t err = NULL;
	_cleanup_free_ char *log = xasprintf("%s/log.json", bundle);
	const char *args[] = { "delete", "--force", id, NULL };
	_cleanup_strv_ char **argv = runtime_argv(o, log, args);
	struct runtime_result res;
	/* Best effort: the container is usually gone already. */
	if (runtime_run_sync(argv, log, &res, &err) < 0) {
		cleat_warn("%s", err->msg);
		cleat_error_free(&err);
		return;
	}
	if (res.status != 0) {
		_cleanup_free_ char *msg = runtime_result_message(&res, "runtime delete --force");
		cleat_warn("%s %s: %s", o->binary, id, msg);
	}
	runtime_result_clear(&res);
}

static int cmd_delete(const struct shim_flags *f, cleat_error_t *err)
{
	_cleanup_free_ char *bundle = NULL;
	if (f->bundle && *f->bundle) {
		bundle = xstrdup(f->bundle);
	} else {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof cwd))
			return cleat_error_errno(err, errno, "getcwd");
		char *slash = strrchr(cwd, '/');
		if (slash)
			*slash = '\0';
		bundle = xasprintf("%s/%s", cwd, f->id);
	}
	struct runtime_opts o = { 0 };
	read_delete_options(bundle, &o, f->ns);
	if (runtime_knows(&o, f->id))
		runtime_delete_force(&o, bundle, f->id);
	runtime_opts_clear(&o);
	_cleanup_free_ char *rootfs = xasprintf("%s/rootfs", bundle);
	if (unmount_all(rootfs, err) < 0) {
		cleat_warn("%s", (*err)->msg);
		cleat_error_free(err);
	}
	idmap_sweep(bundle);
	remove_dead_socket(bundle);
	_cleanup_free_ char *pidfile = xasprintf("%s/init.pid", bundle);
	_cleanup_free_ char *pidtxt = NULL;
	long long pid = 0;
	if (read_file(pidfile, &pidtxt, NULL, err) == 0) {
		pidtxt[strcspn(pidtxt, "\n ")] = '\0';
		if (parse_int(pidtxt, 0, INT32_MAX, &pid) < 0)
			pid = 0;
	}
	cleat_error_free(err);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	ts.seconds = now.tv_sec;
	ts.nanos = (int32_t) now.tv_nsec;
	Containerd__Task__V2__DeleteResponse r = CONTAINERD__TASK__V2__DELETE_RESPONSE__INIT;
	r.pid = (uint32_t) pid;
	r.exit_status = 128 + SIGKILL;
	r.exited_at = &ts;
	uint8_t buf[64];
	size_t n = containerd__task__v2__delete_response__pack(&r, buf);
	if (write_all(1, buf, n) < 0)
		return cleat_error_errno(err, errno, "write DeleteResponse");
	return 0;
}

int main(int argc, char **argv)
{
	cleat_error_t err = NULL;
	struct shim_flags f;
	if (shim_flags_parse(argc, argv, &f, &err) < 0) {
		fprintf(stderr, "%s: %s\n", SHIM_NAME, err->msg);
		return 2;
	}
	if (f.version) {
		printf("%s:\n  Version:  %s\n", SHIM_NAME, PACKAGE_VERSION);
		return 0;
	}
	/* containerd 2.x runs `-info` with no other flag. */
	if (f.info) {
		int r = shim_info("io.containerd.cleat.v2", &err);
		if (r < 0) {
			fprintf(stderr, "%s: %s\n", SHIM_NAME, err->msg);
			cleat_error_free(&err);
		}
		shim_flags_clear(&f);
		return r < 0 ? 1 : 0;
	}
	if (!f.ns || !*f.ns) {
		fprintf(stderr, "%s: shim namespace cannot be empty\n", SHIM_NAME);
		return 1;
	}
	if (!f.id)
		f.id = xstrdup("");
	if (!f.address)
		f.address = xstrdup("/run/containerd/containerd.sock");
	int ret;
	if (f.action && strcmp(f.action, "start") == 0)
		ret = cmd_start(&f, &err);
	else if (f.action && strcmp(f.action, "delete") == 0)
		ret = cmd_delete(&f, &err);
	else if (f.action)
		ret = cleat_error_msg(&err, "unknown action \"%s\"", f.action);
	else
		ret = shim_daemon(&f, &err);
	if (ret < 0) {
		_cleanup_free_ char *msg = cleat_error_string(err);
		fprintf(stderr, "%s\n", msg);
		cleat_error_free(&err);
		shim_flags_clear(&f);
		return 1;
	}
	shim_flags_clear(&f);
	return 0;
}
