/* floor: the bare-kernel floor of a container start, for runtime-bench.sh.
 *
 *   floor NAMESPACES ROOTFS PROGRAM [ARG...]
 *
 * NAMESPACES is a comma-separated list of runtime-spec namespace types (pid, network, ipc,
 * uts, mount, cgroup, user, time): the ones the measured config.json makes. floor unshares
 * them in one call, forks (a new pid namespace takes effect for children only, and a runtime
 * waits for its container too), and the child makes its mounts private when it has a mount
 * namespace (as every runtime does before touching the rootfs), chroots into ROOTFS and
 * execs PROGRAM. The parent waits and exits with the child's status. No cgroup, no config
 * parsing, no state, no /proc or /dev mounts: the work no runtime can avoid.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct {
	const char *name;
	int flag;
} namespaces[] = {
	{ "pid", CLONE_NEWPID },   { "network", CLONE_NEWNET }, { "ipc", CLONE_NEWIPC },
	{ "uts", CLONE_NEWUTS },   { "mount", CLONE_NEWNS },	{ "cgroup", CLONE_NEWCGROUP },
	{ "user", CLONE_NEWUSER }, { "time", CLONE_NEWTIME },
};

/* parse_namespaces LIST: the CLONE_NEW* flags of LIST, or -1 naming the unknown type. */
static int parse_namespaces(char *list)
{
	int flags = 0;
	for (char *save = NULL, *t = strtok_r(list, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		size_t i;
		for (i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++)
			if (strcmp(t, namespaces[i].name) == 0)
				break;
		if (i == sizeof(namespaces) / sizeof(namespaces[0])) {
			fprintf(stderr, "floor: unknown namespace type \"%s\"\n", t);
			return -1;
		}
		flags |= namespaces[i].flag;
	}
	return flags;
}

static void child(int flags, const char *rootfs, char **argv)
{
	if ((flags & CLONE_NEWNS) && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		perror("floor: making / private");
		_exit(127);
	}
	if (chroot(rootfs) < 0 || chdir("/") < 0) {
		fprintf(stderr, "floor: chroot \"%s\": %s\n", rootfs, strerror(errno));
		_exit(127);
	}
	execv(argv[0], argv);
	fprintf(stderr, "floor: exec \"%s\": %s\n", argv[0], strerror(errno));
	_exit(127);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: floor NAMESPACES ROOTFS PROGRAM [ARG...]\n");
		return 2;
	}
	int flags = parse_namespaces(argv[1]);
	if (flags < 0)
		return 2;
	if (unshare(flags) < 0) {
		perror("floor: unshare");
		return 1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("floor: fork");
		return 1;
	}
	if (pid == 0)
		child(flags, argv[2], argv + 3);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("floor: waitpid");
			return 1;
		}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
