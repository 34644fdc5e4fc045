/* Idmapped bind sources requested at mount time (see mount_source.h). */
#include "config.h"
#include "runtime/linux/mount_source.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "runtime/linux/rootfs_internal.h"

bool cleat_mount_source_in_rootfs(const char *bundle, const char *rootfs, const char *source)
{
	_cleanup_free_ char *abs = source[0] == '/' ? xstrdup(source)
						    : xasprintf("%s/%s", bundle, source);
	size_t n = strlen(rootfs);
	return strncmp(abs, rootfs, n) == 0 && (abs[n] == '/' || abs[n] == '\0');
}

int cleat_mount_source_request(int sync_fd, size_t index, cleat_error_t *err)
{
	uint32_t i = (uint32_t) index;
	if (cleat_sync_send(sync_fd, CLEAT_SYNC_MOUNT_SOURCE, 0, &i, sizeof i, -1, err) < 0)
		return -1;
	_cleanup_sync_msg_ struct cleat_sync_msg *m = NULL;
	if (cleat_sync_expect(sync_fd, CLEAT_SYNC_MOUNT_SOURCE_FD, "wait for the mount source", &m,
			      err) < 0)
		return -1;
	if (m->fd < 0)
		return cleat_error_errno(err, EPROTO, "sync: mount source without a fd");
	return TAKE_FD(m->fd);
}

/* In a child of the runtime: join the init's mount namespace and send the tree (or the
 * error) on sock. Never returns. */
static _Noreturn void source_child(int sock, const struct oci_config *config, const char *bundle,
				   pid_t init, size_t index)
{
	cleat_error_t err = NULL;
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/ns/mnt", (int) init);
	int ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0) {
		cleat_error_errno(&err, errno, "open %s", path);
	} else if (setns(ns, CLONE_NEWNS) < 0) {
		cleat_error_errno(&err, errno, "join the container's mount namespace");
	} else {
		int tree = rootfs_open_bind_source(config, bundle, index, &err);
		if (tree >= 0 &&
		    cleat_sync_send(sock, CLEAT_SYNC_MOUNT_SOURCE_FD, 0, NULL, 0, tree, &err) == 0)
			_exit(0);
	}
	cleat_sync_send_error(sock, err);
	_exit(1);
}

int cleat_mount_source_serve(int sync_fd, const struct cleat_sync_msg *m,
			     const struct oci_config *config, const char *bundle, pid_t init,
			     cleat_error_t *err)
{
	uint32_t index;
	if (m->len != sizeof index)
		return cleat_error_errno(err, EPROTO, "sync: mount source request of %zu bytes",
					 m->len);
	memcpy(&index, m->data, sizeof index);
	if (index >= config->n_mounts || init <= 0)
		return cleat_error_errno(err, EPROTO, "sync: mount source request for mounts[%u]",
					 index);
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return cleat_error_errno(err, errno, "socketpair");
	pid_t pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return cleat_error_errno(err, errno, "fork");
	}
	if (pid == 0) {
		close(sv[0]);
		source_child(sv[1], config, bundle, init, index);
	}
	close(sv[1]);
	_cleanup_close_ int sock = sv[0];
	_cleanup_sync_msg_ struct cleat_sync_msg *reply = NULL;
	int r = cleat_sync_expect(sock, CLEAT_SYNC_MOUNT_SOURCE_FD, "the mount source", &reply,
				  err);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (r < 0)
		return cleat_error_wrap(err, "mount \"%s\"", config->mounts[index].destination);
	if (reply->fd < 0)
		return cleat_error_errno(err, EPROTO, "sync: mount source without a fd");
	return cleat_sync_send(sync_fd, CLEAT_SYNC_MOUNT_SOURCE_FD, 0, NULL, 0, reply->fd, err);
}
