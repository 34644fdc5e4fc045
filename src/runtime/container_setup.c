/* Container setup, `cleat init`: the setup helper of create/run after it re-executed
 * from the sealed copy (linux/setup_helper.h); the parent started it first thing and
 * loaded the bundle meanwhile.
 * CLEAT_SYNC_LAUNCH then hands over, in a memfd, what the parent decided (the config
 * text it parsed and copies into the state dir, paths, flags), so both sides work
 * from the same bytes; the setup helper parses it and opens its namespace files while the
 * parent makes the state dir and the cgroup, then waits for CLEAT_SYNC_GO, whose
 * payload is the cgroup (cleat_cgroup_to_string(); empty: the parent moved us).
 *
 * The memfd holds NUL-separated fields in a fixed order: id, bundle, rootfs,
 * state dir, flags ("<no_pivot><no_new_keyring><fifo>" as 0/1), keep_fds,
 * listen_fds, then the config text up to the end. */
#include "config.h"
#include "runtime/container_setup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/util.h"
#include "runtime/linux/setup_helper.h"
#include "runtime/linux/rootfs.h"
#include "runtime/linux/seccomp.h"
#include "runtime/linux/selfexe.h"
#include "runtime/linux/sync.h"

#define N_HEAD_FIELDS 7

int cleat_setup_launch_write(const struct cleat_setup_launch *l, int *fd_out, cleat_error_t *err)
{
	_cleanup_close_ int fd = memfd_create("cleat-setup", MFD_CLOEXEC);
	if (fd < 0)
		return cleat_error_errno(err, errno, "memfd_create");
	_cleanup_free_ char *head = NULL;
	int n = asprintf(&head, "%s%c%s%c%s%c%s%c%d%d%d%c%u%c%u%c", l->id, 0, l->bundle, 0,
			 l->rootfs, 0, l->state_dir, 0, l->no_pivot, l->no_new_keyring, l->fifo, 0,
			 l->keep_fds, 0, l->listen_fds, 0);
	if (n < 0)
		return cleat_error_errno(err, ENOMEM, "asprintf");
	if (write_all(fd, head, (size_t) n) < 0 || write_all(fd, l->config, l->config_len) < 0 ||
	    lseek(fd, 0, SEEK_SET) < 0)
		return cleat_error_errno(err, errno, "write the helper's launch data");
	*fd_out = TAKE_FD(fd);
	return 0;
}

int cleat_setup_launch_parse(char *buf, size_t len, struct cleat_setup_launch *l,
			     cleat_error_t *err)
{
	const char *f[N_HEAD_FIELDS];
	size_t off = 0;
	for (int i = 0; i < N_HEAD_FIELDS; i++) {
		char *nul = memchr(buf + off, 0, len - off);
		if (nul == NULL)
			return cleat_error_errno(err, EPROTO,
						 "helper launch data: field %d missing", i);
		f[i] = buf + off;
		off = (size_t) (nul - buf) + 1;
	}
	long long keep, listen;
	if (strlen(f[4]) != 3 || parse_int(f[5], 0, 65536, &keep) < 0 ||
	    parse_int(f[6], 0, 65536, &listen) < 0)
		return cleat_error_errno(err, EPROTO, "helper launch data: bad flags");
	*l = (struct cleat_setup_launch){
		.id = f[0],
		.bundle = f[1],
		.rootfs = f[2],
		.state_dir = f[3],
		.no_pivot = f[4][0] == '1',
		.no_new_keyring = f[4][1] == '1',
		.fifo = f[4][2] == '1',
		.keep_fds = (unsigned) keep,
		.listen_fds = (unsigned) listen,
		.config = buf + off,
		.config_len = len - off,
	};
	return 0;
}

/* What container setup gathers before it hands over to cleat_setup_helper_main(). */
struct setup {
	int sync_fd;
	bool born_in_v2;
	char *buf;
	struct cleat_setup_launch l;
	struct oci_config *config;
	struct cleat_ns_plan ns;
	struct cleat_cgroup_join join;
	int fifo_fd;
	int *idmap;
	bool unshared[CLEAT_NS_COUNT];
};

static int setup_prepare(struct setup *s, cleat_error_t *err)
{
	size_t len;
	if (!cleat_selfexe_is_sealed())
		return cleat_error_msg(err,
				       "cleat init does not run from the sealed copy of cleat");
	_cleanup_sync_msg_ struct cleat_sync_msg *m = NULL;
	if (cleat_sync_expect(s->sync_fd, CLEAT_SYNC_LAUNCH, "wait for the container's config", &m,
			      err) < 0)
		return -1;
	if (m->fd < 0)
		return cleat_error_errno(err, EPROTO, "sync: launch message without a fd");
	if (read_all_fd(m->fd, "the helper's launch data", &s->buf, &len, err) < 0)
		return -1;
	cleat_sync_msg_free(TAKE_PTR(m));
	if (cleat_setup_launch_parse(s->buf, len, &s->l, err) < 0)
		return -1;
	if (oci_config_parse(s->l.config, s->l.config_len, "config.json", &s->config, err) < 0)
		return -1;
	if (cleat_ns_plan_build(s->config, &s->ns, err) < 0)
		return -1;
	/* The seccomp program, compiled or from the cache under the state root (the
	 * parent of state_dir), while the helper still sees the host's files. */
	const struct oci_linux *lx = s->config->linux_;
	if (lx && lx->seccomp) {
		size_t n = strlen(s->l.state_dir), k = strlen(s->l.id);
		_cleanup_free_ char *root = n > k + 1 && s->l.state_dir[n - k - 1] == '/'
						    ? xstrndup(s->l.state_dir, n - k - 1)
						    : NULL;
		cleat_seccomp_prepare(lx->seccomp, root);
	}
	/* Idmapped mounts need the host user namespace: made now, before any unshare. */
	if ((s->ns.create[CLEAT_NS_USER] || s->ns.join_fd[CLEAT_NS_USER] >= 0) &&
	    cleat_rootfs_open_idmapped(s->config, s->l.bundle, s->l.rootfs, &s->idmap, err) < 0)
		return -1;
	/* The costliest of the namespaces (a network one, ~0.5 ms) need not wait for
	 * the cgroup: made while the parent makes it. */
	return cleat_setup_unshare_early(&s->ns, s->unshared, err);
}

/* After GO: the cgroup to join, and exec.fifo, both made by the parent meanwhile. */
static int setup_after_go(struct setup *s, cleat_error_t *err)
{
	_cleanup_sync_msg_ struct cleat_sync_msg *m = NULL;
	if (cleat_sync_expect(s->sync_fd, CLEAT_SYNC_GO, "wait for cgroup setup", &m, err) < 0)
		return -1;
	if (m->len > 0) {
		struct cleat_cgroup *cg = NULL;
		if (cleat_cgroup_from_string(m->data, &cg, err) < 0)
			return -1;
		int r = cleat_cgroup_join_open(cg, !s->born_in_v2, &s->join, err);
		cleat_cgroup_free(cg);
		if (r < 0)
			return -1;
		s->join.in_v2 = s->born_in_v2;
	}
	if (s->l.fifo) {
		_cleanup_free_ char *path = xasprintf("%s/%s", s->l.state_dir, "exec.fifo");
		s->fifo_fd = open(path, O_PATH | O_CLOEXEC);
		if (s->fifo_fd < 0)
			return cleat_error_errno(err, errno, "open \"%s\"", path);
	}
	return 0;
}

int cleat_container_setup_main(void)
{
	const char *v = getenv(CLEAT_SETUP_ENV);
	int sync_fd, born;
	if (v == NULL || sscanf(v, "%d,%d", &sync_fd, &born) != 2) {
		fprintf(stderr, "cleat: init is internal to create and run\n");
		return 1;
	}
	unsetenv(CLEAT_SETUP_ENV);
	struct setup s = { .sync_fd = sync_fd, .born_in_v2 = born == 1, .fifo_fd = -1 };
	cleat_ns_plan_init(&s.ns);
	cleat_cgroup_join_init(&s.join);
	cleat_error_t err = NULL;
	if (setup_prepare(&s, &err) < 0 || setup_after_go(&s, &err) < 0)
		cleat_sync_fail(sync_fd, err);
	struct cleat_setup_args a = {
		.id = s.l.id,
		.config = s.config,
		.process = s.config->process,
		.bundle = s.l.bundle,
		.rootfs = s.l.rootfs,
		.sync_fd = sync_fd,
		.fifo_fd = s.fifo_fd,
		.ns = s.ns,
		.no_pivot = s.l.no_pivot,
		.no_new_keyring = s.l.no_new_keyring,
		.keep_fds = s.l.keep_fds,
		.listen_fds = s.l.listen_fds,
		.console = s.config->process && s.config->process->terminal,
		.idmap_fds = s.idmap,
		.cgroup_join = s.join.n > 0 ? &s.join : NULL,
	};
	memcpy(a.unshared, s.unshared, sizeof a.unshared);
	cleat_setup_helper_main(&a);
}
