/* A static helper for the SELinux test VM (run.sh builds it; busybox has no
 * SELinux applets and the VM has no libselinux):
 *   sehelper load POLICY      write a compiled policy to /sys/fs/selinux/load
 *   sehelper filecon PATH...  "PATH=<security.selinux xattr>" for each path
 *   sehelper keycon           "keyring=<label of the session keyring>" and
 *                             "keyring-name=<its description>"
 * A failure prints "PATH=error: <reason>" (or the reason) and exits 1. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#define KEYCTL_DESCRIBE 6
#define KEYCTL_GET_SECURITY 17
#define KEY_SPEC_SESSION_KEYRING -3

static int load(const char *path)
{
	int in = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (in < 0 || fstat(in, &st) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	char *buf = malloc(st.st_size);
	ssize_t got = 0;
	while (buf && got < st.st_size) {
		ssize_t n = read(in, buf + got, st.st_size - got);
		if (n <= 0) {
			fprintf(stderr, "read %s: %s\n", path, n < 0 ? strerror(errno) : "short");
			return 1;
		}
		got += n;
	}
	/* The kernel takes the policy in one write. */
	int out = open("/sys/fs/selinux/load", O_WRONLY | O_CLOEXEC);
	if (out < 0 || write(out, buf, got) != got) {
		fprintf(stderr, "load %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

/* Labels end in a NUL the kernel counts in the length (or not): print without it. */
static void print_label(const char *key, const char *buf, long n)
{
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	printf("%s=%.*s\n", key, (int) n, buf);
}

int main(int argc, char **argv)
{
	char buf[4096];
	int rc = 0;
	if (argc == 3 && strcmp(argv[1], "load") == 0)
		return load(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "filecon") == 0) {
		for (int i = 2; i < argc; i++) {
			ssize_t n = lgetxattr(argv[i], "security.selinux", buf, sizeof buf);
			if (n < 0) {
				printf("%s=error: %s\n", argv[i], strerror(errno));
				rc = 1;
			} else {
				print_label(argv[i], buf, n);
			}
		}
		return rc;
	}
	if (argc == 2 && strcmp(argv[1], "keycon") == 0) {
		long n = syscall(SYS_keyctl, KEYCTL_GET_SECURITY, KEY_SPEC_SESSION_KEYRING, buf,
				 sizeof buf, 0);
		if (n < 0) {
			printf("keyring=error: %s\n", strerror(errno));
			return 1;
		}
		print_label("keyring", buf, n);
		n = syscall(SYS_keyctl, KEYCTL_DESCRIBE, KEY_SPEC_SESSION_KEYRING, buf, sizeof buf,
			    0);
		if (n < 0) {
			printf("keyring-name=error: %s\n", strerror(errno));
			return 1;
		}
		/* "type;uid;gid;perm;description" */
		const char *desc = strrchr(buf, ';');
		printf("keyring-name=%s\n", desc ? desc + 1 : buf);
		return 0;
	}
	fprintf(stderr, "usage: sehelper load POLICY | filecon PATH... | keycon\n");
	return 2;
}
