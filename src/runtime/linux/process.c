#include "config.h"
#include "runtime/linux/process.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/cut.h"
#include "common/ids.h"
#include "common/passwd.h"
#include "common/util.h"
#include "runtime/linux/lsm.h"
#include "runtime/linux/procfs.h"
#include "runtime/linux/security.h"
#include "runtime/linux/sync.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Add or replace NAME=value: a later duplicate wins, at the first one's
 * place (runc's prepareEnv; getenv() would otherwise see the first). */
static void env_put(char **env, size_t *n, char *entry)
{
	size_t klen = strcspn(entry, "=");
	for (size_t i = 0; entry[klen] == '=' && i < *n; i++)
		if (strncmp(env[i], entry, klen) == 0 && strcspn(env[i], "=") == klen) {
			free(env[i]);
			env[i] = entry;
			return;
		}
	env[(*n)++] = entry;
}

char **cleat_process_env(const struct oci_process *p, unsigned listen_fds)
{
	size_t n = p->n_env;
	char **env = xmalloc0((n + 3) * sizeof(char *));
	size_t j = 0;
	for (size_t i = 0; i < n; i++)
		env_put(env, &j, xstrdup(p->env[i]));
	if (listen_fds > 0) {
		env_put(env, &j, xasprintf("LISTEN_FDS=%u", listen_fds));
		env_put(env, &j, xstrdup("LISTEN_PID=1"));
	}
	return env;
}

static const char *env_get(char *const *env, const char *name)
{
	size_t l = strlen(name);
	for (; env && *env; env++)
		if (strncmp(*env, name, l) == 0 && (*env)[l] == '=')
			return *env + l + 1;
	return NULL;
}

void cleat_process_env_add_home(char ***env, uid_t uid)
{
	/* runc 1.5: an empty HOME counts as unset. */
	const char *cur = env_get(*env, "HOME");
	if (cur && *cur)
		return;
	size_t n = strv_length(*env), at = n;
	for (size_t i = 0; cur && i < n; i++)
		if (strcmp((*env)[i], "HOME=") == 0)
			at = i;
	if (at == n) {
		*env = xrealloc(*env, (n + 2) * sizeof(char *));
		(*env)[n + 1] = NULL;
	} else {
		free((*env)[at]);
	}
	/* The container's /etc/passwd: we are in its root by now. */
	_cleanup_free_ char *home = cleat_passwd_lookup("/etc/passwd", uid, CLEAT_PASSWD_HOME);
	(*env)[at] = xasprintf("HOME=%s", home ? home : "/");
}

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif
#ifndef KEYCTL_SETPERM
#define KEYCTL_SETPERM 5
#endif
#ifndef KEYCTL_DESCRIBE
#define KEYCTL_DESCRIBE 6
#endif

/* OR bits into a key's permissions: KEYCTL_DESCRIBE gives "type;uid;gid;perm;desc". */
static int key_add_perm(long key, unsigned bits, cleat_error_t *err)
{
	char desc[512];
	long n = syscall(SYS_keyctl, KEYCTL_DESCRIBE, key, desc, sizeof desc - 1, 0);
	if (n < 0)
		return cleat_error_errno(err, errno, "describe the session keyring");
	desc[n < (long) sizeof desc ? n : (long) sizeof desc - 1] = '\0';
	char *f = desc;
	for (int i = 0; i < 3 && f; i++)
		f = strchr(f, ';') ? strchr(f, ';') + 1 : NULL;
	unsigned long perm;
	char *end;
	if (f == NULL || (perm = strtoul(f, &end, 16), *end != ';'))
		return cleat_error_errno(err, EPROTO, "session keyring description \"%s\"", desc);
	if (syscall(SYS_keyctl, KEYCTL_SETPERM, key, (unsigned) perm | bits, 0, 0) < 0)
		return cleat_error_errno(err, errno, "set the session keyring's permissions");
	return 0;
}

int cleat_process_join_session_keyring(const char *id, const char *selinux_label, bool create,
				       bool in_userns, cleat_error_t *err)
{
	if (cleat_lsm_set_keycreate_label(selinux_label, err) < 0)
		return -1;
	_cleanup_free_ char *name = xasprintf("_ses.%s", id);
	long key = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name, 0, 0, 0);
	/* No keyrings in this kernel: nothing to isolate (runc goes on too). */
	if (key < 0 && errno == ENOSYS)
		return 0;
	if (key < 0)
		return cleat_error_errno(err, errno, "join session keyring \"%s\"", name);
	/* The container process makes it searchable, so that `exec` can join it by name: by its
	 * owner, or by anyone in a user namespace (the exec may map to another uid),
	 * runc's permissions. */
	return create ? key_add_perm(key, in_userns ? 0x8 : 0x80000, err) : 0;
}

int cleat_process_set_hostname(const struct oci_config *c, cleat_error_t *err)
{
	if (c->hostname && *c->hostname && sethostname(c->hostname, strlen(c->hostname)) < 0)
		return cleat_error_errno(err, errno, "sethostname \"%s\"", cleat_cut(c->hostname));
	if (c->domainname && *c->domainname &&
	    setdomainname(c->domainname, strlen(c->domainname)) < 0)
		return cleat_error_errno(err, errno, "setdomainname \"%s\"",
					 cleat_cut(c->domainname));
	return 0;
}

static const struct {
	const char *name;
	int res;
} rlimit_names[] = {
	{ "RLIMIT_AS", RLIMIT_AS },
	{ "RLIMIT_CORE", RLIMIT_CORE },
	{ "RLIMIT_CPU", RLIMIT_CPU },
	{ "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },
	{ "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
	{ "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_STACK", RLIMIT_STACK },
};

int cleat_process_set_rlimits(const struct oci_process *p, cleat_error_t *err)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		const struct oci_rlimit *r = &p->rlimits[i];
		int res = -1;
		for (size_t k = 0; k < ARRAY_SIZE(rlimit_names); k++)
			if (r->type && strcmp(r->type, rlimit_names[k].name) == 0)
				res = rlimit_names[k].res;
		if (res < 0)
			return cleat_error_msg(err, "unknown rlimit type \"%s\"",
					       r->type ? r->type : "");
		struct rlimit rl = { .rlim_cur = r->soft, .rlim_max = r->hard };
		if (setrlimit(res, &rl) < 0)
			return cleat_error_errno(err, errno, "setrlimit %s soft %llu hard %llu",
						 r->type, (unsigned long long) r->soft,
						 (unsigned long long) r->hard);
	}
	return 0;
}

int cleat_process_set_oom_score_adj(const struct oci_process *p, cleat_error_t *err)
{
	if (!p->has_oom_score_adj)
		return 0;
	char buf[32];
	snprintf(buf, sizeof buf, "%d", (int) p->oom_score_adj);
	/* Through a procfs no mount can cover (procfs.h). */
	if (cleat_procfs_write("self/oom_score_adj", buf, err) < 0)
		return cleat_error_wrap(err, "set oomScoreAdj %d", (int) p->oom_score_adj);
	return 0;
}

int cleat_process_set_cwd(const char *cwd, cleat_error_t *err)
{
	if (cwd == NULL || *cwd == '\0')
		cwd = "/";
	if (cwd[0] != '/')
		return cleat_error_msg(err, "cwd \"%s\" is not an absolute path", cleat_cut(cwd));
	if (chdir(cwd) < 0) {
		if (errno != ENOENT)
			return cleat_error_errno(err, errno,
						 "chdir to cwd (\"%s\") set in config.json failed",
						 cleat_cut(cwd));
		if (mkdir_p(cwd, 0755, err) < 0)
			return cleat_error_wrap(err, "create cwd \"%s\"", cleat_cut(cwd));
		if (chdir(cwd) < 0)
			return cleat_error_errno(err, errno,
						 "chdir to cwd (\"%s\") set in config.json failed",
						 cleat_cut(cwd));
	}
	/* A cwd reached through a leaked host directory fd shows as unreachable. */
	char buf[PATH_MAX];
	if (syscall(SYS_getcwd, buf, sizeof buf) < 0)
		return cleat_error_errno(err, errno, "getcwd");
	if (buf[0] != '/')
		return cleat_error_errno(err, EPERM,
					 "current working directory is outside of container mount "
					 "namespace root -- possible container breakout detected");
	return 0;
}

static bool setgroups_denied(void)
{
	char buf[16] = "";
	_cleanup_close_ int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	return n > 0 && strncmp(buf, "deny", 4) == 0;
}

int cleat_process_set_user(const struct oci_user *u, cleat_error_t *err)
{
	/* Every parser refuses these already; here (uid_t)-1 would mean "unchanged" and
	 * leave the process root, so a config built some other way is refused too. */
	bool valid = cleat_id_valid(u->uid) && cleat_id_valid(u->gid);
	for (size_t i = 0; i < u->n_additional_gids; i++)
		valid = valid && cleat_id_valid(u->additional_gids[i]);
	if (!valid)
		return cleat_error_msg(err, "user %u:%u: " CLEAT_ID_RANGE_MSG, u->uid, u->gid);
	if (!setgroups_denied()) {
		gid_t *gids = (gid_t *) u->additional_gids;
		if (setgroups(u->n_additional_gids, gids) < 0)
			return cleat_error_errno(err, errno, "setgroups");
	} else if (u->n_additional_gids > 0) {
		return cleat_error_errno(
			err, EPERM,
			"cannot set additionalGids: setgroups is denied in this user namespace");
	}
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return cleat_error_errno(err, errno, "setresgid %u", u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return cleat_error_errno(err, errno, "setresuid %u", u->uid);
	umask(u->has_umask ? (mode_t) u->umask : 0022);
	return 0;
}

/* Give fds 0-2 to the container user before the switch (runc's fixStdioPermissions): the
 * shim's pipes/fifos and the pty are root's, mode 0600/0620, and a non-root process could
 * not reopen /dev/stdout or /proc/self/fd/1 otherwise. The group stays (tty's 5) and is
 * not passed at all (runc 1.4's chown(uid, -1)): in a user namespace an unmapped group reads
 * as the overflow gid, and giving that back makes the kernel refuse the whole chown. */
int cleat_process_fix_stdio(uid_t uid, cleat_error_t *err)
{
	/* A root without /dev (no mount namespace, nothing mounted) still must not
	 * hand the host's /dev/null to the user: fall back to its fixed 1:3. */
	struct stat null;
	if (stat("/dev/null", &null) < 0 || !S_ISCHR(null.st_mode))
		null.st_rdev = makedev(1, 3);
	for (int fd = 0; fd <= 2; fd++) {
		struct stat st;
		if (fstat(fd, &st) < 0) {
			if (errno == EBADF)
				continue;
			return cleat_error_errno(err, errno, "fstat stdio fd %d", fd);
		}
		if (st.st_uid == uid || (S_ISCHR(st.st_mode) && (st.st_rdev == null.st_rdev ||
								 st.st_rdev == makedev(1, 3))))
			continue;
		/* EINVAL: uid or group not mapped in this user namespace; EPERM: owner not
		 * mapped; EROFS: a read-only /dev. Leaving stdio alone beats failing. */
		if (fchown(fd, uid, (gid_t) -1) < 0 && errno != EINVAL && errno != EPERM &&
		    errno != EROFS)
			return cleat_error_errno(err, errno, "fchown stdio fd %d to uid %u", fd,
						 uid);
	}
	return 0;
}

void cleat_process_close_inherited(unsigned keep, const int *also, size_t n_also)
{
	size_t n = keep + n_also;
	_cleanup_free_ int *list = xmalloc((n + 1) * sizeof(int));
	for (unsigned i = 0; i < keep; i++)
		list[i] = (int) (3 + i);
	for (size_t i = 0; i < n_also; i++)
		list[keep + i] = also[i];
	close_fds_from(3, list, n);
}

int cleat_process_prepare_fds(unsigned keep, cleat_error_t *err)
{
	for (unsigned fd = 3; fd < 3 + keep; fd++)
		if (fcntl((int) fd, F_GETFD) >= 0 && fd_set_cloexec((int) fd, false) < 0)
			return cleat_error_errno(err, errno, "preserve fd %u", fd);
	/* Everything else is O_CLOEXEC already; this also catches fds a library
	 * opened without it. */
	if (syscall(SYS_close_range, 3 + keep, ~0U, 0) < 0)
		close_fds_from((int) (3 + keep), NULL, 0);
	return 0;
}

/* runc reports exec failures with Go's lower-case errno texts, and dockerd maps them to
 * exit codes by matching those words ("no such file or directory" → 127, "permission
 * denied" → 126), so keep that wording rather than strerror()'s capitalised one. */
static char *go_errno_text(int errnum)
{
	char *text = xstrdup(strerror(errnum));
	text[0] = (char) tolower((unsigned char) text[0]);
	return text;
}

static int exec_lookup_error(const char *file, int errnum, cleat_error_t *err)
{
	_cleanup_free_ char *text = go_errno_text(errnum);
	if (errnum == ENOENT)
		return cleat_error_msg(err, "exec: \"%s\": stat %s: %s", file, file, text);
	return cleat_error_msg(err, "exec: \"%s\": %s", file, text);
}

void cleat_process_report_exec_failure(const char *exe, int errnum)
{
	_cleanup_free_ char *text = go_errno_text(errnum);
	dprintf(STDERR_FILENO, "exec %s: %s\n", exe, text);
}

/* Can this process execute FILE?  Go's exec.LookPath (what runc uses) asks with the
 * effective ids and capabilities (AT_EACCESS: faccessat2), so a user holding
 * CAP_DAC_OVERRIDE may run a file with any exec bit set, as execve will allow; plain
 * access() would judge by the real uid without capabilities.  Where the kernel lacks
 * faccessat2, glibc falls back to a mode-bits check, as Go does. */
static int exec_access(const char *file) { return faccessat(AT_FDCWD, file, X_OK, AT_EACCESS); }

int cleat_process_find_exec(const struct oci_process *p, char *const *env, char **out,
			    cleat_error_t *err)
{
	if (p->n_args == 0 || p->args[0] == NULL || *p->args[0] == '\0')
		return cleat_error_msg(err, "args must not be empty");
	const char *file = p->args[0];
	if (strchr(file, '/')) {
		if (exec_access(file) < 0)
			return exec_lookup_error(file, errno, err);
		*out = xstrdup(file);
		return 0;
	}
	const char *path = env_get(env, "PATH");
	if (path == NULL)
		path = DEFAULT_PATH;
	_cleanup_free_ char *copy = xstrdup(path);
	char *s = copy, *dir;
	while ((dir = strsep(&s, ":")) != NULL) {
		_cleanup_free_ char *cand = xasprintf("%s/%s", *dir ? dir : ".", file);
		struct stat st;
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && exec_access(cand) == 0) {
			*out = TAKE_PTR(cand);
			return 0;
		}
	}
	return cleat_error_msg(err, "exec: \"%s\": executable file not found in $PATH", file);
}

/* Load the filter and hand a SCMP_ACT_NOTIFY listener fd to the parent at once: any
 * later syscall the filter traps (setgroups' open, even close) would wait forever for an
 * agent that never got the fd (runc's syncParentSeccomp does the same). */
static int load_seccomp(const struct oci_seccomp *s, bool no_new_privs, int sync_fd,
			cleat_error_t *err)
{
	int notify_fd = -1;
	if (cleat_seccomp_load(s, no_new_privs, &notify_fd, err) < 0)
		return -1;
	if (notify_fd >= 0)
		return cleat_sync_send_seccomp_fd(sync_fd, notify_fd, err);
	return 0;
}

int cleat_process_confine(const struct oci_process *p, const struct oci_config *c, int sync_fd,
			  cleat_error_t *err)
{
	const struct oci_linux *l = c ? c->linux_ : NULL;
	if (cleat_personality_apply(l ? l->personality : NULL, err) < 0)
		return -1;
	if (cleat_mempolicy_apply(l ? l->memory_policy : NULL, err) < 0)
		return -1;
	const struct oci_resources *r = l ? l->resources : NULL;
	if (cleat_sched_apply(p, r && r->has_cpu ? r->cpu.cpus : NULL, err) < 0)
		return -1;
	/* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load it while the
	 * container process still holds it, before the caps drop (as runc does; docker's
	 * default profile with --user 1000 depends on it).  With NNP it is loaded last, so it sees as few
	 * setup syscalls as possible. */
	bool seccomp_early = l && l->seccomp && !p->no_new_privileges;
	if (seccomp_early && load_seccomp(l->seccomp, false, sync_fd, err) < 0)
		return -1;
	/* An absent capabilities object means no capabilities at all (runc drops all). */
	const struct oci_capabilities *caps = p->has_capabilities ? &p->capabilities : NULL;
	if (cleat_caps_drop_bounding(caps, err) < 0)
		return -1;
	if (cleat_lsm_set_exec_label(p->apparmor_profile, p->selinux_label, err) < 0)
		return -1;
	/* Keep the permitted set across the uid switch; caps_apply trims it. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return cleat_error_errno(err, errno, "prctl PR_SET_KEEPCAPS");
	if (cleat_process_fix_stdio(p->user.uid, err) < 0)
		return -1;
	if (cleat_process_set_user(&p->user, err) < 0)
		return -1;
	if (cleat_caps_apply(caps, err) < 0)
		return -1;
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return cleat_error_errno(err, errno, "prctl PR_SET_NO_NEW_PRIVS");
	if (!seccomp_early && l && l->seccomp &&
	    load_seccomp(l->seccomp, p->no_new_privileges, sync_fd, err) < 0)
		return -1;
	return 0;
}
