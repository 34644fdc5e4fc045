/* Container ids, the state dir (create/open/lock, state.json round trip),
 * status derivation from the init's start time and exec.fifo. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cut.h"
#include "common/ids.h"
#include "common/passwd.h"
#include "common/utc_time.h"
#include "common/util.h"
#include "runtime/container.h"
#include "runtime/state_dir.h"
#include "test-runtime-tap.h"

static const char *valid_ids[] = { "a", "web-1", "A.b_c+d", "0123456789abcdef", "..a", "a.." };
static const char *invalid_ids[] = { "", ".", "..", "a/b", "a b", "/abs", "x\n", "é", "a:b" };

static void test_ids(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(valid_ids); i++) {
		cleat_error_t err = NULL;
		ok(cleat_container_validate_id(valid_ids[i], &err) == 0, "id \"%s\" is valid",
		   valid_ids[i]);
		cleat_error_free(&err);
	}
	for (size_t i = 0; i < ARRAY_SIZE(invalid_ids); i++) {
		cleat_error_t err = NULL;
		int r = cleat_container_validate_id(invalid_ids[i], &err);
		ok(r < 0 && err, "invalid id #%zu is refused", i);
		if (err)
			ok_str(err->msg,
			       *invalid_ids[i] ? "invalid container ID format"
					       : "container id cannot be empty",
			       "runc's message for invalid id #%zu", i);
		cleat_error_free(&err);
	}
}

/* uids and gids as flags give them: 0-2147483647, (uid_t)-1 and the upper half refused */
static void test_parse_id(void)
{
	static const struct {
		const char *s;
		int errnum; /* 0: accepted */
		uint32_t want;
	} cases[] = {
		{ "0", 0, 0 },
		{ "1000", 0, 1000 },
		{ "2147483647", 0, INT32_MAX },
		{ "+7", 0, 7 },
		{ "2147483648", ERANGE, 0 },
		{ "4294967295", ERANGE, 0 },
		{ "4294967296", ERANGE, 0 },
		{ "-1", ERANGE, 0 },
		{ "-0", 0, 0 },
		{ "99999999999999999999", ERANGE, 0 },
		{ "", EINVAL, 0 },
		{ "1.5", EINVAL, 0 },
		{ "1e3", EINVAL, 0 },
		{ " 1", EINVAL, 0 },
		{ "1 ", EINVAL, 0 },
		{ "0x10", EINVAL, 0 },
		{ "foo", EINVAL, 0 },
		{ "-", EINVAL, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint32_t v = 12345;
		errno = 0;
		int r = cleat_parse_id(cases[i].s, &v);
		if (cases[i].errnum == 0)
			ok(r == 0 && v == cases[i].want, "id \"%s\" is %u", cases[i].s, v);
		else
			ok(r < 0 && errno == cases[i].errnum && v == 12345,
			   "id \"%s\" refused (%s)", cases[i].s,
			   cases[i].errnum == ERANGE ? "range" : "not an integer");
	}
	ok(!cleat_id_valid(4294967295LL) && !cleat_id_valid(-1) && cleat_id_valid(INT32_MAX),
	   "cleat_id_valid");
}

/* Long user-supplied text in messages: cut with "…" and its length; short text as is. */
static void test_cut(void)
{
	const char *shortv = "a-short-hostname";
	ok(cleat_cut(shortv) == shortv, "short text is returned as is");
	ok(cleat_cut(NULL) == NULL, "NULL stays NULL");
	_cleanup_free_ char *hundred = xmalloc(101);
	memset(hundred, 'x', 100);
	hundred[100] = '\0';
	ok(cleat_cut(hundred) == hundred, "100 bytes are quoted whole");
	_cleanup_free_ char *big = xmalloc(100001);
	memset(big, 'h', 100000);
	big[100000] = '\0';
	_cleanup_free_ char *want = xasprintf("%.64s\xe2\x80\xa6 (100000 bytes)", big);
	ok_str(cleat_cut(big), want, "100000 bytes: the first 64, an ellipsis and the length");
	/* a 2-byte UTF-8 character straddling byte 64 is dropped whole */
	char utf[200] = "";
	strcat(utf, "a");
	for (int i = 0; i < 90; i++)
		strcat(utf, "\xc3\xa9");
	const char *c = cleat_cut(utf);
	ok(strncmp(c, utf, 63) == 0 && strcmp(c + 63, "\xe2\x80\xa6 (181 bytes)") == 0,
	   "cut on a UTF-8 boundary: %s", c);
	/* the ring keeps the arguments of one message apart */
	_cleanup_free_ char *big2 = xstrdup(big);
	big2[0] = 'Z';
	const char *a = cleat_cut(big), *b = cleat_cut(big2);
	ok(a != b && a[0] == 'h' && b[0] == 'Z', "two cuts in one message do not overwrite");
}

static void test_start_time(void)
{
	unsigned long long self = cleat_proc_start_time(getpid());
	ok(self > 0, "start time of self is known (%llu)", self);
	ok(cleat_proc_start_time(getpid()) == self, "start time is stable");
	pid_t child = fork();
	if (child == 0)
		_exit(0);
	/* Wait until it is a zombie (WNOWAIT leaves it unreaped): a zombie is not a live init. */
	siginfo_t si;
	while (waitid(P_PID, (id_t) child, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
		;
	ok(cleat_proc_start_time(child) == 0, "a zombie has no start time");
	waitpid(child, NULL, 0);
	ok(cleat_proc_start_time(child) == 0, "a reaped pid has no start time");
}

/* cleat_utc_format agrees with gmtime_r + strftime: epoch, leap days, centuries,
 * before 1970, and a pseudo-random spread up to the year 9999. */
static void test_utc_format(void)
{
	static const time_t fixed[] = { 0,	     -1,
					59,	     86399,
					86400,	     951782400 /* 2000-02-29 */,
					951868800,   4107456000 /* 2100-03-01 */,
					-2208988800, 1795870628,
					253402300799 /* 9999-12-31T23:59:59 */ };
	int bad = 0, n = 0;
	unsigned long long x = 88172645463325252ULL;
	for (int i = 0; i < 20000; i++) {
		time_t t;
		if (i < (int) ARRAY_SIZE(fixed)) {
			t = fixed[i];
		} else {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			t = (time_t) (x % 253402300800ULL) - 2208988800;
		}
		struct tm tm;
		char want[64], got[64];
		gmtime_r(&t, &tm);
		strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S", &tm);
		size_t l = cleat_utc_format(t, got, sizeof got);
		n++;
		if (strcmp(got, want) != 0 || l != strlen(want)) {
			if (bad++ < 3)
				printf("#   %lld: got %s, want %s\n", (long long) t, got, want);
		}
	}
	ok(bad == 0, "cleat_utc_format matches gmtime_r for %d times (%d differ)", n, bad);
}

/* write_file_atomic: creates, replaces (by exchange) leaving no temporary file,
 * replaces a symlink itself like rename(2), and never replaces a directory. */
static void test_write_atomic(const char *dir)
{
	cleat_error_t err = NULL;
	_cleanup_free_ char *f = xasprintf("%s/atomic", dir);
	_cleanup_free_ char *got = NULL;
	size_t len = 0;
	ok(write_file_atomic(f, "one", 3, 0600, &err) == 0, "write_file_atomic creates");
	ok(write_file_atomic(f, "second", 6, 0600, &err) == 0 &&
		   read_file(f, &got, &len, &err) == 0 && len == 6 && memcmp(got, "second", 6) == 0,
	   "write_file_atomic replaces the content");
	int left = 0;
	_cleanup_closedir_ DIR *dd = opendir(dir);
	for (struct dirent *de; dd && (de = readdir(dd));)
		left += strncmp(de->d_name, ".atomic.", 8) == 0;
	ok(dd && left == 0, "no temporary file is left behind (%d)", left);
	struct stat ms;
	mode_t um = umask(022);
	ok(write_file_atomic(f, "m", 1, 0644, &err) == 0 && stat(f, &ms) == 0 &&
		   (ms.st_mode & 0777) == 0644,
	   "the mode is the one asked for, less the umask (%o)", ms.st_mode & 0777);
	umask(077);
	ok(write_file_atomic(f, "m", 1, 0644, &err) == 0 && stat(f, &ms) == 0 &&
		   (ms.st_mode & 0777) == 0600,
	   "a umask of 077 gives 0600, as open(2) would (%o)", ms.st_mode & 0777);
	umask(um);
	_cleanup_free_ char *target = xasprintf("%s/target", dir);
	_cleanup_free_ char *link = xasprintf("%s/link", dir);
	write_file(target, "keep", 4, 0600, &err);
	ok(symlink(target, link) == 0 && write_file_atomic(link, "new", 3, 0600, &err) == 0,
	   "write_file_atomic over a symlink");
	free(got);
	got = NULL;
	struct stat st;
	ok(lstat(link, &st) == 0 && S_ISREG(st.st_mode) &&
		   read_file(target, &got, &len, &err) == 0 && len == 4 &&
		   memcmp(got, "keep", 4) == 0,
	   "the symlink itself is replaced, its target untouched");
	_cleanup_free_ char *d = xasprintf("%s/adir", dir);
	mkdir(d, 0700);
	ok(write_file_atomic(d, "x", 1, 0600, &err) < 0 && err != NULL,
	   "a directory is not replaced");
	cleat_error_free(&err);
	ok(stat(d, &st) == 0 && S_ISDIR(st.st_mode), "and it is still there");
}

static void test_rfc3339(void)
{
	_cleanup_free_ char *t = cleat_rfc3339_now();
	size_t l = strlen(t);
	ok(l >= 20 && t[4] == '-' && t[10] == 'T' && t[l - 1] == 'Z',
	   "timestamp %s looks like RFC 3339", t);
	ok(!(l > 21 && t[l - 2] == '0' && strchr(t, '.')), "no trailing zeros in the fraction (%s)",
	   t);
}

static void test_state_dir(const char *root)
{
	cleat_error_t err = NULL;
	int dir = -1, lock = -1;
	ok(cleat_state_dir_create(root, "c1", &dir, &lock, &err) == 0,
	   "state dir created (root made on demand)");
	cleat_error_free(&err);
	int dir2 = -1, lock2 = -1;
	ok(cleat_state_dir_create(root, "c1", &dir2, &lock2, &err) < 0 && err &&
		   strcmp(err->msg, "container with given ID already exists") == 0,
	   "a second create of the same id fails with runc's message");
	cleat_error_free(&err);

	/* The lock is held: another open file description cannot take it. */
	_cleanup_free_ char *path = xasprintf("%s/c1", root);
	int probe = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ok(probe >= 0 && flock(probe, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK,
	   "the state dir is locked");
	close(probe);

	struct cleat_container c = { 0 };
	c.id = "c1";
	c.root = (char *) root;
	c.state_dir = path;
	c.dir_fd = dir;
	c.lock_fd = -1;
	c.bundle = "/b";
	c.rootfs = "/b/rootfs";
	c.init_pid = 4242;
	c.init_start_time = 18446744073709551000ULL;
	c.created = "2026-01-01T00:00:00.5Z";
	c.owner = 1000;
	c.cgroup_str = "v1:/c1";
	c.no_pivot = true;
	ok(cleat_state_save(&c, &err) == 0, "state.json saved");
	cleat_error_free(&err);

	struct cleat_container d = { 0 };
	d.dir_fd = dir;
	d.state_dir = path;
	ok(cleat_state_load(&d, &err) == 0, "state.json loaded");
	cleat_error_free(&err);
	ok_str(d.bundle, "/b", "bundle round trip");
	ok_str(d.rootfs, "/b/rootfs", "rootfs round trip");
	ok(d.init_pid == 4242, "init pid round trip");
	ok(d.init_start_time == 18446744073709551000ULL, "64-bit start time round trip");
	ok_str(d.created, "2026-01-01T00:00:00.5Z", "created round trip");
	ok(d.owner == 1000, "owner round trip");
	ok_str(d.cgroup_str, "v1:/c1", "cgroup string round trip");
	ok(d.no_pivot && !d.no_new_keyring && !d.rootless, "flags round trip");
	free(d.bundle);
	free(d.rootfs);
	free(d.created);
	free(d.cgroup_str);
	close(lock);
	close(dir);

	/* Status: a missing state.json (crashed create) is stopped; an unknown id does not exist. */
	struct cleat_container *x = NULL;
	ok(cleat_container_load(root, "nosuch", &x, &err) < 0 && err &&
		   strcmp(err->msg, "container does not exist") == 0,
	   "unknown id: container does not exist");
	cleat_error_free(&err);
	ok(cleat_container_load(root, "../etc", &x, &err) < 0 && err &&
		   strcmp(err->msg, "invalid container ID format") == 0,
	   "a path as id is refused before touching the disk");
	cleat_error_free(&err);
	_cleanup_free_ char *p2 = xasprintf("%s/half", root);
	mkdir(p2, 0700);
	ok(cleat_container_load(root, "half", &x, &err) == 0 && x &&
		   x->status == CLEAT_STATUS_STOPPED,
	   "a state dir without state.json is stopped");
	cleat_error_free(&err);
	if (x)
		cleat_container_free(x);
}

static void test_status_names(void)
{
	ok_str(cleat_status_name(CLEAT_STATUS_CREATING), "creating", "creating");
	ok_str(cleat_status_name(CLEAT_STATUS_CREATED), "created", "created");
	ok_str(cleat_status_name(CLEAT_STATUS_RUNNING), "running", "running");
	ok_str(cleat_status_name(CLEAT_STATUS_PAUSED), "paused", "paused");
	ok_str(cleat_status_name(CLEAT_STATUS_STOPPED), "stopped", "stopped");
}

/* passwd(5) lookups without NSS: HOME for the container process, owner for list/state. */
static void test_passwd(const char *dir)
{
	_cleanup_free_ char *path = xasprintf("%s/passwd", dir);
	static const char text[] = "root:x:0:0:root:/root:/bin/sh\n"
				   "short:x:7\n"
				   "bad:x:notanumber:0::/bad:/bin/sh\n"
				   "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
				   "nohome:x:2:2:gecos\n"
				   "again:x:1:1::/second:/bin/sh\n";
	cleat_error_t err = NULL;
	/* A comment that looks like an entry, a blank-led entry, and a 2000-byte gecos. */
	char longgecos[2001];
	memset(longgecos, 'g', sizeof longgecos - 1);
	longgecos[sizeof longgecos - 1] = '\0';
	_cleanup_free_ char *all = xasprintf("#old:x:5:5::/commented:/bin/sh\n"
					     "  spaced:x:5:5::/spaced:/bin/sh\n"
					     "long:x:6:6:%s:/longhome:/bin/sh\n%s",
					     longgecos, text);
	ok(write_file_atomic(path, all, strlen(all), 0644, &err) == 0, "write passwd");
	cleat_error_free(&err);
	_cleanup_free_ char *five = cleat_passwd_lookup(path, 5, CLEAT_PASSWD_NAME);
	ok(five && strcmp(five, "spaced") == 0, "'#' line skipped, leading blanks ignored: %s",
	   five);
	_cleanup_free_ char *longhome = cleat_passwd_lookup(path, 6, CLEAT_PASSWD_HOME);
	ok(longhome && strcmp(longhome, "/longhome") == 0, "a line over 2000 bytes is one entry");
	_cleanup_free_ char *root = cleat_passwd_lookup(path, 0, CLEAT_PASSWD_NAME);
	_cleanup_free_ char *home = cleat_passwd_lookup(path, 1, CLEAT_PASSWD_HOME);
	ok(root && strcmp(root, "root") == 0, "uid 0 is root");
	ok(home && strcmp(home, "/usr/sbin") == 0, "first entry of uid 1 wins: %s", home);
	_cleanup_free_ char *seven = cleat_passwd_lookup(path, 7, CLEAT_PASSWD_NAME);
	ok(seven && strcmp(seven, "short") == 0, "a short line still has a name");
	ok(cleat_passwd_lookup(path, 7, CLEAT_PASSWD_HOME) == NULL, "but no home");
	ok(cleat_passwd_lookup(path, 2, CLEAT_PASSWD_HOME) == NULL, "five fields: no home");
	ok(cleat_passwd_lookup(path, 99, CLEAT_PASSWD_NAME) == NULL, "unknown uid");
	_cleanup_free_ char *missing = xasprintf("%s/nope", dir);
	ok(cleat_passwd_lookup(missing, 0, CLEAT_PASSWD_NAME) == NULL, "missing file");
	_cleanup_free_ char *nobody = cleat_passwd_owner_name(4000000000u);
	ok(strcmp(nobody, "#4000000000") == 0, "owner without an entry: %s", nobody);
}

int main(void)
{
	char tmpl[] = "/tmp/test-runtime-state.XXXXXX";
	if (!mkdtemp(tmpl))
		return 1;
	_cleanup_free_ char *root = xasprintf("%s/root/sub", tmpl);
	test_ids();
	test_parse_id();
	test_cut();
	test_start_time();
	test_rfc3339();
	test_utc_format();
	test_write_atomic(tmpl);
	test_passwd(tmpl);
	test_state_dir(root);
	test_status_names();
	cleat_error_t err = NULL;
	rm_rf(tmpl, &err);
	cleat_error_free(&err);
	return tap_done();
}
