/* CVE-2019-5736: a process in the container can open /proc/<pid>/exe of a
 * runtime process that joined it (`cleat exec`, or the container process before it execs)
 * and, once that process exits, write to the runtime's binary on the host.
 * Running from a sealed memfd copy makes /proc/<pid>/exe point at memory that
 * nobody can write (F_SEAL_WRITE) and that nothing else uses.
 *
 * Only the processes that enter a container need it: `cleat exec` re-executes
 * itself first thing; create and run fork the setup helper that clones the
 * container process, and that helper execs the copy (runc protects `runc init`
 * the same way), so the copy costs no time on their critical path.  The copy is a sendfile of what the
 * kernel loads (not the debug sections: most of an unstripped binary).
 *
 * Where we may mount, neither the helper nor `exec` needs a copy at all (runc 1.2
 * does the same): they open the binary through a private overlayfs made of two lower
 * layers only (the binary's directory on top, the state root below), never attached
 * anywhere.  Such an overlay is read-only
 * in the superblock and cannot be unwrapped to the file below, so /proc/<pid>/exe
 * leads nowhere writable; exec maps the page cache we already use instead of half a
 * megabyte copied per container. */
#include "config.h"
#include "runtime/linux/selfexe.h"
#include "runtime/linux/security.h"

#include <elf.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/util.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

bool cleat_selfexe_fd_is_sealed(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);
	return seals >= 0 && (seals & SEALS) == SEALS;
}

bool cleat_selfexe_needed(int argc, char **argv)
{
	/* Any word equal to "exec", wherever the global flags put it: a false positive
	 * (a container called "exec") only costs the copy.  create and run copy in the
	 * setup helper they fork instead (setup_helper.h), while they go on setting up. */
	for (int i = 1; i < argc; i++)
		if (argv[i] && strcmp(argv[i], "exec") == 0)
			return true;
	return false;
}

/* The file size the program needs: up to the end of its last segment.  The
 * section headers and the non-loaded sections after it (.symtab, .debug_*)
 * are left out; the copy's ELF header then names no section table.  0 (copy
 * everything) when the file is not a 64-bit ELF this understands. */
static off_t loaded_size(int fd, off_t file_size, Elf64_Ehdr *eh)
{
	if (pread(fd, eh, sizeof *eh, 0) != (ssize_t) sizeof *eh ||
	    memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 || eh->e_phnum > 64)
		return 0;
	Elf64_Phdr ph[64];
	size_t len = eh->e_phnum * sizeof *ph;
	if (pread(fd, ph, len, (off_t) eh->e_phoff) != (ssize_t) len)
		return 0;
	uint64_t end = eh->e_phoff + len;
	for (size_t i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type != PT_NULL && ph[i].p_offset + ph[i].p_filesz > end)
			end = ph[i].p_offset + ph[i].p_filesz;
	return end < (uint64_t) file_size ? (off_t) end : 0;
}

/* System calls only, on the caller's stack: the CLONE_VM child of create calls it
 * (setup_helper.c).  The fd, or -errno with *what naming the step that failed. */
static int copy_raw(const char **what)
{
	_cleanup_close_ int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	*what = "open `/proc/self/exe`";
	if (src < 0)
		return -errno;
	struct stat st;
	if (fstat(src, &st) < 0)
		return -errno;
	*what = "memfd_create";
	_cleanup_close_ int mfd = memfd_create("cleat", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return -errno;
	Elf64_Ehdr eh;
	off_t size = loaded_size(src, st.st_size, &eh);
	if (size == 0)
		size = st.st_size;
	off_t off = 0;
	*what = "copy `/proc/self/exe` to a memfd";
	while (off < size) {
		ssize_t n = sendfile(mfd, src, &off, (size_t) (size - off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
	}
	*what = "write the memfd copy of cleat";
	if (size < st.st_size) {
		eh.e_shoff = 0;
		eh.e_shnum = 0;
		eh.e_shstrndx = SHN_UNDEF;
		if (pwrite(mfd, &eh, sizeof eh, 0) != (ssize_t) sizeof eh)
			return -errno;
	}
	*what = "seal the memfd copy of cleat";
	if (fcntl(mfd, F_ADD_SEALS, SEALS) < 0)
		return -errno;
	return TAKE_FD(mfd);
}

/* Overlay lowerdir syntax: ':' separates layers, '\\' escapes. */
static size_t escape_layer(char *out, const char *in, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (in[i] == ':' || in[i] == '\\') {
			if (out)
				out[k] = '\\';
			k++;
		}
		if (out)
			out[k] = in[i];
		k++;
	}
	return k;
}

char *cleat_selfexe_layers_for(const char *exe, const char *other_dir, const char **name)
{
	if (exe == NULL || exe[0] != '/' || other_dir == NULL || other_dir[0] != '/')
		return NULL;
	/* Replaced on disk while we run: the path is no longer our binary. */
	if (str_has_suffix(exe, " (deleted)"))
		return NULL;
	const char *slash = strrchr(exe, '/');
	size_t dl = slash == exe ? 1 : (size_t) (slash - exe), ol = strlen(other_dir);
	size_t nl = strlen(slash + 1);
	if (nl == 0)
		return NULL;
	/* Nested layers are refused (ELOOP), and only after a costly check: leave
	 * such a layout (say, a state root below the binary's directory) to the copy. */
	size_t m = dl < ol ? dl : ol;
	if (strncmp(exe, other_dir, m) == 0 &&
	    (dl == ol || (dl < ol ? other_dir[dl] == '/' || dl == 1 : exe[ol] == '/' || ol == 1)))
		return NULL;
	/* "<dir>:<other>" then NUL then the name, in one allocation. */
	size_t len = escape_layer(NULL, exe, dl) + 1 + escape_layer(NULL, other_dir, ol);
	char *buf = xmalloc(len + 1 + nl + 1);
	size_t k = escape_layer(buf, exe, dl);
	buf[k++] = ':';
	k += escape_layer(buf + k, other_dir, ol);
	buf[k++] = '\0';
	memcpy(buf + k, slash + 1, nl + 1);
	*name = buf + k;
	return buf;
}

char *cleat_selfexe_overlay_layers(const char *other_dir, const char **name)
{
	/* A missing layer fails the mount, and the kernel logs it: the first create
	 * with a new state root would leave a line in the kernel log. */
	struct stat st;
	if (other_dir == NULL || stat(other_dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return NULL;
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	return cleat_selfexe_layers_for(exe, other_dir, name);
}

/* mnt_out: NULL to close the mount fd here, else it is handed over (see
 * cleat_selfexe_exec_copy). */
static int overlay_raw(const char *layers, const char *name, int *mnt_out)
{
	if (layers == NULL)
		return -EINVAL;
	_cleanup_close_ int ctx = (int) syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
	if (ctx < 0)
		return -errno;
	if (syscall(SYS_fsconfig, ctx, FSCONFIG_SET_STRING, "lowerdir", layers, 0) < 0)
		return -errno;
	/* Not needed, and it logs when the layers are on different filesystems. */
	(void) syscall(SYS_fsconfig, ctx, FSCONFIG_SET_STRING, "xino", "off", 0);
	if (syscall(SYS_fsconfig, ctx, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -errno;
	_cleanup_close_ int mnt = (int) syscall(SYS_fsmount, ctx, FSMOUNT_CLOEXEC,
						MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV |
							MOUNT_ATTR_NOSUID);
	if (mnt < 0)
		return -errno;
	_cleanup_close_ int fd = openat(mnt, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* The same file as the one we run (a package upgrade may have replaced it):
	 * overlayfs keeps size and times, not device and inode. */
	_cleanup_close_ int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	struct stat a, b;
	if (self < 0 || fstat(self, &a) < 0 || fstat(fd, &b) < 0 || !S_ISREG(b.st_mode) ||
	    a.st_size != b.st_size || a.st_mtim.tv_sec != b.st_mtim.tv_sec ||
	    a.st_mtim.tv_nsec != b.st_mtim.tv_nsec || a.st_ctim.tv_sec != b.st_ctim.tv_sec ||
	    a.st_ctim.tv_nsec != b.st_ctim.tv_nsec)
		return -ESTALE;
	if (mnt_out)
		*mnt_out = TAKE_FD(mnt);
	return TAKE_FD(fd);
}

bool cleat_selfexe_fd_is_overlay_sealed(int fd)
{
	struct statfs sf;
	return fstatfs(fd, &sf) == 0 && sf.f_type == OVERLAYFS_SUPER_MAGIC &&
	       (sf.f_flags & ST_RDONLY);
}

int cleat_selfexe_open_sealed_raw(const char *layers, const char *name, const char **what)
{
	int fd = overlay_raw(layers, name, NULL);
	return fd >= 0 ? fd : copy_raw(what);
}

int cleat_selfexe_exec_copy(char *const argv[], char *const envp[], const char *root,
			    cleat_error_t *err)
{
	const char *name = NULL;
	_cleanup_free_ char *layers = cleat_selfexe_overlay_layers(root, &name);
	const char *what = "";
	/* The overlay's mount fd goes along, open, into the new image: closing the last
	 * fd of a detached mount tree unmounts it and waits for an RCU grace period
	 * (a third of a millisecond), which the new image spends while its helper
	 * works instead of here (cleat_selfexe_release_pin). */
	_cleanup_close_ int mnt = -1;
	_cleanup_close_ int mfd = layers ? overlay_raw(layers, name, &mnt) : -EINVAL;
	if (mfd < 0)
		mfd = copy_raw(&what);
	if (mfd < 0)
		return cleat_error_errno(err, -mfd, "%s", what);
	if (mnt >= 0 && fd_set_cloexec(mnt, false) < 0)
		return cleat_error_errno(err, errno, "keep the seal's mount open");
	size_t n = 0;
	while (envp && envp[n])
		n++;
	_cleanup_free_ char **env = xmalloc((n + 2) * sizeof *env);
	memcpy(env, envp, n * sizeof *env);
	char mark[sizeof CLEAT_SELFEXE_ENV + 16];
	snprintf(mark, sizeof mark, "%s=%d", CLEAT_SELFEXE_ENV, mnt >= 0 ? mnt : 1);
	env[n] = mark;
	env[n + 1] = NULL;
	/* execveat(AT_EMPTY_PATH) works on an O_CLOEXEC fd for ELF binaries and,
	 * unlike fexecve's /proc/self/fd fallback, does not need /proc mounted. */
	syscall(SYS_execveat, mfd, "", argv, env, AT_EMPTY_PATH);
	return cleat_error_errno(err, errno, "re-execute cleat from its sealed copy");
}

/* The seal's mount fd handed over by cleat_selfexe_exec_copy, or -1. */
static int pinned_mount = -1;

/* Take the mount fd named by the mark if it is what exec_copy left there: a
 * read-only overlay (any other fd, say one the caller set the variable to, is not
 * ours to close). */
static void take_pin(const char *mark)
{
	long long fd;
	if (mark == NULL || parse_int(mark, 3, INT_MAX, &fd) < 0 ||
	    !cleat_selfexe_fd_is_overlay_sealed((int) fd))
		return;
	struct stat st;
	if (fstat((int) fd, &st) < 0 || !S_ISDIR(st.st_mode))
		return;
	fd_set_cloexec((int) fd, true);
	pinned_mount = (int) fd;
}

int cleat_selfexe_pinned_fd(void) { return pinned_mount; }

void cleat_selfexe_release_pin(void)
{
	if (pinned_mount >= 0)
		close(pinned_mount);
	pinned_mount = -1;
}

bool cleat_selfexe_is_sealed(void)
{
	_cleanup_close_ int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	return self >= 0 &&
	       (cleat_selfexe_fd_is_sealed(self) || cleat_selfexe_fd_is_overlay_sealed(self));
}

int cleat_selfexe_ensure_cloned(int argc, char **argv, char **envp, const char *root,
				cleat_error_t *err)
{
	/* Most commands need no seal: not even a look at /proc/self/exe for them. */
	if (!cleat_selfexe_needed(argc, argv)) {
		unsetenv(CLEAT_SELFEXE_ENV);
		return 0;
	}
	if (cleat_selfexe_is_sealed()) {
		take_pin(getenv(CLEAT_SELFEXE_ENV));
		unsetenv(CLEAT_SELFEXE_ENV);
		return 0;
	}
	/* Set by us before the re-exec: a copy that is still not sealed would loop. */
	if (getenv(CLEAT_SELFEXE_ENV))
		return cleat_error_msg(err, "re-executed cleat is not sealed");
	return cleat_selfexe_exec_copy(argv, envp, root, err);
}
