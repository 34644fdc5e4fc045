/* Container setup, `cleat init`: the setup helper of create/run after it re-executed
 * from the sealed copy (linux/setup_helper.h); the parent started it first thing and
 * loaded the bundle meanwhile.  CLEAT_SYNC_LAUNCH then hands over, in a memfd, what
 * the parent decided: paths, flags and the config it parsed, copied into one block
 * (oci-spec/walk.h) that the setup helper maps and uses without parsing anything.
 * It opens its namespace files while the parent makes the state dir and the cgroup,
 * then waits for CLEAT_SYNC_GO, whose payload is the cgroup
 * (cleat_cgroup_to_string(); empty: the parent moved us) and whose fds are the files
 * to join it through, which the parent opened (cleat_cgroup_join_fds()); with an early clone
 * (cleat_setup_launch.early_clone) it does not wait: the container process reads GO. */
#include "config.h"
#include "runtime/container_setup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "oci-spec/walk.h"
#include "runtime/linux/rootfs.h"
#include "runtime/linux/seccomp.h"
#include "runtime/linux/selfexe.h"
#include "runtime/linux/setup_helper.h"
#include "runtime/linux/sync.h"

#define LAUNCH_MAGIC "cleat-l1"

/* The block: this head, then what its launch points to. */
struct launch_block {
	char magic[8];
	uint64_t size;
	uintptr_t built_at; /* the writer's address of the block */
	struct cleat_setup_launch l;
};

static void launch_walk(struct cleat_setup_launch *l, oci_walk_fn fn, struct oci_flat *f)
{
	oci_walk_string(&l->id, fn, f);
	oci_walk_string(&l->bundle, fn, f);
	oci_walk_string(&l->rootfs, fn, f);
	oci_walk_string(&l->state_dir, fn, f);
	oci_config_walk(&l->config, fn, f);
}

int cleat_setup_launch_write(const struct cleat_setup_launch *l, int *fd_out, cleat_error_t *err)
{
	struct cleat_setup_launch copy = *l;
	struct oci_flat f = { 0 };
	oci_flat_alloc(&f, sizeof(struct launch_block));
	launch_walk(&copy, oci_flat_put, &f);
	size_t size = f.used;
	_cleanup_free_ char *buf = xmalloc0(size);
	f = (struct oci_flat){ .base = buf };
	struct launch_block *b = oci_flat_alloc(&f, sizeof *b);
	memcpy(b->magic, LAUNCH_MAGIC, sizeof b->magic);
	b->size = size;
	b->built_at = (uintptr_t) buf;
	b->l = *l;
	launch_walk(&b->l, oci_flat_put, &f);
	_cleanup_close_ int fd = memfd_create("cleat-setup", MFD_CLOEXEC);
	if (fd < 0)
		return cleat_error_errno(err, errno, "memfd_create");
	if (write_all(fd, buf, size) < 0)
		return cleat_error_errno(err, errno, "write the setup helper's launch data");
	*fd_out = TAKE_FD(fd);
	return 0;
}

int cleat_setup_launch_map(int fd, const struct cleat_setup_launch **out, cleat_error_t *err)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return cleat_error_errno(err, errno, "stat the helper's launch data");
	size_t size = (size_t) st.st_size;
	if (size < sizeof(struct launch_block))
		return cleat_error_errno(err, EPROTO, "helper launch data: cut short");
	struct launch_block *b = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (b == MAP_FAILED)
		return cleat_error_errno(err, errno, "map the helper's launch data");
	if (memcmp(b->magic, LAUNCH_MAGIC, sizeof b->magic) != 0 || b->size != size) {
		munmap(b, size);
		return cleat_error_errno(err, EPROTO, "helper launch data: cut short or foreign");
	}
	struct oci_flat f = { .base = (char *) b, .size = size, .built_at = b->built_at };
	launch_walk(&b->l, oci_flat_relocate, &f);
	if (f.bad || !b->l.id || !b->l.bundle || !b->l.rootfs || !b->l.state_dir || !b->l.config ||
	    !b->l.config->process) {
		munmap(b, size);
		return cleat_error_errno(err, EPROTO, "helper launch data: points out of itself");
	}
	*out = &b->l;
	return 0;
}

/* Until GO: the launch, the namespace files, the seccomp program, idmapped mounts,
 * the early namespaces. */
static int setup_prepare(struct cleat_setup_args *a, cleat_error_t *err)
{
	if (!cleat_selfexe_is_sealed())
		return cleat_error_msg(err,
				       "cleat init does not run from the sealed copy of cleat");
	_cleanup_sync_msg_ struct cleat_sync_msg *m = NULL;
	if (cleat_sync_expect(a->sync_fd, CLEAT_SYNC_LAUNCH, "wait for the container's config", &m,
			      err) < 0)
		return -1;
	if (m->fd < 0)
		return cleat_error_errno(err, EPROTO, "sync: launch message without a fd");
	if (cleat_setup_launch_map(m->fd, &a->launch, err) < 0)
		return -1;
	const struct cleat_setup_launch *l = a->launch;
	if (cleat_ns_plan_build(l->config, &a->ns, err) < 0)
		return -1;
	/* The seccomp program, compiled or from the cache under the state root (the
	 * parent of state_dir), while the helper still sees the host's files. */
	const struct oci_linux *lx = l->config->linux_;
	if (lx && lx->seccomp) {
		size_t n = strlen(l->state_dir), k = strlen(l->id);
		_cleanup_free_ char *root = n > k + 1 && l->state_dir[n - k - 1] == '/'
						    ? xstrndup(l->state_dir, n - k - 1)
						    : NULL;
		cleat_seccomp_prepare(lx->seccomp, root);
	}
	/* Idmapped mounts need the host user namespace: made now, before any unshare. */
	if ((a->ns.create[CLEAT_NS_USER] || a->ns.join_fd[CLEAT_NS_USER] >= 0) &&
	    cleat_rootfs_open_idmapped(l->config, l->bundle, l->rootfs, &a->idmap_fds, err) < 0)
		return -1;
	/* The costliest of the namespaces (a network one, ~0.5 ms) need not wait for
	 * the cgroup: made while the parent makes it. */
	return cleat_setup_unshare_early(&a->ns, a->unshared, err);
}

/* After GO: the cgroup to join (into *join), and exec.fifo, both made by the parent
 * meanwhile. */
static int setup_after_go(struct cleat_setup_args *a, struct cleat_cgroup_join *join,
			  bool born_in_v2, cleat_error_t *err)
{
	int given = cleat_setup_recv_go(a->sync_fd, !born_in_v2, join, err);
	if (given < 0)
		return -1;
	if (given) {
		join->in_v2 = born_in_v2;
		if (join->n > 0)
			a->cgroup_join = join;
	}
	return a->launch->fifo ? cleat_setup_open_fifo(a->launch, &a->fifo_fd, err) : 0;
}

int cleat_setup_recv_go(int sync_fd, bool clone_into, struct cleat_cgroup_join *join,
			cleat_error_t *err)
{
	_cleanup_sync_msg_ struct cleat_sync_msg *m = NULL;
	if (cleat_sync_expect(sync_fd, CLEAT_SYNC_GO, "wait for cgroup setup", &m, err) < 0)
		return -1;
	if (m->len == 0)
		return 0;
	if (m->fd < 0)
		return cleat_cgroup_join_open_string(m->data, clone_into, join, err) < 0 ? -1 : 1;
	/* The parent opened the files (cleat_cgroup_join_fds()), off our critical path. */
	int fds[CLEAT_SCM_MAX_FDS];
	size_t n = 0;
	fds[n++] = TAKE_FD(m->fd);
	for (size_t i = 0; i < m->n_more; i++) {
		fds[n++] = m->more[i];
		m->more[i] = -1;
	}
	return cleat_cgroup_join_adopt_string(m->data, fds, n, clone_into, join, err) < 0 ? -1 : 1;
}

int cleat_setup_open_fifo(const struct cleat_setup_launch *l, int *fd, cleat_error_t *err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", l->state_dir, "exec.fifo");
	*fd = open(path, O_PATH | O_CLOEXEC);
	if (*fd < 0)
		return cleat_error_errno(err, errno, "open \"%s\"", path);
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
	struct cleat_setup_args a = { .sync_fd = sync_fd, .fifo_fd = -1 };
	struct cleat_cgroup_join join;
	cleat_ns_plan_init(&a.ns);
	cleat_cgroup_join_init(&join);
	cleat_error_t err = NULL;
	if (setup_prepare(&a, &err) < 0 ||
	    (!a.launch->early_clone && setup_after_go(&a, &join, born == 1, &err) < 0))
		cleat_sync_fail(sync_fd, err);
	cleat_setup_helper_main(&a);
}
