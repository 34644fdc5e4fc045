/* The compiled-seccomp cache (runtime/linux/seccomp_cache.c): a hit gives the very
 * program the compiler made, and anything but a valid entry of ours is ignored,
 * removed and rebuilt.  Runs in a temporary directory; the owner checks need root. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/sha256.h"
#include "common/util.h"
#include "runtime/linux/seccomp.h"
#include "runtime/linux/seccomp_cache.h"
#include "security-tap.h"

static char *names_rw[] = { "read", "write", "exit_group", "no_such_syscall_xyz" };
static char *names_personality[] = { "personality" };
static char *archs[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32" };
static char *flag_log[] = { "SECCOMP_FILTER_FLAG_LOG" };

static struct oci_seccomp_arg pers_arg = { .index = 0, .value = 8, .op = "SCMP_CMP_EQ" };

static struct oci_seccomp_syscall syscalls[] = {
	{ .names = names_rw, .n_names = 4, .action = "SCMP_ACT_ALLOW" },
	{ .names = names_personality,
	  .n_names = 1,
	  .action = "SCMP_ACT_ALLOW",
	  .args = &pers_arg,
	  .n_args = 1 },
};

static struct oci_seccomp profile(void)
{
	return (struct oci_seccomp){ .default_action = "SCMP_ACT_ERRNO",
				     .architectures = archs,
				     .n_architectures = 3,
				     .syscalls = syscalls,
				     .n_syscalls = 2 };
}

static char dir[64];
static int cfd = -1;

static char *entry_path(const uint8_t key[32])
{
	char name[65];
	for (size_t i = 0; i < 32; i++)
		snprintf(name + 2 * i, 3, "%02x", key[i]);
	return xasprintf("%s/%s/%s", dir, CLEAT_SECCOMP_CACHE_DIR, name);
}

/* get() hits with exactly prog/len/kflags. */
static bool hits(const uint8_t key[32], const struct sock_filter *prog, size_t len,
		 unsigned long kflags)
{
	struct sock_filter *p = NULL;
	size_t n = 0;
	unsigned long f = 0;
	bool r = cleat_seccomp_cache_get(cfd, key, &p, &n, &f) == 1 && n == len && f == kflags &&
		 memcmp(p, prog, len * sizeof *prog) == 0;
	free(p);
	return r;
}

static bool misses(const uint8_t key[32])
{
	struct sock_filter *p = NULL;
	size_t n = 0;
	unsigned long f = 0;
	int r = cleat_seccomp_cache_get(cfd, key, &p, &n, &f);
	free(p);
	return r == 0;
}

static void test_keys(void)
{
	struct oci_seccomp a = profile(), b = profile();
	uint8_t ka[32], kb[32];
	cleat_seccomp_cache_key(&a, ka);
	cleat_seccomp_cache_key(&b, kb);
	ok(memcmp(ka, kb, 32) == 0, "the same profile gives the same key");
	b.flags = flag_log;
	b.n_flags = 1;
	cleat_seccomp_cache_key(&b, kb);
	ok(memcmp(ka, kb, 32) != 0, "a flag changes the key");
	b = profile();
	b.has_default_errno_ret = true;
	b.default_errno_ret = 38;
	cleat_seccomp_cache_key(&b, kb);
	ok(memcmp(ka, kb, 32) != 0, "defaultErrnoRet changes the key");
	b = profile();
	b.n_architectures = 1;
	cleat_seccomp_cache_key(&b, kb);
	ok(memcmp(ka, kb, 32) != 0, "the architecture list changes the key");
	struct oci_seccomp_arg other = pers_arg;
	other.value = 9;
	struct oci_seccomp_syscall sc2[2] = { syscalls[0], syscalls[1] };
	sc2[1].args = &other;
	b = profile();
	b.syscalls = sc2;
	cleat_seccomp_cache_key(&b, kb);
	ok(memcmp(ka, kb, 32) != 0, "an argument's value changes the key");
	b = profile();
	b.listener_metadata = "meta";
	cleat_seccomp_cache_key(&b, kb);
	ok(memcmp(ka, kb, 32) == 0, "listenerMetadata (not part of the program) does not");
}

static void test_hit_miss(void)
{
	struct oci_seccomp s = profile();
	s.flags = flag_log;
	s.n_flags = 1;
	struct sock_filter *prog = NULL;
	size_t len = 0;
	unsigned long kflags = 0;
	cleat_error_t err = NULL;
	ok(cleat_seccomp_compile(&s, &prog, &len, &kflags, &err) == 0 && len > 0,
	   "the profile compiles");
	uint8_t key[32];
	cleat_seccomp_cache_key(&s, key);
	ok(misses(key), "a miss on an empty cache");
	ok(cleat_seccomp_cache_put(cfd, key, prog, len, kflags) == 0, "put stores the program");
	_cleanup_free_ char *path = entry_path(key);
	struct stat st;
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600 && st.st_uid == geteuid(),
	   "the entry is ours, mode 0600");
	ok(hits(key, prog, len, kflags), "a hit gives the compiled program byte for byte");
	/* A second compile (the miss path) gives the same bytes as the hit. */
	struct sock_filter *again = NULL;
	size_t len2 = 0;
	unsigned long kflags2 = 0;
	ok(cleat_seccomp_compile(&s, &again, &len2, &kflags2, &err) == 0 && len2 == len &&
		   kflags2 == kflags && memcmp(again, prog, len * sizeof *prog) == 0 &&
		   hits(key, again, len2, kflags2),
	   "miss and hit are byte-identical");
	free(again);

	/* Corrupt one byte of the program: ignored, removed, rebuilt. */
	int fd = open(path, O_RDWR);
	char c;
	off_t off = (off_t) st.st_size - 3;
	ok(fd >= 0 && pread(fd, &c, 1, off) == 1, "read a program byte");
	c ^= 0x40;
	ok(pwrite(fd, &c, 1, off) == 1, "flip it");
	close(fd);
	ok(misses(key) && access(path, F_OK) < 0, "a corrupted entry is a miss and removed");
	ok(cleat_seccomp_cache_put(cfd, key, prog, len, kflags) == 0 &&
		   hits(key, prog, len, kflags),
	   "and is rebuilt");

	ok(truncate(path, st.st_size - (off_t) sizeof(struct sock_filter)) == 0 && misses(key) &&
		   access(path, F_OK) < 0,
	   "a truncated entry is a miss and removed");
	cleat_seccomp_cache_put(cfd, key, prog, len, kflags);
	ok(truncate(path, 20) == 0 && misses(key), "a header cut short is a miss");

	/* A valid entry of another key, planted under this key's name. */
	struct oci_seccomp o = profile();
	uint8_t okey[32];
	cleat_seccomp_cache_key(&o, okey);
	cleat_seccomp_cache_put(cfd, okey, prog, len, kflags);
	_cleanup_free_ char *opath = entry_path(okey);
	ok(rename(opath, path) == 0 && misses(key) && access(path, F_OK) < 0,
	   "an entry with a foreign key is a miss and removed");

	cleat_seccomp_cache_put(cfd, key, prog, len, kflags);
	ok(chmod(path, 0644) == 0 && misses(key), "a group/world-readable entry is not trusted");
	cleat_seccomp_cache_put(cfd, key, prog, len, kflags);
	if (geteuid() == 0) {
		ok(chown(path, 65534, 65534) == 0 && misses(key) && access(path, F_OK) < 0,
		   "an entry owned by another user is not trusted");
	} else {
		ok(1, "# SKIP the owner check needs root");
	}
	cleat_seccomp_cache_put(cfd, key, prog, len, kflags);
	_cleanup_free_ char *target = xasprintf("%s/elsewhere", dir);
	ok(rename(path, target) == 0 && symlink(target, path) == 0 && misses(key),
	   "a symlink in place of an entry is not followed");
	ok(cleat_seccomp_cache_put(cfd, key, prog, len, kflags) == 0 &&
		   hits(key, prog, len, kflags),
	   "and is replaced by a real entry");
	unlink(target);
	free(prog);
}

static size_t count_entries(void)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", dir, CLEAT_SECCOMP_CACHE_DIR);
	DIR *d = opendir(p);
	size_t n = 0;
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static void test_bound(void)
{
	struct sock_filter insn = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	uint8_t first[32];
	for (unsigned i = 0; i < CLEAT_SECCOMP_CACHE_MAX + 10; i++) {
		uint8_t key[32];
		struct sha256 h;
		sha256_init(&h);
		sha256_update(&h, &i, sizeof i);
		sha256_final(&h, key);
		cleat_seccomp_cache_put(cfd, key, &insn, 1, 0);
		if (i == 0) {
			/* Older than all the rest, whatever the clock's granularity. */
			memcpy(first, key, 32);
			_cleanup_free_ char *path = entry_path(key);
			struct timespec old[2] = { { .tv_sec = 1000000000 },
						   { .tv_sec = 1000000000 } };
			utimensat(AT_FDCWD, path, old, 0);
		}
	}
	ok(count_entries() <= CLEAT_SECCOMP_CACHE_MAX, "at most %d entries are kept (%zu)",
	   CLEAT_SECCOMP_CACHE_MAX, count_entries());
	ok(misses(first), "the oldest went first");
}

static bool exists_in_cache(const char *name)
{
	_cleanup_free_ char *p = xasprintf("%s/%s/%s", dir, CLEAT_SECCOMP_CACHE_DIR, name);
	return access(p, F_OK) == 0;
}

static void plant(const char *name, time_t mtime)
{
	_cleanup_free_ char *p = xasprintf("%s/%s/%s", dir, CLEAT_SECCOMP_CACHE_DIR, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	if (mtime) {
		struct timespec t[2] = { { .tv_sec = mtime }, { .tv_sec = mtime } };
		utimensat(AT_FDCWD, p, t, 0);
	}
}

/* Temporaries of writers killed before their rename: removed by the next store, unless
 * their writer lives and they are recent. */
static void test_stale_tmp(void)
{
	pid_t dead = fork();
	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	char dead_name[32], live_name[32];
	snprintf(dead_name, sizeof dead_name, ".tmp-%d", (int) dead);
	snprintf(live_name, sizeof live_name, ".tmp-%d", (int) getppid());
	plant(dead_name, 0);
	plant(live_name, 0);
	plant(".tmp-1", 1000000000);
	plant(".tmp-junk", 0);
	struct sock_filter insn = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	uint8_t key[32] = { 0x5e };
	ok(cleat_seccomp_cache_put(cfd, key, &insn, 1, 0) == 0 && hits(key, &insn, 1, 0),
	   "a store beside temporaries works");
	ok(!exists_in_cache(dead_name), "a temporary whose writer is gone is removed");
	ok(!exists_in_cache(".tmp-1"), "a temporary older than a minute is removed");
	ok(!exists_in_cache(".tmp-junk"), "a temporary not named by a pid is removed");
	ok(exists_in_cache(live_name), "a recent temporary of a live writer is kept");
	_cleanup_free_ char *own = xasprintf(".tmp-%d", (int) getpid());
	ok(!exists_in_cache(own), "the store leaves no temporary of its own");
}

static void test_dir_trust(void)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", dir, CLEAT_SECCOMP_CACHE_DIR);
	ok(chmod(p, 0755) == 0 && cleat_seccomp_cache_open(dir) < 0,
	   "a cache directory with group/other bits is not used");
	ok(chmod(p, 0700) == 0, "mode back to 0700");
	if (geteuid() == 0) {
		ok(chown(p, 65534, 65534) == 0 && cleat_seccomp_cache_open(dir) < 0,
		   "a cache directory owned by another user is not used");
		ok(chown(p, 0, 0) == 0, "owner back");
	}
	_cleanup_free_ char *real = xasprintf("%s/real", dir);
	ok(rename(p, real) == 0 && symlink(real, p) == 0 && cleat_seccomp_cache_open(dir) < 0,
	   "a symlink in place of the cache directory is not followed");
	int fd = cleat_seccomp_cache_open(dir);
	ok(fd < 0, "still refused");
	unlink(p);
	fd = cleat_seccomp_cache_open(dir);
	struct stat st;
	ok(fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0700,
	   "a missing cache directory is made, mode 0700");
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	umask(022);
	snprintf(dir, sizeof dir, "/tmp/cleat-seccomp-cache.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 99;
	cfd = cleat_seccomp_cache_open(dir);
	ok(cfd >= 0, "the cache directory opens");
	test_keys();
	test_hit_miss();
	test_bound();
	test_stale_tmp();
	close(cfd);
	test_dir_trust();
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
