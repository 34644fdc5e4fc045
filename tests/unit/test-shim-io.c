/* Shim stdio URIs and a binary:// logger's readiness on the loop, rootfs mount
 * options, cgroup paths from /proc/PID/cgroup, the container spec's pid namespace. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "shim/container.h"
#include "shim/metrics.h"
#include "shim/mount.h"
#include "shim/mount_idmap.h"
#include "shim/options.h"
#include "shim/shim.h"
#include "runc_options.pb-c.h"
#include "runtimeoptions.pb-c.h"
#include "shim/stdio.h"
#include "test-shim-tap.h"

static void test_uris(void)
{
	struct stdio_uri u;
	cleat_error_t err = NULL;
	OK(stdio_parse_uri("", &u, &err) == 0 && u.kind == STDIO_NONE, "empty: no stream");
	OK(stdio_parse_uri("/run/containerd/fifo/1/c-stdout", &u, &err) == 0 &&
		   u.kind == STDIO_FIFO,
	   "plain path: fifo");
	STREQ(u.path, "/run/containerd/fifo/1/c-stdout", "fifo path");
	stdio_uri_clear(&u);
	OK(stdio_parse_uri("fifo:///x/y", &u, &err) == 0 && u.kind == STDIO_FIFO, "fifo://");
	STREQ(u.path, "/x/y", "fifo:// path");
	stdio_uri_clear(&u);
	OK(stdio_parse_uri("file:///var/log/c%20one.log", &u, &err) == 0 && u.kind == STDIO_FILE,
	   "file://");
	STREQ(u.path, "/var/log/c one.log", "file:// path is percent-decoded");
	stdio_uri_clear(&u);
	OK(stdio_parse_uri("binary:///usr/bin/logger?id=abc&tag=a%2Bb&empty=", &u, &err) == 0 &&
		   u.kind == STDIO_BINARY,
	   "binary://");
	STREQ(u.path, "/usr/bin/logger", "binary path");
	OK(strv_length(u.args) == 5, "query words (an empty value adds none)");
	STREQ(u.args[0], "id", "key");
	STREQ(u.args[1], "abc", "value");
	STREQ(u.args[3], "a+b", "percent-decoded value");
	STREQ(u.args[4], "empty", "key with empty value");
	stdio_uri_clear(&u);
	OK(stdio_parse_uri("file://relative", &u, &err) < 0, "file:// needs an absolute path");
	cleat_error_free(&err);
	OK(stdio_parse_uri("tcp://1.2.3.4:5", &u, &err) < 0 && strstr(err->msg, "not implemented"),
	   "unknown scheme is unimplemented");
	cleat_error_free(&err);
}

static void test_mount_options(void)
{
	unsigned long flags;
	char *data;
	bool loop;
	char *o1[] = { "index=off", "workdir=/w", "upperdir=/u", "lowerdir=/l1:/l2" };
	mount_parse_options(o1, 4, &flags, &data, &loop);
	OK(flags == 0 && !loop, "overlay: no flags");
	STREQ(data, "index=off,workdir=/w,upperdir=/u,lowerdir=/l1:/l2",
	      "overlay data kept in order");
	free(data);
	char *o2[] = { "rbind", "ro", "nosuid", "nodev" };
	mount_parse_options(o2, 4, &flags, &data, &loop);
	OK(flags == (MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID | MS_NODEV),
	   "rbind,ro,nosuid,nodev flags");
	STREQ(data, "", "no data");
	free(data);
	char *o3[] = { "ro", "rw", "suid", "nosuid", "loop" };
	mount_parse_options(o3, 5, &flags, &data, &loop);
	OK(flags == MS_NOSUID && loop, "later words override; loop noticed");
	free(data);
	/* Words only the runtime knows are fs data to containerd, so to the shim too. */
	char *o4[] = { "ro", "lazytime", "nosymfollow" };
	mount_parse_options(o4, 3, &flags, &data, &loop);
	OK(flags == MS_RDONLY, "runtime-only words set no flag");
	STREQ(data, "lazytime,nosymfollow", "runtime-only words stay fs data, as in containerd");
	free(data);
}

static void test_overlay_compact(void)
{
	char *dir;
	char *d = overlay_compact_lowerdir(
		"index=off,workdir=/s/9/work,upperdir=/s/9/fs,"
		"lowerdir=/var/lib/c/snapshots/3/fs:/var/lib/c/snapshots/12/fs",
		&dir);
	STREQ(d, "index=off,workdir=/s/9/work,upperdir=/s/9/fs,lowerdir=3/fs:12/fs",
	      "lowerdirs relative to their common parent");
	STREQ(dir, "/var/lib/c/snapshots/", "common parent");
	free(d);
	free(dir);
	d = overlay_compact_lowerdir("lowerdir=/a/x/fs,upperdir=/u", &dir);
	STREQ(d, "lowerdir=fs,upperdir=/u", "one layer, options after it kept");
	free(d);
	free(dir);
	OK(overlay_compact_lowerdir("upperdir=/u", &dir) == NULL && !dir,
	   "no lowerdir: nothing to do");
	OK(overlay_compact_lowerdir("lowerdir=/a/fs:/b/fs", &dir) == NULL,
	   "only / in common: nothing to do");
	OK(overlay_compact_lowerdir("xlowerdir=/a/b/c", &dir) == NULL, "not a lowerdir option");
}

/* idmap_take_options: a uidmap=/gidmap= pair, or a refusal naming the option. */
static int take_idmap(char **opts, size_t n, size_t *n_rest, char **msg)
{
	struct shim_idmap idm = SHIM_IDMAP_INIT;
	cleat_error_t err = NULL;
	char **rest = NULL;
	int r = idmap_take_options(opts, n, &rest, n_rest, &idm, &err);
	*msg = err ? xstrdup(err->msg) : NULL;
	cleat_error_free(&err);
	idmap_release(&idm);
	free(rest);
	return r;
}

static void test_idmap_options(void)
{
	size_t n;
	char *msg;
	char *none[] = { "ro", "lowerdir=/a/b" };
	OK(take_idmap(none, 2, &n, &msg) == 0 && n == 2 && !msg, "no maps: options untouched");
	const char *bad[] = { "uidmap=0:1000",	       "uidmap=0:1000:0",	"uidmap=a:1:1",
			      "uidmap=0:1:1,",	       "uidmap=-1:1:1",		"uidmap=0:1:1:1",
			      "uidmap=0:4294967295:2", "uidmap=0:99999999999:1" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *o[] = { (char *) bad[i], "gidmap=0:1000:1" };
		int r = take_idmap(o, 2, &n, &msg);
		OK(r < 0 && msg && strstr(msg, bad[i]) && strstr(msg, "containerID:hostID:size"),
		   "malformed map refused naming it");
		free(msg);
	}
	char *one[] = { "gidmap=0:1000:65536" };
	OK(take_idmap(one, 1, &n, &msg) < 0 && msg && strstr(msg, "\"gidmap\" needs \"uidmap\""),
	   "gidmap alone refused");
	free(msg);
	char *twice[] = { "uidmap=0:1:1", "uidmap=0:1:1", "gidmap=0:1:1" };
	OK(take_idmap(twice, 3, &n, &msg) < 0 && msg && strstr(msg, "given twice"),
	   "uidmap twice refused");
	free(msg);
	if (geteuid() != 0) {
		printf("ok %d # SKIP a user namespace with maps needs root\n", ++tap_n);
		return;
	}
	char *both[] = { "ro", "uidmap=0:100000:1000,1000:200000:64536", "gidmap=0:100000:65536",
			 "lowerdir=/a/b" };
	OK(take_idmap(both, 4, &n, &msg) == 1 && n == 2 && !msg, "both maps taken out");
	free(msg);
}

/* uid:gid of path as the host sees it, or "-" when it cannot be stat'ed. */
static char *owner_of(const char *dir, const char *name)
{
	struct stat st;
	char *p = xasprintf("%s/%s", dir, name);
	char *o = stat(p, &st) == 0 ? xasprintf("%u:%u", st.st_uid, st.st_gid) : xstrdup("-");
	free(p);
	return o;
}

static bool mountinfo_has(const char *what)
{
	char *text = NULL;
	cleat_error_t err = NULL;
	bool has = read_file("/proc/self/mountinfo", &text, NULL, &err) == 0 && strstr(text, what);
	cleat_error_free(&err);
	free(text);
	return has;
}

/* Needs root: a bind and an overlay rootfs with uidmap=/gidmap=, files owned by 0 on disk
 * seen as the mapped host id, the temporary idmapped clone gone once mounted. */
static void test_idmap_mounts(void)
{
	if (geteuid() != 0) {
		printf("ok %d # SKIP idmapped mounts need root\n", ++tap_n);
		return;
	}
	char base[] = "/tmp/test-shim-idmap-XXXXXX";
	OK(mkdtemp(base) != NULL, "temp dir");
	cleat_error_t err = NULL;
	char *lower = xasprintf("%s/snapshots/1/fs", base), *up = xasprintf("%s/up", base),
	     *work = xasprintf("%s/work", base), *bundle = xasprintf("%s/bundle", base),
	     *target = xasprintf("%s/bundle/rootfs", base), *file = xasprintf("%s/f", lower);
	mkdir_p(lower, 0755, &err);
	mkdir_p(up, 0755, &err);
	mkdir_p(work, 0755, &err);
	mkdir_p(target, 0755, &err);
	write_file(file, "x", 1, 0644, &err);
	OK(err == NULL, "layout");
	cleat_error_free(&err);

	char *b_opts[] = { "rbind", "uidmap=0:400000:65536", "gidmap=0:500000:65536" };
	struct shim_mount b = {
		.type = "bind", .source = lower, .options = b_opts, .n_options = 3
	};
	int r = mount_rootfs(&b, 1, target, &err);
	if (r < 0 && err && (err->errnum == EINVAL || err->errnum == EPERM)) {
		printf("ok %d # SKIP no idmapped mounts here: %s\n", ++tap_n, err->msg);
		cleat_error_free(&err);
		rm_rf(base, &err);
		cleat_error_free(&err);
		free(lower), free(up), free(work), free(bundle), free(target), free(file);
		return;
	}
	OK(r == 0, "idmapped bind mounts: %s", err ? err->msg : "ok");
	cleat_error_free(&err);
	char *o = owner_of(target, "f");
	STREQ(o, "400000:500000", "bind: root's file seen as the mapped ids");
	free(o);
	OK(unmount_all(target, &err) == 0 && !mountinfo_has(target), "bind: nothing left mounted");
	cleat_error_free(&err);

	char *o_lower = xasprintf("lowerdir=%s", lower), *o_up = xasprintf("upperdir=%s", up),
	     *o_work = xasprintf("workdir=%s", work);
	char *v_opts[] = {
		"index=off", o_work, o_up, o_lower, "uidmap=0:400000:65536", "gidmap=0:500000:65536"
	};
	struct shim_mount v = {
		.type = "overlay", .source = "overlay", .options = v_opts, .n_options = 6
	};
	r = mount_rootfs(&v, 1, target, &err);
	OK(r == 0, "overlay on idmapped lower dirs mounts: %s", err ? err->msg : "ok");
	cleat_error_free(&err);
	o = owner_of(target, "f");
	STREQ(o, "400000:500000", "overlay: the lower layer's file seen as the mapped ids");
	free(o);
	/* A mount point field starts after a space; overlay's lowerdir= names the clone too. */
	char *clone = xasprintf(" %s/.ovl-idmapped", bundle);
	OK(mountinfo_has(" overlay ") && !mountinfo_has(clone),
	   "overlay: the idmapped clone is detached once mounted");
	free(clone);
	DIR *d = opendir(bundle);
	int entries = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		entries += e->d_name[0] != '.' || strncmp(e->d_name, ".ovl", 4) == 0;
	if (d)
		closedir(d);
	OK(entries == 1, "overlay: only rootfs left in the bundle (%d entries)", entries);
	OK(unmount_all(target, &err) == 0 && !mountinfo_has(target),
	   "overlay: nothing left mounted");
	cleat_error_free(&err);
	rm_rf(base, &err);
	cleat_error_free(&err);
	free(o_lower), free(o_up), free(o_work);
	free(lower), free(up), free(work), free(bundle), free(target), free(file);
}

/* Needs root (mount): an overlay whose lowerdir list is longer than a page. */
static void test_overlay_many_layers(void)
{
	if (geteuid() != 0) {
		printf("ok %d # SKIP overlay mount needs root\n", ++tap_n);
		return;
	}
	char base[] = "/tmp/test-shim-overlay-XXXXXX";
	OK(mkdtemp(base) != NULL, "temp dir");
	size_t cap = 16384, n = 0;
	char *lower = xmalloc(cap);
	lower[0] = '\0';
	cleat_error_t err = NULL;
	for (int i = 0; i < 80; i++) {
		char *d = xasprintf("%s/io.containerd.snapshotter.v1.overlayfs/snapshots/%d/fs",
				    base, 1000 + i);
		mkdir_p(d, 0755, &err);
		if (i == 79) {
			char *f = xasprintf("%s/bottom", d);
			write_file(f, "x", 1, 0644, &err);
			free(f);
		}
		n += (size_t) snprintf(lower + n, cap - n, "%s%s", i ? ":" : "", d);
		free(d);
	}
	char *up = xasprintf("%s/up", base), *work = xasprintf("%s/work", base),
	     *target = xasprintf("%s/rootfs", base);
	mkdir_p(up, 0755, &err);
	mkdir_p(work, 0755, &err);
	mkdir_p(target, 0755, &err);
	char *o_lower = xasprintf("lowerdir=%s", lower), *o_up = xasprintf("upperdir=%s", up),
	     *o_work = xasprintf("workdir=%s", work);
	char *opts[] = { "index=off", o_work, o_up, o_lower };
	struct shim_mount m = {
		.type = "overlay", .source = "overlay", .options = opts, .n_options = 4
	};
	OK(strlen(o_lower) > 4096, "lowerdir list is longer than a page (%zu bytes)",
	   strlen(o_lower));
	int r = mount_rootfs(&m, 1, target, &err);
	OK(r == 0, "overlay with a compacted lowerdir mounts: %s", err ? err->msg : "ok");
	cleat_error_free(&err);
	char *probe = xasprintf("%s/bottom", target);
	OK(r == 0 && access(probe, F_OK) == 0, "the lowest layer is visible");
	OK(unmount_all(target, &err) == 0 && access(probe, F_OK) != 0, "unmounted");
	cleat_error_free(&err);
	rm_rf(base, &err);
	cleat_error_free(&err);
	free(probe), free(o_lower), free(o_up), free(o_work), free(up), free(work), free(target),
		free(lower);
}

static void test_cgroup_paths(void)
{
	const char *v1 = "13:misc:/\n12:pids:/default/c1\n11:memory:/default/c1\n"
			 "4:cpu,cpuacct:/default/c1\n1:name=systemd:/x\n0::/default/c1\n";
	char *p = cgroup_dir_from(v1, "memory", false);
	STREQ(p, "/sys/fs/cgroup/memory/default/c1", "v1 memory dir");
	free(p);
	p = cgroup_dir_from(v1, "cpuacct", false);
	STREQ(p, "/sys/fs/cgroup/cpu,cpuacct/default/c1", "co-mounted controllers");
	free(p);
	p = cgroup_dir_from(v1, NULL, false);
	STREQ(p, "/sys/fs/cgroup/unified/default/c1", "hybrid: v2 dir under unified/");
	free(p);
	p = cgroup_dir_from("0::/kubepods/pod1/c1\n", NULL, true);
	STREQ(p, "/sys/fs/cgroup/kubepods/pod1/c1", "unified v2 dir");
	free(p);
	OK(cgroup_dir_from(v1, "blkio", false) == NULL, "absent controller");
	OK(cgroup_dir_from(v1, "cpu,", false) == NULL, "no partial controller match");
}

static void test_pidns(void)
{
	OK(container_spec_private_pidns(
		   "{\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"pid\"}]}}"),
	   "pid namespace entry without path: private");
	OK(!container_spec_private_pidns(
		   "{\"linux\":{\"namespaces\":[{\"type\":\"pid\",\"path\":\"/proc/1/ns/pid\"}]}}"),
	   "joining a pid namespace is not private");
	OK(!container_spec_private_pidns("{\"linux\":{\"namespaces\":[{\"type\":\"network\"}]}}"),
	   "no pid namespace: host's");
	OK(!container_spec_private_pidns("{}"), "no linux section");
}

static void test_options(void)
{
	struct shim_options o = { 0 };
	shim_options_from_toml(
		"# CRI runtime options\n[options]\n  BinaryName = \"/usr/bin/crun\"\n"
		"Root=\"/run/crun\"  # comment\nSystemdCgroup = true\nIoUid = 1000\n"
		"NoPivotRoot = false\n",
		&o);
	STREQ(o.binary_name, "/usr/bin/crun", "TOML BinaryName");
	STREQ(o.root, "/run/crun", "TOML Root (comment ignored)");
	OK(o.systemd_cgroup && !o.no_pivot_root && o.io_uid == 1000, "TOML booleans and integers");
	shim_options_clear(&o);
	/* ids that do not fit runc's uint32 are not wrapped into another id (4294967296 would
	 * be root); 4294967295 is kept: fchown reads it as "unchanged", as containerd's does */
	shim_options_from_toml("IoUid = 4294967296\nIoGid = -1\n", &o);
	OK(o.io_uid == 0 && o.io_gid == 0, "TOML IoUid/IoGid out of uint32: ignored, not wrapped");
	shim_options_from_toml("IoUid = 1.5\nIoGid = \"7x\"\n", &o);
	OK(o.io_uid == 0 && o.io_gid == 0, "TOML IoUid/IoGid not integers: ignored");
	shim_options_from_toml("IoUid = 4294967295\nIoGid = 1000\n", &o);
	OK(o.io_uid == UINT32_MAX && o.io_gid == 1000, "TOML IoUid 4294967295 kept as uint32");
	shim_options_clear(&o);

	Containerd__Runc__V1__Options r = CONTAINERD__RUNC__V1__OPTIONS__INIT;
	r.binary_name = "runc";
	r.shim_cgroup = "/shims";
	r.no_new_keyring = 1;
	r.io_gid = 7;
	uint8_t buf[128];
	size_t n = containerd__runc__v1__options__pack(&r, buf);
	shim_options_from_any("containerd.runc.v1.Options", buf, n, &o);
	STREQ(o.binary_name, "runc", "runc Options: binary_name");
	STREQ(o.shim_cgroup, "/shims", "runc Options: shim_cgroup");
	OK(o.no_new_keyring && o.io_gid == 7 && !o.root,
	   "runc Options: flags, empty root stays unset");
	shim_options_clear(&o);
	shim_options_from_any("containerd.runc.v1.Options", NULL, 0, &o);
	OK(!o.binary_name && !o.systemd_cgroup, "empty value (as ctr sends): defaults");
	shim_options_clear(&o);

	char path[] = "/tmp/test-shim-options-XXXXXX";
	int fd = mkstemp(path);
	const char *toml = "BinaryName = \"cleat\"\n";
	OK(fd >= 0 && write(fd, toml, strlen(toml)) == (ssize_t) strlen(toml), "write config file");
	close(fd);
	Runtimeoptions__V1__Options ro = RUNTIMEOPTIONS__V1__OPTIONS__INIT;
	ro.config_path = path;
	n = runtimeoptions__v1__options__pack(&ro, buf);
	shim_options_from_any("runtimeoptions.v1.Options", buf, n, &o);
	STREQ(o.binary_name, "cleat", "CRI runtimeoptions: config_path file is read");
	shim_options_clear(&o);
	unlink(path);
	shim_options_from_any("something.Else", buf, n, &o);
	OK(!o.binary_name, "unknown type: nothing");
}

struct ready_seen {
	struct loop *loop;
	int calls;
	bool failed;
};

static void on_ready(void *data, cleat_error_t err)
{
	struct ready_seen *r = data;
	r->calls++;
	r->failed = err != NULL;
	loop_quit(r->loop);
}

static void on_quit(struct loop *l, struct loop_source *src, void *data)
{
	*(struct loop_source **) data = NULL; /* freed after this returns */
	loop_quit(l);
}

static long ms_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Run the loop until on_ready or ms have passed. */
static void run_for(struct loop *l, uint64_t ms)
{
	cleat_error_t err = NULL;
	struct loop_source *t = NULL;
	t = loop_add_timer(l, ms, on_quit, &t, &err);
	loop_run(l, &err);
	if (t)
		loop_remove(l, t);
	cleat_error_free(&err);
}

static void test_logger_ready(void)
{
	cleat_error_t err = NULL;
	char dir[] = "/tmp/test-shim-io-XXXXXX";
	if (!mkdtemp(dir)) {
		OK(false, "mkdtemp");
		return;
	}
	_cleanup_free_ char *logger = xasprintf("%s/logger", dir);
	_cleanup_free_ char *uri = xasprintf("binary://%s", logger);
	const char *script = "#!/bin/sh\nsleep 2\nexec 5>&-\nexec cat <&3 >/dev/null\n";
	OK(write_file_at(AT_FDCWD, logger, script, strlen(script), 0755, &err) == 0,
	   "write logger script");
	struct shim s = { 0 };
	OK(loop_new(&s.loop, &err) == 0, "loop");
	struct ready_seen r = { .loop = s.loop };
	struct stdio_cfg cfg = { .out = uri, .err = uri, .id = "c", .ns = "n" };

	/* Ready 2 s after it started (a margin for a loaded machine): the callback comes
	 * from the loop, then. */
	struct stdio *io = NULL;
	long t0 = ms_now();
	OK(stdio_prepare(&s, &cfg, &io, &err) == 0, "prepare with a binary:// logger");
	stdio_when_ready(io, on_ready, &r);
	OK(r.calls == 0 && ms_now() - t0 < 1500, "the logger is not waited for in place");
	run_for(s.loop, 5000);
	OK(r.calls == 1 && !r.failed && ms_now() - t0 >= 1500,
	   "ready once the logger closed fd 5 (%d calls, %ld ms)", r.calls, ms_now() - t0);
	stdio_free(io);
	run_for(s.loop, 1000); /* the SIGTERMed logger exits and is forgotten */

	/* Freed while the logger starts: no callback. */
	r.calls = 0;
	io = NULL;
	OK(stdio_prepare(&s, &cfg, &io, &err) == 0, "prepare again");
	stdio_when_ready(io, on_ready, &r);
	stdio_free(io);
	run_for(s.loop, 1000);
	OK(r.calls == 0, "no callback after stdio_free");

	/* Nothing to wait for: at once. */
	struct stdio_cfg none = { .id = "c", .ns = "n" };
	io = NULL;
	OK(stdio_prepare(&s, &none, &io, &err) == 0, "prepare without output");
	stdio_when_ready(io, on_ready, &r);
	OK(r.calls == 1 && !r.failed, "ready at once without a logger");
	stdio_free(io);

	cleat_error_free(&err);
	loop_free(s.loop);
	/* The loggers got SIGTERM from stdio_free. */
	while (waitpid(-1, NULL, 0) > 0)
		;
	unlink(logger);
	rmdir(dir);
}

int main(void)
{
	test_options();
	test_uris();
	test_logger_ready();
	test_mount_options();
	test_overlay_compact();
	test_idmap_options();
	test_idmap_mounts();
	test_overlay_many_layers();
	test_cgroup_paths();
	test_pidns();
	return tap_done();
}
