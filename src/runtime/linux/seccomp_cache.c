/* The compiled-seccomp cache (seccomp_cache.h).  SHA-256 is common/sha256.c, the
 * implementation the shim already uses for its socket names (checked against the
 * FIPS 180-4 vectors in the unit tests); no crypto library is linked for this. */
#include "config.h"
#include "runtime/linux/seccomp_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "common/sha256.h"
#include "common/util.h"

#define CACHE_MAGIC "CLTSBPF\n"
/* 2: programs in libseccomp's binary-tree layout (seccomp.c). */
#define CACHE_VERSION 2u
/* The fallback's named temporaries: TMP_PREFIX and the writer's pid. */
#define TMP_PREFIX ".tmp-"
#define TMP_STALE_SECONDS 60

/* Fixed layout, no padding: magic, version, length (instructions), seccomp(2) flags,
 * key, SHA-256 of the program that follows. */
struct cache_header {
	char magic[8];
	uint32_t version;
	uint32_t len;
	uint64_t kflags;
	uint8_t key[32];
	uint8_t sum[32];
};
_Static_assert(sizeof(struct cache_header) == 88, "cache header layout");

static void put_u64(struct sha256 *h, uint64_t v) { sha256_update(h, &v, sizeof v); }

/* A string with its length, and NULL told apart from "". */
static void put_str(struct sha256 *h, const char *s)
{
	put_u64(h, s ? strlen(s) : UINT64_MAX);
	if (s)
		sha256_update(h, s, strlen(s));
}

static void put_strv(struct sha256 *h, char *const *v, size_t n)
{
	put_u64(h, n);
	for (size_t i = 0; i < n; i++)
		put_str(h, v[i]);
}

static void put_syscall(struct sha256 *h, const struct oci_seccomp_syscall *sc)
{
	put_strv(h, sc->names, sc->n_names);
	put_str(h, sc->action);
	put_u64(h, sc->has_errno_ret);
	put_u64(h, sc->errno_ret);
	put_u64(h, sc->n_args);
	for (size_t a = 0; a < sc->n_args; a++) {
		const struct oci_seccomp_arg *arg = &sc->args[a];
		put_u64(h, arg->index);
		put_u64(h, arg->value);
		put_u64(h, arg->has_value_two);
		put_u64(h, arg->value_two);
		put_str(h, arg->op);
	}
}

void cleat_seccomp_cache_key(const struct oci_seccomp *s, uint8_t key[32])
{
	struct sha256 h;
	sha256_init(&h);
	put_str(&h, "cleat seccomp cache");
	put_u64(&h, CACHE_VERSION);
	put_str(&h, PACKAGE_VERSION);
	/* What libseccomp consults besides the profile: its own version, the API
	 * level it probed from the kernel, the native arch; and the kernel itself. */
	const struct scmp_version *v = seccomp_version();
	put_u64(&h, v ? v->major : 0);
	put_u64(&h, v ? v->minor : 0);
	put_u64(&h, v ? v->micro : 0);
	put_u64(&h, seccomp_api_get());
	put_u64(&h, seccomp_arch_native());
	struct utsname u;
	if (uname(&u) == 0) {
		put_str(&h, u.release);
		put_str(&h, u.machine);
	}
	/* The profile as parsed: everything the compiler reads.  listenerMetadata is
	 * only sent to the agent; listenerPath only matters by being set. */
	put_str(&h, s->default_action);
	put_u64(&h, s->has_default_errno_ret);
	put_u64(&h, s->default_errno_ret);
	put_strv(&h, s->architectures, s->n_architectures);
	put_strv(&h, s->flags, s->n_flags);
	put_u64(&h, s->listener_path && s->listener_path[0]);
	put_u64(&h, s->n_syscalls);
	for (size_t i = 0; i < s->n_syscalls; i++)
		put_syscall(&h, &s->syscalls[i]);
	sha256_final(&h, key);
}

static void key_name(const uint8_t key[32], char name[65])
{
	for (size_t i = 0; i < 32; i++)
		snprintf(name + 2 * i, 3, "%02x", key[i]);
}

/* Ours and private: owner euid, no bits for group or others, the right type. */
static bool trusted(int fd, mode_t type, mode_t perm)
{
	struct stat st;
	return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == type && st.st_uid == geteuid() &&
	       (st.st_mode & 07777) == perm;
}

int cleat_seccomp_cache_open(const char *root)
{
	int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -1;
	if (mkdirat(rootfd, CLEAT_SECCOMP_CACHE_DIR, 0700) < 0 && errno != EEXIST) {
		close(rootfd);
		return -1;
	}
	int fd = openat(rootfd, CLEAT_SECCOMP_CACHE_DIR,
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(rootfd);
	if (fd >= 0 && !trusted(fd, S_IFDIR, 0700)) {
		close(fd);
		return -1;
	}
	return fd;
}

int cleat_seccomp_cache_get(int dirfd, const uint8_t key[32], struct sock_filter **prog,
			    size_t *len, unsigned long *kflags)
{
	char name[65];
	key_name(key, name);
	_cleanup_close_ int fd = openat(dirfd, name,
					O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct stat st;
	struct cache_header hd;
	_cleanup_free_ struct sock_filter *p = NULL;
	if (!trusted(fd, S_IFREG, 0600) || fstat(fd, &st) < 0 || (size_t) st.st_size < sizeof hd ||
	    (size_t) st.st_size > sizeof hd + BPF_MAXINSNS * sizeof *p)
		goto bad;
	if (pread(fd, &hd, sizeof hd, 0) != (ssize_t) sizeof hd ||
	    memcmp(hd.magic, CACHE_MAGIC, sizeof hd.magic) != 0 || hd.version != CACHE_VERSION ||
	    memcmp(hd.key, key, 32) != 0 || hd.len == 0 ||
	    (size_t) st.st_size != sizeof hd + hd.len * sizeof *p)
		goto bad;
	size_t bytes = hd.len * sizeof *p;
	p = xmalloc(bytes);
	if (pread(fd, p, bytes, sizeof hd) != (ssize_t) bytes)
		goto bad;
	uint8_t sum[32];
	struct sha256 h;
	sha256_init(&h);
	sha256_update(&h, p, bytes);
	sha256_final(&h, sum);
	if (memcmp(sum, hd.sum, sizeof sum) != 0)
		goto bad;
	/* Recently used entries are the last to be evicted. */
	(void) futimens(fd, NULL);
	*prog = TAKE_PTR(p);
	*len = hd.len;
	*kflags = (unsigned long) hd.kflags;
	return 1;
bad:
	/* Whatever sits under this name is not a valid entry: drop it so the compiled
	 * program can take its place. */
	(void) unlinkat(dirfd, name, 0);
	return 0;
}

struct entry_age {
	char name[65];
	struct timespec mtime;
};

static int by_age(const void *a, const void *b)
{
	const struct timespec *x = &((const struct entry_age *) a)->mtime;
	const struct timespec *y = &((const struct entry_age *) b)->mtime;
	if (x->tv_sec != y->tv_sec)
		return x->tv_sec < y->tv_sec ? -1 : 1;
	return x->tv_nsec < y->tv_nsec ? -1 : x->tv_nsec > y->tv_nsec;
}

/* A named temporary (the fallback of write_entry) left by a writer that died before
 * renaming it: its pid is gone, or it is older than any write takes. */
static bool stale_tmp(int dirfd, const char *name)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	if (now.tv_sec - st.st_mtim.tv_sec > TMP_STALE_SECONDS)
		return true;
	long long pid;
	return parse_int(name + strlen(TMP_PREFIX), 1, INT32_MAX, &pid) < 0 ||
	       (kill((pid_t) pid, 0) < 0 && errno == ESRCH);
}

/* Keep at most CLEAT_SECCOMP_CACHE_MAX entries: remove the least recently used; and
 * remove stale temporaries, which are not entries. */
static void evict(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	_cleanup_closedir_ DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return;
	}
	_cleanup_free_ struct entry_age *e = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		if (strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0) {
			if (stale_tmp(dirfd, de->d_name))
				(void) unlinkat(dirfd, de->d_name, 0);
			continue;
		}
		if (strlen(de->d_name) != 64 ||
		    fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 2 * CLEAT_SECCOMP_CACHE_MAX;
			e = xrealloc(e, cap * sizeof *e);
		}
		memcpy(e[n].name, de->d_name, 65);
		e[n++].mtime = st.st_mtim;
	}
	if (n <= CLEAT_SECCOMP_CACHE_MAX)
		return;
	qsort(e, n, sizeof *e, by_age);
	for (size_t i = 0; i < n - CLEAT_SECCOMP_CACHE_MAX; i++)
		(void) unlinkat(dirfd, e[i].name, 0);
}

/* Link the anonymous file fd (O_TMPFILE) into the directory as name, replacing what is
 * there.  AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc/self/fd does not. */
static int link_tmpfile(int fd, int dirfd, const char *name)
{
	char proc[64];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	for (int tries = 0; tries < 2; tries++) {
		if (linkat(fd, "", dirfd, name, AT_EMPTY_PATH) == 0 ||
		    linkat(AT_FDCWD, proc, dirfd, name, AT_SYMLINK_FOLLOW) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
		/* A bad entry get() could not remove, or another writer's: ours replaces it. */
		(void) unlinkat(dirfd, name, 0);
	}
	return -1;
}

static int write_body(int fd, const struct cache_header *hd, const struct sock_filter *prog,
		      size_t len)
{
	if (fchmod(fd, 0600) < 0 || write_all(fd, hd, sizeof *hd) < 0 ||
	    write_all(fd, prog, len * sizeof *prog) < 0)
		return -1;
	return 0;
}

/* The entry is written to a file with no name (O_TMPFILE) and linked into place once
 * complete, so a writer killed halfway leaves nothing behind.  Where the filesystem has
 * no O_TMPFILE, or the link fails, it goes through a named temporary renamed into place;
 * one left by a writer killed before the rename is removed by evict(). */
static int write_entry(int dirfd, const char *name, const struct cache_header *hd,
		       const struct sock_filter *prog, size_t len)
{
	int fd = openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (fd >= 0) {
		int r = write_body(fd, hd, prog, len) < 0 ? -1 : link_tmpfile(fd, dirfd, name);
		close(fd);
		if (r == 0)
			return 0;
	}
	char tmp[96];
	snprintf(tmp, sizeof tmp, TMP_PREFIX "%d", (int) getpid());
	(void) unlinkat(dirfd, tmp, 0);
	_cleanup_close_ int nfd = openat(
		dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (nfd < 0)
		return -1;
	if (write_body(nfd, hd, prog, len) < 0 || renameat(dirfd, tmp, dirfd, name) < 0) {
		(void) unlinkat(dirfd, tmp, 0);
		return -1;
	}
	return 0;
}

int cleat_seccomp_cache_put(int dirfd, const uint8_t key[32], const struct sock_filter *prog,
			    size_t len, unsigned long kflags)
{
	if (len == 0 || len > BPF_MAXINSNS)
		return -1;
	struct cache_header hd = { .version = CACHE_VERSION,
				   .len = (uint32_t) len,
				   .kflags = kflags };
	memcpy(hd.magic, CACHE_MAGIC, sizeof hd.magic);
	memcpy(hd.key, key, 32);
	struct sha256 h;
	sha256_init(&h);
	sha256_update(&h, prog, len * sizeof *prog);
	sha256_final(&h, hd.sum);
	char name[65];
	key_name(key, name);
	if (write_entry(dirfd, name, &hd, prog, len) < 0)
		return -1;
	evict(dirfd);
	return 0;
}
