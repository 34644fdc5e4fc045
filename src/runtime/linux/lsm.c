/* process.apparmorProfile, process.selinuxLabel, linux.mountLabel.
 *
 * Both labels are set "on exec": the LSM switches the domain at the next
 * execve, so the init keeps its privileges until the user's process starts.
 * A label for an LSM that is not running is an error, as in runc ("selinux
 * label is specified in config, but selinux is disabled or not supported";
 * "apparmor failed to apply profile") and crun: silently running the
 * container unconfined would hide a mistake that costs its confinement. */
#include "config.h"
#include "runtime/linux/lsm.h"
#include "runtime/linux/procfs.h"
#include "runtime/linux/security.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/vfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cut.h"
#include "common/util.h"

#ifndef SELINUX_MAGIC
#define SELINUX_MAGIC 0xf97cff8c
#endif

/* Both checks run in the container's init too, after pivot_root, where /proc
 * is all that can be relied on: the container's /sys (when it has one) shows
 * neither securityfs nor selinuxfs. */
bool cleat_lsm_apparmor_enabled(void)
{
	/* Linux 5.8+: AppArmor's own attribute reads only while AppArmor runs
	 * (EINVAL when it is built in but another LSM was chosen). */
	char buf[64];
	_cleanup_close_ int fd = open("/proc/thread-self/attr/apparmor/current",
				      O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		return read(fd, buf, sizeof buf) > 0;
	/* Older kernels: the module parameter of runc's check (the LSM core clears
	 * it when AppArmor is not among the chosen LSMs); runc's other half, the
	 * securityfs directory, is not visible from the container. */
	_cleanup_close_ int pfd = open("/sys/module/apparmor/parameters/enabled",
				       O_RDONLY | O_CLOEXEC);
	return pfd >= 0 && read(pfd, buf, 1) > 0 && buf[0] == 'Y';
}

/* Until a policy is loaded every task is "kernel" and the kernel takes any
 * label written to attr/exec without a word, mapping it to "kernel": the
 * container would run unconfined.  go-selinux (runc) calls SELinux disabled
 * then; so does cleat. */
static bool selinux_policy_loaded(void)
{
	char buf[16];
	_cleanup_close_ int fd = open("/proc/thread-self/attr/current", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	ssize_t n = read(fd, buf, sizeof buf);
	while (n > 0 && (buf[n - 1] == '\0' || buf[n - 1] == '\n'))
		n--;
	return !(n == 6 && memcmp(buf, "kernel", 6) == 0);
}

bool cleat_lsm_selinux_enabled(void)
{
	struct statfs sfs;
	if (statfs("/sys/fs/selinux", &sfs) == 0 && (unsigned long) sfs.f_type == SELINUX_MAGIC)
		return selinux_policy_loaded();
	/* SELinux registers selinuxfs only when it is enabled at boot, and
	 * /proc/filesystems says so wherever selinuxfs is not mounted. */
	_cleanup_free_ char *fs = NULL;
	_cleanup_error_ cleat_error_t ignored = NULL;
	size_t len;
	if (read_file("/proc/filesystems", &fs, &len, &ignored) < 0)
		return false;
	return strstr(fs, "\tselinuxfs\n") != NULL && selinux_policy_loaded();
}

int cleat_lsm_validate(const char *apparmor_profile, const char *selinux_label, cleat_error_t *err)
{
	if (apparmor_profile && *apparmor_profile && !cleat_lsm_apparmor_enabled())
		return cleat_error_msg(err,
				       "apparmor profile \"%s\" is specified in config, but "
				       "AppArmor is not enabled on this host",
				       apparmor_profile);
	if (selinux_label && *selinux_label && !cleat_lsm_selinux_enabled())
		return cleat_error_msg(err, "selinux label is specified in config, but selinux is "
					    "disabled or not supported");
	return 0;
}

/* Write an attribute of this thread ("thread-self/attr/..."), through a
 * procfs that neither a volume mounted over /proc (CVE-2019-16884) nor a
 * procfs file mounted over the attribute (CVE-2025-52881) can stand in for:
 * either would let the container start without its label. */
static int write_proc_attr(const char *path, const char *value, cleat_error_t *err)
{
	return cleat_procfs_write(path, value, err);
}

static int apparmor_exec(const char *profile, cleat_error_t *err)
{
	/* Linux 5.8+ has a per-LSM directory; older kernels only the shared file. */
	const char *path = "thread-self/attr/apparmor/exec";
	if (access("/proc/thread-self/attr/apparmor/exec", F_OK) < 0)
		path = "thread-self/attr/exec";
	_cleanup_free_ char *value = xasprintf("exec %s", profile);
	if (write_proc_attr(path, value, err) < 0) {
		/* The kernel's answer for a name it has no profile for. */
		if ((*err)->errnum == ENOENT)
			return cleat_error_wrap(err, "apparmor profile \"%s\" is not loaded",
						cleat_cut(profile));
		return cleat_error_wrap(err, "apply apparmor profile \"%s\"", cleat_cut(profile));
	}
	return 0;
}

int cleat_lsm_set_exec_label(const char *apparmor_profile, const char *selinux_label,
			     cleat_error_t *err)
{
	if (cleat_lsm_validate(apparmor_profile, selinux_label, err) < 0)
		return -1;
	if (apparmor_profile && *apparmor_profile && apparmor_exec(apparmor_profile, err) < 0)
		return -1;
	if (selinux_label && *selinux_label &&
	    write_proc_attr("thread-self/attr/exec", selinux_label, err) < 0)
		return cleat_error_wrap(err, "set selinux label \"%s\"", cleat_cut(selinux_label));
	return 0;
}

int cleat_lsm_set_keycreate_label(const char *selinux_label, cleat_error_t *err)
{
	if (selinux_label == NULL || *selinux_label == '\0')
		return 0;
	if (cleat_lsm_validate(NULL, selinux_label, err) < 0)
		return -1;
	if (write_proc_attr("thread-self/attr/keycreate", selinux_label, err) < 0)
		return cleat_error_wrap(err, "set selinux label \"%s\" for the session keyring",
					cleat_cut(selinux_label));
	return 0;
}

char *cleat_lsm_format_mount_label(const char *data, const char *mount_label)
{
	if (data == NULL)
		data = "";
	if (mount_label == NULL || *mount_label == '\0')
		return xstrdup(data);
	if (*data == '\0')
		return xasprintf("context=\"%s\"", mount_label);
	return xasprintf("%s,context=\"%s\"", data, mount_label);
}

char *cleat_lsm_mount_data(const char *data, const char *mount_label)
{
	if (mount_label == NULL || *mount_label == '\0' || !cleat_lsm_selinux_enabled())
		return xstrdup(data ? data : "");
	return cleat_lsm_format_mount_label(data, mount_label);
}

bool cleat_lsm_mount_type_labeled(const char *type)
{
	/* runc's list: SELinux cannot relabel procfs or sysfs; mqueue is labelled
	 * through its root's xattr instead (older kernels refused context= on it);
	 * cgroup hierarchies and binds are the host's objects, mounted without it. */
	static const char *const unlabeled[] = { "proc",   "sysfs",   "mqueue",
						 "cgroup", "cgroup2", "bind" };
	if (type == NULL || *type == '\0')
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(unlabeled); i++)
		if (strcmp(type, unlabeled[i]) == 0)
			return false;
	return true;
}

char *cleat_lsm_fs_mount_data(const char *type, const char *data, const char *mount_label)
{
	if (!cleat_lsm_mount_type_labeled(type))
		return xstrdup(data ? data : "");
	return cleat_lsm_mount_data(data, mount_label);
}

int cleat_lsm_label_mount_root(int tree, const char *type, const char *mount_label,
			       cleat_error_t *err)
{
	if (type == NULL || strcmp(type, "mqueue") != 0 || mount_label == NULL ||
	    *mount_label == '\0' || !cleat_lsm_selinux_enabled())
		return 0;
	/* The tree is an O_PATH mount fd, which fsetxattr(2) refuses: open its root. */
	_cleanup_close_ int fd = openat(tree, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return cleat_error_errno(err, errno, "open the root of \"%s\"", type);
	if (fsetxattr(fd, "security.selinux", mount_label, strlen(mount_label), 0) < 0)
		return cleat_error_errno(err, errno, "set selinux label \"%s\" on \"%s\"",
					 mount_label, type);
	return 0;
}

char *cleat_lsm_mount_opt_next(char **cursor)
{
	char *start = *cursor;
	if (start == NULL)
		return NULL;
	/* mount(2) splits SELinux options this way (security_sb_eat_lsm_opts): an MLS
	 * label has commas ("s0:c1,c2") and is quoted; fsconfig(2) takes the bare value. */
	bool quoted = false;
	char *in = start, *out = start;
	for (; *in != '\0'; in++) {
		if (*in == '"') {
			quoted = !quoted;
			continue;
		}
		if (*in == ',' && !quoted)
			break;
		*out++ = *in;
	}
	*cursor = *in == ',' ? in + 1 : NULL;
	*out = '\0';
	return start;
}
