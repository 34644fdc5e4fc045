/* CVE-2019-5736: a process in the container can open /proc/<pid>/exe of a
 * runtime process that joined it (`cleat exec`, or the container process before it execs)
 * and, once that process exits, write to the runtime's binary on the host.
 * Running from a sealed memfd copy makes /proc/<pid>/exe point at memory that
 * nobody can write (F_SEAL_WRITE) and that nothing else uses.
 *
 * Only the processes that enter a container need it: create, run and exec fork
 * first thing the helper that joins the container and clones the process, and that
 * helper execs the copy (runc protects `runc init` the same way) while the parent
 * loads the container (setup_helper.h, exec_helper.h).  The copy is a sendfile of
 * what the kernel loads (not the debug sections: most of an unstripped binary).
 *
 * Where we may mount, neither the helper nor `exec` needs a copy at all (runc 1.2
 * does the same): they open the binary through a private overlayfs made of two lower
 * layers only (the binary's directory on top, the state root below), never attached
 * anywhere.  Such an overlay is read-only
 * in the superblock and cannot be unwrapped to the file below, so /proc/<pid>/exe
 * leads nowhere writable; the helper maps the page cache we already use instead of half a
 * megabyte copied per container. */
#include "config.h"
#include "runtime/linux/selfexe.h"
#include "runtime/linux/security.h"

#include <elf.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <errno.h>
#include <fcntl.h>
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

int cleat_selfexe_seal_mount(const char *layers)
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
	int mnt = (int) syscall(SYS_fsmount, ctx, FSMOUNT_CLOEXEC,
				MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID);
	return mnt < 0 ? -errno : mnt;
}

int cleat_selfexe_seal_open(int mnt, const char *name)
{
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
	return TAKE_FD(fd);
}

static int overlay_raw(const char *layers, const char *name)
{
	_cleanup_close_ int mnt = cleat_selfexe_seal_mount(layers);
	return mnt < 0 ? mnt : cleat_selfexe_seal_open(mnt, name);
}

bool cleat_selfexe_fd_is_overlay_sealed(int fd)
{
	struct statfs sf;
	return fstatfs(fd, &sf) == 0 && sf.f_type == OVERLAYFS_SUPER_MAGIC &&
	       (sf.f_flags & ST_RDONLY);
}

int cleat_selfexe_copy(const char **what) { return copy_raw(what); }

int cleat_selfexe_open_sealed_raw(const char *layers, const char *name, const char **what)
{
	int fd = overlay_raw(layers, name);
	return fd >= 0 ? fd : copy_raw(what);
}

bool cleat_selfexe_is_sealed(void)
{
	_cleanup_close_ int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	return self >= 0 &&
	       (cleat_selfexe_fd_is_sealed(self) || cleat_selfexe_fd_is_overlay_sealed(self));
}
