/* cleat create: state dir, setup helper + container process, cgroup, sync until
 * the container process is parked on exec.fifo, then exit.  A failed create
 * leaves nothing behind. */
#include "config.h"
#include "runtime/container.h"
#include "runtime/default_root.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "runtime/bundle.h"
#include "runtime/container_setup.h"
#include "runtime/linux/hooks.h"
#include "runtime/linux/mount_source.h"
#include "runtime/linux/resctrl.h"
#include "runtime/linux/netdev.h"
#include "runtime/linux/rootfs.h"
#include "runtime/linux/security.h"
#include "runtime/linux/setup_helper.h"
#include "runtime/linux/sync.h"
#include "runtime/linux/terminal.h"
#include "runtime/linux/userns.h"
#include "runtime/state_dir.h"

struct create_run {
	const struct cleat_ctx *ctx;
	const struct cleat_create_opts *o;
	struct cleat_container *c;
	char *config_text;
	size_t config_len;
	struct cleat_ns_plan ns;
	int console_sock;
	int sync_parent, sync_child;
	unsigned listen_fds; /* LISTEN_FDS passed to us (sd_listen_fds(3)) */
	pid_t helper; /* the setup helper */
	pid_t pid1; /* the container process (pid 1 of its pid namespace) */
	void *helper_stack; /* the helper ran on it until its exec: unmapped once it is gone */
	size_t helper_stack_size;
	int pty_master;
	bool dir_created;
	struct cleat_cgroup_join cg_join;
};

/* Kill (if still there: a zombie is only reaped) and reap a setup helper, and unmap the
 * stack it started on: it exec'd (it talked to us from `cleat init`) or is gone by now. */
static void reap_and_unmap(pid_t *helper, void **stack, size_t stack_size)
{
	if (*helper > 0 && waitpid(*helper, NULL, WNOHANG) != *helper) {
		kill(*helper, SIGKILL);
		while (waitpid(*helper, NULL, 0) < 0 && errno == EINTR)
			;
	}
	*helper = 0;
	if (*stack)
		munmap(*stack, stack_size);
	*stack = NULL;
}

static void stop_helper(struct create_run *r)
{
	reap_and_unmap(&r->helper, &r->helper_stack, r->helper_stack_size);
}

/* Take the container process's pid from an announcement (the early clone's may come
 * before GO, or before a failure): 1, or 0 when m is no announcement. */
static int take_announced_pid(struct create_run *r, const struct cleat_sync_msg *m,
			      cleat_error_t *err)
{
	int32_t pid;
	if (m->type != CLEAT_SYNC_PROCESS_PID)
		return 0;
	if (cleat_sync_msg_pid(m, &pid, err) < 0)
		return -1;
	r->pid1 = pid;
	r->c->init_pid = pid;
	return 1;
}

/* A create that fails before it read the announcement of an early clone: once the
 * setup helper is gone, the announcement is queued or will never come (the clone
 * then ends by itself: its gate closed).  Find it so that the cleanup kills it. */
static void find_announced(struct create_run *r)
{
	stop_helper(r);
	struct pollfd p = { r->sync_parent, POLLIN, 0 };
	while (r->pid1 <= 0 && r->sync_parent >= 0 && poll(&p, 1, 0) == 1 && (p.revents & POLLIN)) {
		_cleanup_sync_msg_ struct cleat_sync_msg *m = NULL;
		_cleanup_error_ cleat_error_t e = NULL;
		if (cleat_sync_recv(r->sync_parent, &m, &e) < 0 || !m)
			return;
		take_announced_pid(r, m, &e);
	}
}

static void create_run_cleanup(struct create_run *r, bool failed)
{
	if (failed) {
		if (r->pid1 <= 0 && r->helper > 0)
			find_announced(r);
		if (r->pid1 > 0) {
			kill(r->pid1, SIGKILL);
			while (waitpid(r->pid1, NULL, 0) < 0 && errno == EINTR)
				;
		}
		if (r->c && r->c->cgroup) {
			_cleanup_error_ cleat_error_t e = NULL;
			if (cleat_cgroup_destroy(r->c->cgroup, &e) < 0)
				cleat_warn("remove cgroup: %s", e->msg);
		}
		const struct oci_linux *l = r->c && r->c->config ? r->c->config->linux_ : NULL;
		_cleanup_error_ cleat_error_t re = NULL;
		if (r->dir_created && l)
			cleat_resctrl_cleanup(r->c->dir_fd, l->intel_rdt, r->o->id, &re);
		if (r->dir_created) {
			_cleanup_error_ cleat_error_t e = NULL;
			if (rm_rf(r->c->state_dir, &e) < 0)
				cleat_warn("remove state directory: %s", e->msg);
		}
		if (r->pty_master >= 0)
			close(r->pty_master);
	}
	stop_helper(r);
	cleat_ns_plan_close(&r->ns);
	cleat_cgroup_join_close(&r->cg_join);
	for (int *fd = (int[]){ r->console_sock, r->sync_parent, r->sync_child, -2 }; *fd != -2;
	     fd++)
		if (*fd >= 0)
			close(*fd);
	if (r->c)
		cleat_container_free(r->c);
	free(r->config_text);
}

/* Bundle, config.json, rootfs: everything checked before any state exists. */
static int load_bundle(struct create_run *r, cleat_error_t *err)
{
	return cleat_bundle_load(r->o->bundle, &r->config_text, &r->config_len, &r->c, err);
}

/* runc's --rootless=auto (the default): rootless when not root, and when root
 * inside a user namespace with the cgroupfs driver (rootless podman runs the
 * runtime as its namespace's root: the cgroup tree is then not ours to write,
 * unless delegated). */
static bool is_rootless(const struct cleat_ctx *ctx)
{
	if (ctx->rootless == NULL || strcmp(ctx->rootless, "auto") == 0)
		return geteuid() != 0 || (!ctx->systemd_cgroup && cleat_in_user_namespace());
	return strcmp(ctx->rootless, "true") == 0;
}

static int check_options(struct create_run *r, cleat_error_t *err)
{
	const struct oci_process *p = r->c->config->process;
	if (p->terminal && !r->o->console_socket && !r->o->foreground)
		return cleat_error_msg(
			err,
			"cannot allocate tty if runc will detach without setting console socket");
	if (r->o->console_socket && (!p->terminal || r->o->foreground))
		return cleat_error_msg(
			err, "cannot use console socket if runc will not detach or allocate tty");
	if (cleat_ns_plan_build(r->c->config, &r->ns, err) < 0)
		return -1;
	/* Mappings given with a joined user namespace must be its own: checked
	 * here once (it forks to read them), not again in the setup helper. */
	if (r->ns.join_fd[CLEAT_NS_USER] >= 0 &&
	    cleat_userns_check_joined(r->ns.join_fd[CLEAT_NS_USER], r->c->config->linux_, err) < 0)
		return -1;
	if (cleat_netdev_check(r->c->config, &r->ns, is_rootless(r->ctx), err) < 0)
		return -1;
	if (p->has_capabilities && cleat_caps_validate(&p->capabilities, err) < 0)
		return -1;
	if (cleat_rootfs_check_mounts(r->c->config, err) < 0)
		return -1;
	/* runtime-spec: no mounted resctrl is an error (before anything is made) */
	const struct oci_linux *l = r->c->config->linux_;
	_cleanup_free_ char *resctrl = NULL;
	if (l && l->intel_rdt && cleat_resctrl_root(&resctrl, err) < 0)
		return -1;
	return 0;
}

/* linux.intelRdt: the container process joins its CLOS (and monitoring) group before it
 * waits for start; a group made here is recorded for delete. */
static int setup_intel_rdt(struct create_run *r, cleat_error_t *err)
{
	const struct oci_linux *l = r->c->config->linux_;
	if (!l || !l->intel_rdt)
		return 0;
	_cleanup_free_ char *root = NULL;
	bool created = false;
	if (cleat_resctrl_root(&root, err) < 0 ||
	    cleat_resctrl_apply(root, l->intel_rdt, r->o->id, r->pid1, &created, err) < 0)
		return -1;
	if (created && write_file_at(r->c->dir_fd, CLEAT_RESCTRL_CREATED, "", 0, 0600, err) < 0) {
		_cleanup_error_ cleat_error_t e = NULL;
		cleat_resctrl_remove(root, l->intel_rdt, r->o->id, true, &e);
		return -1;
	}
	return 0;
}

static int make_state(struct create_run *r, cleat_error_t *err)
{
	const struct cleat_ctx *ctx = r->ctx;
	struct cleat_container *c = r->c;
	c->id = xstrdup(r->o->id);
	c->root = xstrdup(ctx->root);
	c->state_dir = xasprintf("%s/%s", ctx->root, r->o->id);
	if (cleat_state_dir_create(ctx->root, r->o->id, &c->dir_fd, &c->lock_fd, err) < 0)
		return -1;
	r->dir_created = true;
	c->created = cleat_rfc3339_now();
	c->owner = geteuid();
	c->systemd_cgroup = ctx->systemd_cgroup;
	c->rootless = is_rootless(ctx);
	c->no_pivot = r->o->no_pivot;
	c->no_new_keyring = r->o->no_new_keyring;
	if (write_file_at(c->dir_fd, CLEAT_CONFIG_FILE, r->config_text, r->config_len, 0600, err) <
	    0)
		return -1;
	if (!r->o->direct_start) {
		/* 0622: the container process may have switched to an unprivileged uid when
		 * it opens it. */
		if (mkfifoat(c->dir_fd, CLEAT_EXEC_FIFO, 0622) < 0)
			return cleat_error_errno(err, errno, "mkfifo \"%s/%s\"", c->state_dir,
						 CLEAT_EXEC_FIFO);
		if (fchmodat(c->dir_fd, CLEAT_EXEC_FIFO, 0622, 0) < 0)
			return cleat_error_errno(err, errno, "chmod \"%s/%s\"", c->state_dir,
						 CLEAT_EXEC_FIFO);
	}
	/* cgroupfs: setup_cgroup() saves the state right after this, with the cgroup in it;
	 * the systemd scope only exists after the spawn, so save now too. */
	return r->ctx->systemd_cgroup ? cleat_state_save(c, err) : 0;
}

static unsigned listen_fds_from_env(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	long long p, n;
	/* sd_listen_fds(3): the fds are ours only when LISTEN_PID names us. */
	if (!pid || !fds || parse_int(pid, 1, INT_MAX, &p) < 0 || p != getpid() ||
	    parse_int(fds, 1, 1024, &n) < 0)
		return 0;
	return (unsigned) n;
}

static bool wants_userns(const struct create_run *r)
{
	return r->ns.create[CLEAT_NS_USER] || r->ns.join_fd[CLEAT_NS_USER] >= 0;
}

/* Start the setup helper; it re-executes the sealed copy of cleat
 * (linux/setup_helper.h) while we go on. */
static int spawn(struct create_run *r, cleat_error_t *err)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return cleat_error_errno(err, errno, "socketpair");
	r->sync_parent = sv[0];
	r->sync_child = sv[1];
	/* With a user namespace, the setup helper could not clone the container process
	 * into the cgroup2 directory from inside it: it is born there instead (the
	 * cgroup exists). */
	struct cleat_setup_spawn x = {
		.argv0 = r->ctx->argv0,
		.sync_fd = r->sync_child,
		.keep_fds = r->listen_fds + r->o->preserve_fds,
		.born_into = r->cg_join.v2_dir >= 0 ? &r->cg_join : NULL,
		.moved_by_pid = r->ctx->systemd_cgroup,
		.state_root = r->ctx->root,
	};
	r->helper = cleat_setup_helper_spawn(&x, err);
	r->helper_stack = x.stack;
	r->helper_stack_size = x.stack_size;
	cleat_cgroup_join_close(&r->cg_join);
	if (r->helper < 0)
		return -1;
	close(r->sync_child);
	r->sync_child = -1;
	return 0;
}

/* A user-namespaced setup helper could not clone the container process into the
 * cgroup2 directory
 * from inside its namespace, and moving itself there costs an RCU grace period:
 * on cgroup2, replace the early helper by one started inside the cgroup. */
static int respawn_in_cgroup(struct create_run *r, cleat_error_t *err)
{
	if (r->cg_join.v2_dir < 0)
		return 0;
	stop_helper(r);
	close(r->sync_parent);
	r->sync_parent = -1;
	return spawn(r, err);
}

/* The container process may be cloned, and make its mounts, while we make the state
 * directory and the cgroup: on cgroupfs v1, where it joins the hierarchies itself (at
 * its join point, which waits for GO).  Not with systemd (the scope moves the helper by
 * pid), a user namespace (the maps, idmapped sources and the cgroup2 clone go through
 * us first), a cgroup2 tree (it is born in its cgroup2 directory: clone3), or a mount
 * namespace joined by path (the container process opens the tasks files and exec.fifo
 * from its own mount namespace: a copy of ours, not one that may lack them). */
static bool early_clone(const struct create_run *r)
{
	return !r->ctx->systemd_cgroup && !wants_userns(r) && r->ns.join_fd[CLEAT_NS_MNT] < 0 &&
	       cleat_cgroup_detect() == CLEAT_CGROUP_V1;
}

/* What `cleat init` needs, the config this process parsed included. */
static int send_launch(struct create_run *r, cleat_error_t *err)
{
	_cleanup_free_ char *state_dir = xasprintf("%s/%s", r->ctx->root, r->o->id);
	struct cleat_setup_launch l = {
		.id = (char *) r->o->id, /* only read: the launch is a copy */
		.bundle = r->c->bundle,
		.rootfs = r->c->rootfs,
		.state_dir = state_dir,
		.no_pivot = r->o->no_pivot,
		.no_new_keyring = r->o->no_new_keyring,
		.fifo = !r->o->direct_start,
		.early_clone = early_clone(r),
		.keep_fds = r->listen_fds + r->o->preserve_fds,
		.listen_fds = r->listen_fds,
		.config = r->c->config,
	};
	_cleanup_close_ int payload = -1;
	if (cleat_setup_launch_write(&l, &payload, err) < 0)
		return -1;
	return cleat_sync_send(r->sync_parent, CLEAT_SYNC_LAUNCH, 0, NULL, 0, payload, err);
}

/* GO: the setup helper, or the early-cloned container process, may join the cgroup
 * (its description is the payload; empty when the parent moved it: systemd).  One that
 * already failed left its error (after the announcement of an early clone). */
static int send_go(struct create_run *r, cleat_error_t *err)
{
	const char *cg = r->ctx->systemd_cgroup || !r->c->cgroup_str ? "" : r->c->cgroup_str;
	/* The files to join through, opened here while the other side works: it adopts
	 * them (the kernel checks the opener's credentials, ours as its). */
	struct cleat_cgroup_join j;
	int fds[CLEAT_SCM_MAX_FDS];
	size_t n = 0;
	cleat_cgroup_join_init(&j);
	if (*cg && r->c->cgroup) {
		if (cleat_cgroup_join_open(r->c->cgroup, true, &j, err) < 0)
			return -1;
		n = cleat_cgroup_join_fds(&j, fds, CLEAT_SCM_MAX_FDS);
		if (n < j.n + (j.v2_dir >= 0))
			n = 0; /* too many: the other side opens them */
	}
	int sent = cleat_sync_send_fds(r->sync_parent, CLEAT_SYNC_GO, cg, strlen(cg), fds, n, err);
	cleat_cgroup_join_close(&j);
	if (sent == 0)
		return 0;
	for (;;) {
		_cleanup_sync_msg_ struct cleat_sync_msg *m = NULL;
		_cleanup_error_ cleat_error_t e = NULL;
		if (cleat_sync_recv(r->sync_parent, &m, &e) < 0 || !m)
			return -1;
		if (take_announced_pid(r, m, &e) != 0)
			continue;
		if (m->type != CLEAT_SYNC_ERROR)
			return -1;
		cleat_error_free(err);
		return cleat_sync_log(m, err);
	}
}

static int record_cgroup(struct create_run *r, cleat_error_t *err)
{
	free(r->c->cgroup_str);
	r->c->cgroup_str = cleat_cgroup_to_string(r->c->cgroup);
	return cleat_state_save(r->c, err);
}

/* cgroupfs: made before the spawn, the helper joins it by itself (no
 * grace period, see cgroups.h); systemd: the scope is started with the
 * helper's pid after the spawn.
 *
 * The cgroup is recorded in state.json before its first directory is made,
 * and again once made: a create killed at any point leaves either no
 * state.json (nothing made yet but the state directory and a helper outside
 * any cgroup, which dies with us: PR_SET_PDEATHSIG, and EOF on its sync
 * socket) or one that names every directory it may have made.  `delete`
 * then kills whatever is in them and removes those that exist. */
static int setup_cgroup(struct create_run *r, pid_t pid, cleat_error_t *err)
{
	const struct oci_config *cfg = r->c->config;
	struct cleat_cgroup_opts co = {
		.id = r->c->id,
		.cgroups_path = cfg->linux_ ? cfg->linux_->cgroups_path : NULL,
		.systemd = r->ctx->systemd_cgroup,
		.rootless = r->c->rootless,
		.resources = cfg->linux_ ? cfg->linux_->resources : NULL,
		.config = cfg,
	};
	if (cleat_cgroup_plan(&co, &r->c->cgroup, err) < 0 || record_cgroup(r, err) < 0 ||
	    cleat_cgroup_make(r->c->cgroup, &co, pid, err) < 0)
		return -1;
	/* Only to clone a user-namespaced helper into the cgroup2 directory. */
	if (pid == 0 && wants_userns(r) &&
	    cleat_cgroup_join_open(r->c->cgroup, true, &r->cg_join, err) < 0)
		return -1;
	/* What making it learned: the controllers of each directory. */
	return record_cgroup(r, err);
}

static int handle_console(struct create_run *r, int master, cleat_error_t *err)
{
	if (r->console_sock >= 0)
		return cleat_console_send(r->console_sock, master, err);
	if (r->pty_master < 0) {
		r->pty_master = fcntl(master, F_DUPFD_CLOEXEC, 3);
		cleat_terminal_clear_onlcr(master);
	}
	return 0;
}

static int run_parent_hooks(struct create_run *r, cleat_error_t *err)
{
	const struct oci_hooks *h = &r->c->config->hooks;
	r->c->status = CLEAT_STATUS_CREATING;
	_cleanup_free_ char *state = cleat_container_spec_state_json(r->c);
	/* runc's order: the deprecated prestart first, then createRuntime. */
	if (cleat_hooks_run(h->prestart, h->n_prestart, "prestart", state, err) < 0)
		return -1;
	if (cleat_hooks_run(h->create_runtime, h->n_create_runtime, "createRuntime", state, err) <
	    0)
		return -1;
	return cleat_sync_send(r->sync_parent, CLEAT_SYNC_HOOKS_DONE, 0, state, strlen(state), -1,
			       err);
}

/* SCMP_ACT_NOTIFY: listenerPath is a host path, so the parent sends the container
 * process's listener fd with the state (status creating, its pid), as runc does. */
static int handle_seccomp(struct create_run *r, int fd, cleat_error_t *err)
{
	const struct oci_linux *l = r->c->config->linux_;
	r->c->status = CLEAT_STATUS_CREATING;
	_cleanup_free_ char *state = cleat_container_spec_state_json(r->c);
	return cleat_sync_serve_seccomp_fd(r->sync_parent, l ? l->seccomp : NULL, fd, state, 0,
					   err);
}

/* Reap pid if it exits within about a second; false when it did not. */
static bool reap_soon(pid_t pid, int *status)
{
	for (int i = 0; i < 1000; i++) {
		pid_t w = waitpid(pid, status, WNOHANG);
		if (w == pid)
			return true;
		if (w < 0 && errno != EINTR)
			return false;
		nanosleep(&(struct timespec){ 0, 1000 * 1000 }, NULL);
	}
	return false;
}

/* The sync socket closed before READY: the setup helper, and the container process
 * once announced,
 * exited (both hold it until then) or are about to.  Say how the one that failed
 * ended; a SIGKILL while the cgroup counts OOM kills was the OOM killer. */
static int setup_gone_error(struct create_run *r, cleat_error_t *err)
{
	int st = 0;
	bool known = false;
	if (r->helper > 0 && reap_soon(r->helper, &st)) {
		r->helper = 0;
		known = !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	if (!known && r->pid1 > 0 && reap_soon(r->pid1, &st)) {
		r->pid1 = 0;
		known = true;
	}
	bool killed = known && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
	if (killed && r->c->cgroup && cleat_cgroup_oom_kills(r->c->cgroup) > 0) {
		const struct oci_linux *l = r->c->config->linux_;
		const struct oci_resources *res = l ? l->resources : NULL;
		_cleanup_free_ char *limit =
			res && res->has_memory && res->memory.has_limit
				? xasprintf(
					  "the memory limit (linux.resources.memory.limit = %lld)",
					  (long long) res->memory.limit)
				: xstrdup("the memory limits");
		return cleat_error_msg(err,
				       "container init was killed by the OOM killer during setup: "
				       "%s could be too low",
				       limit);
	}
	if (known && WIFSIGNALED(st))
		return cleat_error_msg(
			err, "container init was killed by signal %d (%s) before it was ready",
			WTERMSIG(st), strsignal(WTERMSIG(st)));
	if (known && WIFEXITED(st))
		return cleat_error_msg(err,
				       "container init exited with status %d before it was ready",
				       WEXITSTATUS(st));
	return cleat_error_msg(err, "container init exited before it was ready");
}

/* Serve the setup helper and the container process until the latter is parked on
 * exec.fifo. */
static int serve(struct create_run *r, cleat_error_t *err)
{
	for (;;) {
		_cleanup_sync_msg_ struct cleat_sync_msg *m = NULL;
		if (cleat_sync_recv(r->sync_parent, &m, err) < 0)
			return -1;
		if (m == NULL)
			return setup_gone_error(r, err);
		int logged = cleat_sync_log(m, err);
		if (logged < 0)
			return -1;
		if (logged > 0)
			continue;
		switch (m->type) {
		case CLEAT_SYNC_USERNS_MAP:
			if (cleat_userns_write_maps(r->helper, r->c->config->linux_, err) < 0)
				return -1;
			if (cleat_sync_send_type(r->sync_parent, CLEAT_SYNC_USERNS_DONE, err) < 0)
				return -1;
			break;
		case CLEAT_SYNC_PROCESS_PID: {
			if (take_announced_pid(r, m, err) < 0)
				return -1;
			/* In place before any hook runs or the process starts. */
			if (cleat_netdev_move_all(r->c->config, r->pid1, err) < 0)
				return -1;
			/* The setup helper exits now; reaped once the container
			 * process is ready, not while it talks to us. */
			break;
		}
		case CLEAT_SYNC_CONSOLE:
			if (m->fd < 0)
				return cleat_error_errno(err, EPROTO,
							 "sync: console message without a fd");
			if (handle_console(r, m->fd, err) < 0)
				return -1;
			break;
		case CLEAT_SYNC_HOOKS:
			cleat_debug("create %s: rootfs prepared, running createRuntime hooks",
				    r->c->id);
			if (run_parent_hooks(r, err) < 0)
				return -1;
			break;
		case CLEAT_SYNC_SECCOMP:
			if (handle_seccomp(r, m->fd, err) < 0)
				return -1;
			break;
		case CLEAT_SYNC_MOUNT_SOURCE:
			if (cleat_mount_source_serve(r->sync_parent, m, r->c->config, r->c->bundle,
						     r->pid1, err) < 0)
				return -1;
			break;
		case CLEAT_SYNC_READY: return 0;
		default:
			return cleat_error_errno(err, EPROTO, "sync: unexpected message %u",
						 m->type);
		}
	}
}

static int sync_loop(struct create_run *r, cleat_error_t *err)
{
	if (serve(r, err) == 0)
		return 0;
	/* A message we sent (after a prestart hook, say) found nobody at the other end:
	 * that is the container process's exit too, not a sync error. */
	struct pollfd p = { r->sync_parent, POLLIN, 0 };
	if (*err && ((*err)->errnum == EPIPE || (*err)->errnum == ECONNRESET) &&
	    poll(&p, 1, 0) == 1 && (p.revents & POLLHUP)) {
		cleat_error_free(err);
		return setup_gone_error(r, err);
	}
	return -1;
}

/* The setup helper exits right after announcing the container process: by now it is
 * a zombie, reaped without a kill.  `create` exits right after: its stack goes with
 * this process, without an unmap (the helper ran on another CPU in this address
 * space: unmapping it costs a TLB shootdown there). */
static void reap_helper(struct create_run *r)
{
	if (!r->o->direct_start)
		r->helper_stack = NULL;
	stop_helper(r);
}

/* A zombie still counts in pids.current until reaped: with a pids limit (pids.limit,
 * or a pids key of linux.resources.unified) the helper is reaped before the limit and
 * the start.  Without one, `run` leaves it (and its stack) to
 * cleat_created_reap_helper(), after the start, while the container process runs. */
static bool reap_after_start(const struct create_run *r)
{
	const struct oci_linux *l = r->c->config->linux_;
	const struct oci_resources *res = l ? l->resources : NULL;
	if (!r->o->direct_start)
		return false;
	for (size_t i = 0; res && i < res->n_unified; i++)
		if (str_has_prefix(res->unified[i].key, "pids."))
			return false;
	return !(res && res->has_pids);
}

void cleat_created_reap_helper(struct cleat_created *out)
{
	reap_and_unmap(&out->helper, &out->helper_stack, out->helper_stack_size);
}

/* Killed (SIGKILL) at any point, create leaves only what `delete --force` finds
 * and removes, in this order:
 *  1. the setup helper: in no cgroup, it dies with us (PR_SET_PDEATHSIG, checked
 *     against a parent already gone; and EOF on its sync socket);
 *  2. the state directory (make_state): mkdir, then its lock, config.json,
 *     exec.fifo; without state.json it is a stopped container's, removed whole;
 *  3. state.json naming the cgroup's directories, then the directories
 *     (setup_cgroup); delete kills what is in them and removes those that exist;
 *  4. GO: only now does the setup helper join the cgroup and clone the container
 *     process into it,
 *     so any process that can outlive us is in a cgroup that state.json names;
 *     the early clone (early_clone(): cgroupfs v1) exists before, but dies with us
 *     (PR_SET_PDEATHSIG, checked against its sync socket) until it joined at its
 *     join point, which waits for GO;
 *  5. state.json with the container process's pid. */
static int create_steps(struct create_run *r, struct cleat_created *out, cleat_error_t *err)
{
	if (cleat_container_validate_id(r->o->id, err) < 0)
		return -1;
	r->listen_fds = listen_fds_from_env();
	/* First thing: the setup helper's exec of the sealed copy overlaps everything up to
	 * the cgroup. */
	if (spawn(r, err) < 0)
		return -1;
	if (load_bundle(r, err) < 0 || check_options(r, err) < 0)
		return -1;
	if (!wants_userns(r) && send_launch(r, err) < 0)
		return -1;
	if (r->o->console_socket &&
	    cleat_console_socket_connect(r->o->console_socket, &r->console_sock, err) < 0)
		return -1;
	cleat_debug("create %s: config loaded", r->o->id);
	if (make_state(r, err) < 0)
		return -1;
	cleat_debug("create %s: state directory ready", r->o->id);
	if (!r->ctx->systemd_cgroup && setup_cgroup(r, 0, err) < 0)
		return -1;
	if (wants_userns(r) && (respawn_in_cgroup(r, err) < 0 || send_launch(r, err) < 0))
		return -1;
	if (r->ctx->systemd_cgroup && setup_cgroup(r, r->helper, err) < 0)
		return -1;
	cleat_debug("create %s: cgroup %s ready", r->o->id, r->c->cgroup_str);
	if (send_go(r, err) < 0)
		return -1;
	if (sync_loop(r, err) < 0)
		return -1;
	if (!reap_after_start(r))
		reap_helper(r);
	/* The container process waits for start: its limit is in before anything of
	 * the container runs. */
	if (r->c->cgroup &&
	    cleat_cgroup_limit_pids(r->c->cgroup,
				    r->c->config->linux_ ? r->c->config->linux_->resources : NULL,
				    err) < 0)
		return cleat_error_wrap(err, "linux.resources.pids");
	if (setup_intel_rdt(r, err) < 0)
		return -1;
	cleat_debug("create %s: init %d ready", r->o->id, (int) r->pid1);
	r->c->init_start_time = cleat_proc_start_time(r->pid1);
	if (r->c->init_start_time == 0)
		return cleat_error_msg(err, "container init (pid %d) exited during create",
				       (int) r->pid1);
	if (cleat_state_save(r->c, err) < 0)
		return -1;
	if (r->o->pid_file) {
		char buf[32];
		int n = snprintf(buf, sizeof buf, "%d", (int) r->pid1);
		if (write_file_atomic(r->o->pid_file, buf, (size_t) n, 0644, err) < 0)
			return -1;
	}
	if (r->o->pidfd_socket &&
	    cleat_pidfd_send(r->o->pidfd_socket, r->pid1, "standard", err) < 0)
		return -1;
	out->init_pid = r->pid1;
	out->pty_master = r->pty_master;
	r->pty_master = -1;
	if (r->o->direct_start) {
		out->container = TAKE_PTR(r->c);
		out->start_fd = TAKE_FD(r->sync_parent);
		out->helper = r->helper;
		out->helper_stack = r->helper_stack;
		out->helper_stack_size = r->helper_stack_size;
		r->helper = 0;
		r->helper_stack = NULL;
	}
	return 0;
}

int cleat_container_create(const struct cleat_ctx *ctx, const struct cleat_create_opts *o,
			   struct cleat_created *out, cleat_error_t *err)
{
	struct create_run r = { .ctx = ctx,
				.o = o,
				.console_sock = -1,
				.sync_parent = -1,
				.sync_child = -1,
				.pty_master = -1 };
	cleat_ns_plan_init(&r.ns);
	cleat_cgroup_join_init(&r.cg_join);
	out->init_pid = 0;
	out->pty_master = -1;
	out->container = NULL;
	out->start_fd = -1;
	out->helper = 0;
	out->helper_stack = NULL;
	int ret = create_steps(&r, out, err);
	create_run_cleanup(&r, ret < 0);
	return ret;
}
