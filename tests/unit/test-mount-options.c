/* Mount option table parsing, path splitting and in-root resolution. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "oci-spec/config.h"
#include "runtime/linux/mount_options.h"
#include "runtime/linux/procfs.h"
#include "runtime/linux/rootfs.h"
#include "runtime/linux/rootfs_internal.h"
#include "runtime/linux/safe_path.h"

static int tap_n, tap_failed;

#define ok(cond, ...)                                                            \
	do {                                                                     \
		int ok_ = !!(cond);                                              \
		printf("%sok %d - ", ok_ ? "" : "not ", ++tap_n);                \
		printf(__VA_ARGS__);                                             \
		printf("\n");                                                    \
		if (!ok_) {                                                      \
			tap_failed++;                                            \
			printf("#   at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                \
	} while (0)

static struct cleat_mount_flags parse(const char *csv)
{
	char *copy = xstrdup(csv), *save = NULL, *v[64];
	size_t n = 0;
	for (char *w = strtok_r(copy, ",", &save); w && n < 64; w = strtok_r(NULL, ",", &save))
		v[n++] = w;
	struct cleat_mount_flags f;
	cleat_error_t err = NULL;
	if (cleat_mount_options_parse(v, n, &f, &err) < 0) {
		printf("# parse failed\n");
		cleat_error_free(&err);
		memset(&f, 0, sizeof(f));
	}
	free(copy);
	return f;
}

static void test_flags(void)
{
	static const struct {
		const char *opt;
		unsigned long set;
		unsigned long cleared;
	} cases[] = {
		{ "bind", MS_BIND, 0 },
		{ "rbind", MS_BIND | MS_REC, 0 },
		{ "ro", MS_RDONLY, 0 },
		{ "rw", 0, MS_RDONLY },
		{ "nosuid", MS_NOSUID, 0 },
		{ "suid", 0, MS_NOSUID },
		{ "nodev", MS_NODEV, 0 },
		{ "dev", 0, MS_NODEV },
		{ "noexec", MS_NOEXEC, 0 },
		{ "exec", 0, MS_NOEXEC },
		{ "sync", MS_SYNCHRONOUS, 0 },
		{ "async", 0, MS_SYNCHRONOUS },
		{ "dirsync", MS_DIRSYNC, 0 },
		{ "remount", MS_REMOUNT, 0 },
		{ "mand", MS_MANDLOCK, 0 },
		{ "nomand", 0, MS_MANDLOCK },
		{ "noatime", MS_NOATIME, 0 },
		{ "atime", 0, MS_NOATIME },
		{ "nodiratime", MS_NODIRATIME, 0 },
		{ "diratime", 0, MS_NODIRATIME },
		{ "relatime", MS_RELATIME, 0 },
		{ "norelatime", 0, MS_RELATIME },
		{ "strictatime", MS_STRICTATIME, 0 },
		{ "nostrictatime", 0, MS_STRICTATIME },
		{ "lazytime", MS_LAZYTIME, 0 },
		{ "nolazytime", 0, MS_LAZYTIME },
		{ "nosymfollow", MS_NOSYMFOLLOW, 0 },
		{ "symfollow", 0, MS_NOSYMFOLLOW },
		{ "iversion", MS_I_VERSION, 0 },
		{ "silent", MS_SILENT, 0 },
		{ "loud", 0, MS_SILENT },
		{ "defaults", 0, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct cleat_mount_flags f = parse(cases[i].opt);
		ok(f.flags == cases[i].set && f.cleared == cases[i].cleared && f.data == NULL &&
			   f.n_propagation == 0,
		   "option %s -> flags %#lx cleared %#lx", cases[i].opt, f.flags, f.cleared);
		cleat_mount_flags_free(&f);
	}
}

static void test_override_and_data(void)
{
	struct cleat_mount_flags f = parse("ro,nosuid,rw,size=65536k,mode=755,nodev,newinstance");
	ok(f.flags == (MS_NOSUID | MS_NODEV), "later rw overrides earlier ro");
	ok(f.data && strcmp(f.data, "size=65536k,mode=755,newinstance") == 0,
	   "unknown options kept as data in order: %s", f.data ? f.data : "(null)");
	ok(cleat_mount_data_has(f.data, "mode"), "data has mode");
	ok(cleat_mount_data_has(f.data, "newinstance"), "data has flag newinstance");
	ok(!cleat_mount_data_has(f.data, "mod"), "data has no prefix-only key");
	ok(!cleat_mount_data_has(NULL, "mode"), "NULL data has nothing");
	cleat_mount_flags_free(&f);

	f = parse("acl,noacl");
	ok(f.flags == 0 && f.data && strcmp(f.data, "acl,noacl") == 0,
	   "acl and noacl are filesystem data, not MS_POSIXACL: %s", f.data ? f.data : "(null)");
	cleat_mount_flags_free(&f);

	f = parse("rw,ro");
	ok(f.flags == MS_RDONLY && f.cleared == 0, "later ro overrides earlier rw");
	cleat_mount_flags_free(&f);
}

static void test_propagation(void)
{
	static const struct {
		const char *w;
		unsigned long flag;
	} cases[] = {
		{ "private", MS_PRIVATE },	 { "rprivate", MS_PRIVATE | MS_REC },
		{ "shared", MS_SHARED },	 { "rshared", MS_SHARED | MS_REC },
		{ "slave", MS_SLAVE },		 { "rslave", MS_SLAVE | MS_REC },
		{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct cleat_mount_flags f = parse(cases[i].w);
		ok(f.n_propagation == 1 && f.propagation[0] == cases[i].flag && f.flags == 0,
		   "propagation %s", cases[i].w);
		ok(cleat_mount_propagation_flag(cases[i].w) == cases[i].flag, "propagation word %s",
		   cases[i].w);
		cleat_mount_flags_free(&f);
	}
	struct cleat_mount_flags f = parse("bind,shared,rslave");
	ok(f.n_propagation == 2 && f.propagation[0] == MS_SHARED &&
		   f.propagation[1] == (MS_SLAVE | MS_REC),
	   "several propagation options kept in order");
	cleat_mount_flags_free(&f);
	ok(cleat_mount_propagation_flag("bind") == 0, "bind is not a propagation word");

	char *many[CLEAT_MAX_PROPAGATION + 1];
	for (size_t i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = "private";
	cleat_error_t err = NULL;
	ok(cleat_mount_options_parse(many, ARRAY_SIZE(many), &f, &err) < 0 && err != NULL,
	   "too many propagation options rejected");
	cleat_error_free(&err);
}

static void test_recursive(void)
{
	struct cleat_mount_flags f = parse(
		"rbind,rro,rnosuid,rnodev,rnoexec,rnodiratime,rnosymfollow");
	uint64_t want = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW;
	ok(f.rec_attr_set == want && f.rec_attr_clr == 0, "r* options set recursive attrs");
	ok(f.flags == (MS_BIND | MS_REC), "r* options do not touch MS_ flags");
	cleat_mount_flags_free(&f);

	f = parse("rro,rrw,rsuid,rdev,rexec,rdiratime,rsymfollow");
	ok(f.rec_attr_set == 0 &&
		   f.rec_attr_clr ==
			   (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			    MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW),
	   "clearing r* options clear what was set");
	cleat_mount_flags_free(&f);

	f = parse("rnoatime");
	ok(f.rec_attr_set == MOUNT_ATTR_NOATIME && f.rec_attr_clr == MOUNT_ATTR__ATIME,
	   "rnoatime sets the atime enum with the whole mask cleared");
	cleat_mount_flags_free(&f);
	f = parse("rnoatime,rstrictatime");
	ok(f.rec_attr_set == MOUNT_ATTR_STRICTATIME && f.rec_attr_clr == MOUNT_ATTR__ATIME,
	   "a later atime option replaces the earlier");
	cleat_mount_flags_free(&f);
	f = parse("rnoatime,ratime");
	ok(f.rec_attr_set == 0 && f.rec_attr_clr == MOUNT_ATTR__ATIME,
	   "ratime goes back to relatime");
	cleat_mount_flags_free(&f);
	f = parse("rrelatime");
	ok(f.rec_attr_set == MOUNT_ATTR_RELATIME && f.rec_attr_clr == MOUNT_ATTR__ATIME,
	   "rrelatime");
	cleat_mount_flags_free(&f);
}

static void test_extensions(void)
{
	struct cleat_mount_flags f = parse("bind,idmap");
	ok(f.idmap && !f.ridmap && f.data == NULL, "idmap");
	cleat_mount_flags_free(&f);
	f = parse("rbind,ridmap");
	ok(f.ridmap && !f.idmap, "ridmap");
	cleat_mount_flags_free(&f);
	f = parse("tmpcopyup,mode=1777");
	ok(f.tmpcopyup && f.data && strcmp(f.data, "mode=1777") == 0, "tmpcopyup is not data");
	cleat_mount_flags_free(&f);
	f = parse("");
	ok(f.flags == 0 && f.data == NULL, "no options");
	cleat_mount_flags_free(&f);
}

static void test_ms_to_attr(void)
{
	ok(cleat_mount_ms_to_attr(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC) ==
		   (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC),
	   "ro nosuid nodev noexec to attrs");
	ok(cleat_mount_ms_to_attr(MS_NOATIME) == MOUNT_ATTR_NOATIME, "noatime");
	ok(cleat_mount_ms_to_attr(MS_NOATIME | MS_STRICTATIME) == MOUNT_ATTR_STRICTATIME,
	   "strictatime beats noatime as in mount(2)");
	ok(cleat_mount_ms_to_attr(MS_RELATIME | MS_BIND | MS_REC | MS_SYNCHRONOUS) ==
		   MOUNT_ATTR_RELATIME,
	   "superblock and bind flags are not mount attrs");
	ok(cleat_mount_ms_to_attr(MS_NODIRATIME | MS_NOSYMFOLLOW) ==
		   (MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW),
	   "nodiratime nosymfollow");
}

static void test_split(void)
{
	static const struct {
		const char *in, *parent, *base;
	} cases[] = {
		{ "/dev/null", "dev", "null" },
		{ "dev/pts/", "dev", "pts" },
		{ "/x", ".", "x" },
		{ "x", ".", "x" },
		{ "//a//b", "a", "b" },
		{ "/a/b/c", "a/b", "c" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *base;
		char *parent = cleat_path_split(cases[i].in, &base);
		size_t bl = strcspn(base, "/");
		ok(strcmp(parent, cases[i].parent) == 0 && strncmp(base, cases[i].base, bl) == 0 &&
			   bl == strlen(cases[i].base),
		   "split %s -> %s + %.*s", cases[i].in, parent, (int) bl, base);
		free(parent);
	}
}

/* The image has etc -> /<outside> (absolute) and up -> ../../<outside>: every
 * path through them must stay below the root. */
static void test_safe_path(void)
{
	char tmpl[] = "/tmp/test-mount-options.XXXXXX";
	char *base = mkdtemp(tmpl);
	cleat_error_t err = NULL;
	if (base == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	char *root = xasprintf("%s/root", base), *outside = xasprintf("%s/outside", base);
	mkdir(root, 0755);
	mkdir(outside, 0755);
	char *abs_link = xasprintf("%s/etc", root), *rel_link = xasprintf("%s/up", root);
	ok(symlink(outside, abs_link) == 0, "plant absolute symlink etc -> %s", outside);
	ok(symlink("../../../../outside", rel_link) == 0,
	   "plant relative symlink up -> ../../../../outside");

	int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd = cleat_safe_mkpath(rootfd, "/etc/foo", true, 0755, &err);
	char *escaped = xasprintf("%s/foo", outside),
	     *inside = xasprintf("%s%s/foo", root, outside);
	struct stat st;
	ok(fd >= 0, "mkdir -p through the absolute symlink works");
	ok(stat(escaped, &st) < 0 && errno == ENOENT, "nothing created outside the root");
	ok(stat(inside, &st) == 0 && S_ISDIR(st.st_mode), "created inside the root at %s", inside);
	if (fd >= 0)
		close(fd);
	cleat_error_free(&err);

	fd = cleat_safe_mkpath(rootfd, "up/file", false, 0644, &err);
	char *escaped2 = xasprintf("%s/file", outside);
	ok(fd >= 0, "file target through a relative escaping symlink");
	ok(stat(escaped2, &st) < 0 && errno == ENOENT, "relative .. symlink clamped at the root");
	char *inside2 = xasprintf("%s/outside/file", root);
	ok(stat(inside2, &st) == 0 && S_ISREG(st.st_mode), "file created inside the root");
	if (fd >= 0)
		close(fd);
	cleat_error_free(&err);

	fd = cleat_safe_open(rootfd, "/proc/self/root", O_PATH, 0, &err);
	ok(fd < 0 && err != NULL, "magic links and missing paths are refused");
	cleat_error_free(&err);

	char *dangling = xasprintf("%s/dangle", root);
	symlink("/nonexistent-target-dir", dangling);
	fd = cleat_safe_mkpath(rootfd, "/dangle", false, 0644, &err);
	ok(fd >= 0, "a dangling absolute symlink target is created inside the root: %s",
	   err ? err->msg : "");
	char *dt = xasprintf("%s/nonexistent-target-dir", root);
	ok(stat("/nonexistent-target-dir", &st) < 0 && stat(dt, &st) == 0,
	   "... and not on the host");
	if (fd >= 0)
		close(fd);
	cleat_error_free(&err);

	close(rootfd);
	char *cmd = xasprintf("rm -rf '%s'", base);
	(void) !system(cmd);
	free(cmd);
	free(root), free(outside), free(abs_link), free(rel_link), free(escaped), free(inside);
	free(escaped2), free(inside2), free(dangling), free(dt);
}

/* runc's rules: a sysctl needs the container's own namespace of its kind. */
static void test_sysctl_rules(void)
{
	static const struct {
		const char *namespaces, *sysctl, *want_err; /* want_err NULL: accepted */
	} cases[] = {
		{ "[{\"type\":\"ipc\"}]", "{\"kernel.shmmax\":\"1\"}", NULL },
		{ "[{\"type\":\"ipc\"}]", "{\"fs.mqueue.msg_max\":\"10\"}", NULL },
		{ "[]", "{\"kernel.msgmax\":\"1\"}", "ipc namespace" },
		{ "[{\"type\":\"network\"}]", "{\"net.ipv4.ip_forward\":\"1\"}", NULL },
		{ "[{\"type\":\"network\"}]", "{\"net/ipv4/conf/eth0.100/forwarding\":\"1\"}",
		  NULL },
		{ "[{\"type\":\"ipc\"}]", "{\"net.core.somaxconn\":\"1\"}", "network namespace" },
		{ "[{\"type\":\"uts\"}]", "{\"kernel.hostname\":\"x\"}", NULL },
		{ "[]", "{\"kernel.domainname\":\"x\"}", "hostname" },
		{ "[{\"type\":\"ipc\"},{\"type\":\"network\"}]", "{\"vm.swappiness\":\"1\"}",
		  "not in a separate kernel namespace" },
		{ "[{\"type\":\"network\"}]", "{\"net/../../kernel/x\":\"1\"}", "invalid name" },
		{ "[{\"type\":\"network\",\"path\":\"/proc/self/ns/net\"}]",
		  "{\"net.ipv4.ip_forward\":\"1\"}", "network namespace" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *json = xasprintf("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
				       "\"linux\":{\"namespaces\":%s,\"sysctl\":%s}}",
				       cases[i].namespaces, cases[i].sysctl);
		struct oci_config *c = NULL;
		cleat_error_t err = NULL;
		if (oci_config_parse(json, strlen(json), "test", &c, &err) < 0) {
			ok(0, "parse %s", json);
			cleat_error_free(&err);
			free(json);
			continue;
		}
		int r = cleat_sysctl_validate(c, &err);
		if (cases[i].want_err == NULL)
			ok(r == 0, "sysctl %s with %s accepted", cases[i].sysctl,
			   cases[i].namespaces);
		else
			ok(r < 0 && err && strstr(err->msg, cases[i].want_err) != NULL,
			   "sysctl %s with %s refused (%s)", cases[i].sysctl, cases[i].namespaces,
			   err ? err->msg : "accepted");
		cleat_error_free(&err);
		oci_config_free(c);
		free(json);
	}
}

static void test_mountinfo(void)
{
	char path[] = "/tmp/test-mountinfo.XXXXXX";
	int fd = mkstemp(path);
	const char *text =
		"22 27 0:21 / /proc rw,relatime - proc proc rw\n"
		"27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
		"40 27 0:37 / /with\\040space rw master:3 shared:4 - tmpfs tm\\040p rw,size=4k\n"
		"41 27 0:38 /sub /mnt/a rw - ext4 /dev/vdb rw\n"
		"42 41 0:39 / /mnt/a/b rw - tmpfs tmpfs rw\n";
	ok(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t) strlen(text),
	   "write sample mountinfo");
	close(fd);
	struct mountinfo mi = { 0 };
	cleat_error_t err = NULL;
	ok(mountinfo_read(path, &mi, &err) == 0 && mi.n == 5, "five entries parsed");
	if (mi.n == 5) {
		ok(strcmp(mi.e[2].mountpoint, "/with space") == 0 &&
			   strcmp(mi.e[2].source, "tm p") == 0,
		   "octal escapes decoded");
		ok(strcmp(mi.e[2].optional, "master:3 shared:4") == 0 &&
			   mi.e[0].optional[0] == '\0',
		   "optional fields kept");
		ok(strcmp(mi.e[3].root, "/sub") == 0 && strcmp(mi.e[4].fstype, "tmpfs") == 0 &&
			   strcmp(mi.e[2].super_options, "rw,size=4k") == 0,
		   "root, fstype and super options");
		const struct mountinfo_entry *e = mountinfo_find_containing(&mi, "/mnt/a/b/c");
		ok(e && e->id == 42, "containing mount is the deepest");
		e = mountinfo_find_containing(&mi, "/mnt/ab");
		ok(e && e->id == 27, "a mount point is not a string prefix");
	}
	cleat_error_free(&err);
	mountinfo_free(&mi);
	unlink(path);
}

/* procfs.c: self and thread-self are this process's entries; nothing leaves the procfs
 * root and no symlink is followed below it. */
static void test_procfs(void)
{
	cleat_error_t err = NULL;
	char buf[256], want[64];
	int fd = cleat_procfs_open("self/stat", O_RDONLY, &err);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	snprintf(want, sizeof(want), "%d ", (int) getpid());
	ok(n > 0 && strncmp(buf, want, strlen(want)) == 0, "procfs: self/stat is this process's");
	if (fd >= 0)
		close(fd);
	cleat_error_free(&err);
	fd = cleat_procfs_open("thread-self/comm", O_RDONLY, &err);
	ok(fd >= 0, "procfs: thread-self is read, not followed");
	if (fd >= 0)
		close(fd);
	cleat_error_free(&err);
	fd = cleat_procfs_open("../etc/passwd", O_RDONLY, &err);
	ok(fd < 0 && err && err->errnum == EXDEV, "procfs: `..` cannot leave the procfs root");
	cleat_error_free(&err);
	fd = cleat_procfs_open("mounts", O_RDONLY, &err);
	ok(fd < 0 && err && err->errnum == ELOOP, "procfs: a symlink below the root is refused");
	cleat_error_free(&err);
	ok(cleat_procfs_write("self/oom_score_adj", "not-a-number", &err) < 0 && err &&
		   err->errnum == EINVAL && strstr(err->msg, "/proc/self/oom_score_adj"),
	   "procfs: a refused write keeps the kernel's errno and names the file");
	cleat_error_free(&err);
}

int main(void)
{
	test_flags();
	test_override_and_data();
	test_propagation();
	test_recursive();
	test_extensions();
	test_ms_to_attr();
	test_split();
	test_safe_path();
	test_sysctl_rules();
	test_mountinfo();
	test_procfs();
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
