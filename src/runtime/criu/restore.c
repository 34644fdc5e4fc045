/* cleat restore: a new container from the bundle, its tree restored by criu
 * through its RPC (criu_rpc.h): the prestart and createRuntime hooks run at
 * criu's "setup-namespaces", the master of a restored terminal goes to
 * --console-socket at "orphan-pts-master", as runc does. */
#include "config.h"
#include "runtime/criu/criu.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "common/cleanup.h"
#include "common/exit_status.h"
#include "common/log.h"
#include "common/util.h"
#include "runtime/bundle.h"
#include "runtime/container.h"
#include "runtime/criu/criu_args.h"
#include "runtime/criu/criu_rpc.h"
#include "runtime/criu/criu_run.h"
#include "runtime/linux/hooks.h"
#include "runtime/linux/terminal.h"
#include "runtime/state_dir.h"

#define CRIU_ROOT "criu-root"

struct restore_run {
	const struct cleat_ctx *ctx;
	const struct cleat_criu_opts *o;
	struct cleat_container *c;
	char *config_text;
	size_t config_len;
	struct cleat_criu_dirs dirs;
	struct cleat_criu_cmd cmd;
	struct cleat_criu_req req;
	/* --console-socket, connected before criu runs. */
	int console_sock;
	/* A foreground restore of a terminal without a console socket: the new master,
	 * proxied to our stdio as run does. */
	bool keep_master;
	int pty_master;
	char *criu_root; /* the rootfs bind-mounted here while criu runs */
	bool dir_created, mounted;
	int ns_fds[2];
	/* The cgroup, made once criu's process can be put in it. */
	struct cleat_cgroup_opts cg_opts;
};

static int load_bundle(struct restore_run *r, const char *id, cleat_error_t *err)
{
	if (cleat_bundle_load(r->o->bundle, &r->config_text, &r->config_len, &r->c, err) < 0)
		return -1;
	r->c->id = xstrdup(id);
	const struct oci_config *cfg = r->c->config;
	/* The restored terminal's new master goes to the console socket, or to us in
	 * the foreground (--shell-job keeps the terminal criu is run on instead); a
	 * detached restore without a console socket has nowhere to send it (runc's
	 * refusal too). */
	bool terminal = cfg->process->terminal && !r->o->shell_job;
	if (terminal && !r->o->console_socket && r->o->detach)
		return cleat_error_msg(err,
				       "process.terminal: a detached restore of a container with a "
				       "terminal needs --console-socket (or --shell-job)");
	r->keep_master = terminal && !r->o->console_socket;
	if (r->o->console_socket &&
	    cleat_console_socket_connect(r->o->console_socket, &r->console_sock, err) < 0)
		return -1;
	return 0;
}

/* The state directory, config.json and the cgroup, as create makes them. */
static int make_state(struct restore_run *r, cleat_error_t *err)
{
	struct cleat_container *c = r->c;
	c->root = xstrdup(r->ctx->root);
	c->state_dir = xasprintf("%s/%s", r->ctx->root, c->id);
	if (cleat_state_dir_create(r->ctx->root, c->id, &c->dir_fd, &c->lock_fd, err) < 0)
		return -1;
	r->dir_created = true;
	c->created = cleat_rfc3339_now();
	c->owner = geteuid();
	c->systemd_cgroup = r->ctx->systemd_cgroup;
	c->no_pivot = r->o->no_pivot;
	if (write_file_at(c->dir_fd, CLEAT_CONFIG_FILE, r->config_text, r->config_len, 0600, err) <
	    0)
		return -1;
	const struct oci_linux *l = c->config->linux_;
	r->cg_opts = (struct cleat_cgroup_opts){
		.id = c->id,
		.cgroups_path = l ? l->cgroups_path : NULL,
		.systemd = r->ctx->systemd_cgroup,
		.resources = l ? l->resources : NULL,
		.config = c->config,
	};
	if (cleat_cgroup_plan(&r->cg_opts, &c->cgroup, err) < 0)
		return -1;
	c->cgroup_str = cleat_cgroup_to_string(c->cgroup);
	return cleat_state_save(c, err);
}

/* criu restores the mount namespace on top of this bind of the rootfs. */
static int mount_root(struct restore_run *r, cleat_error_t *err)
{
	r->criu_root = xasprintf("%s/%s", r->c->state_dir, CRIU_ROOT);
	if (mkdir(r->criu_root, 0755) < 0 && errno != EEXIST)
		return cleat_error_errno(err, errno, "mkdir \"%s\"", r->criu_root);
	if (mount(r->c->rootfs, r->criu_root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return cleat_error_errno(err, errno, "bind \"%s\" on \"%s\"", r->c->rootfs,
					 r->criu_root);
	r->mounted = true;
	return 0;
}

/* descriptors.json: the init's stdio pipes at dump time become ours (criu's fd
 * 0..2, passed on as is), as runc does; other targets are restored by path. */
static int inherit_stdio(struct restore_run *r, cleat_error_t *err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", r->dirs.image, CLEAT_CRIU_DESCRIPTORS);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	if (read_file(path, &text, &len, err) < 0)
		return cleat_error_wrap(err, "checkpoint image");
	char ebuf[256];
	yajl_val v = yajl_tree_parse(text, ebuf, sizeof ebuf);
	if (!v || !YAJL_IS_ARRAY(v)) {
		yajl_tree_free(v);
		return cleat_error_msg(err, "%s: not a JSON array of strings", path);
	}
	for (size_t i = 0; i < v->u.array.len && i < 3; i++) {
		const char *s = YAJL_GET_STRING(v->u.array.values[i]);
		if (s && str_has_prefix(s, "pipe:"))
			cleat_criu_req_inherit_fd(&r->req, s, (int) i);
	}
	yajl_tree_free(v);
	return 0;
}

static void external_mounts(struct restore_run *r)
{
	const struct oci_config *cfg = r->c->config;
	for (size_t i = 0; i < cfg->n_mounts; i++)
		if (cleat_criu_is_bind(&cfg->mounts[i]))
			cleat_criu_req_external(&r->req, "mnt[%s]:%s", cfg->mounts[i].destination,
						cfg->mounts[i].source ? cfg->mounts[i].source : "");
	const struct oci_linux *l = cfg->linux_;
	if (l && l->n_masked_paths)
		cleat_criu_req_external(&r->req, "mnt[/dev/null]:/dev/null");
	for (size_t i = 0; l && i < l->n_devices; i++)
		cleat_criu_req_external(&r->req, "mnt[%s]:%s", l->devices[i].path,
					l->devices[i].path);
}

/* Namespaces joined by path: their fds for criu's extRootNetNS / extRootPidNS. */
static int external_namespaces(struct restore_run *r, cleat_error_t *err)
{
	static const struct {
		const char *type, *key;
	} ext[] = { { "network", "extRootNetNS" }, { "pid", "extRootPidNS" } };
	const struct oci_linux *l = r->c->config->linux_;
	for (size_t i = 0; l && i < l->n_namespaces; i++)
		for (size_t k = 0; k < ARRAY_SIZE(ext); k++) {
			const struct oci_namespace *ns = &l->namespaces[i];
			if (!ns->path || strcmp(ns->type, ext[k].type) != 0)
				continue;
			int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				return cleat_error_errno(
					err, errno, "linux.namespaces: %s namespace path \"%s\"",
					ns->type, ns->path);
			r->ns_fds[k] = fd;
			r->cmd.keep[r->cmd.n_keep++] = fd;
			cleat_criu_req_inherit_fd(&r->req, ext[k].key, fd);
		}
	return 0;
}

static int restore_opts(struct restore_run *r, cleat_error_t *err)
{
	CriuOpts *q = &r->req.opts;
	if (cleat_criu_common_opts(&r->req, &r->cmd, &r->dirs, "restore.log", r->o, err) < 0)
		return -1;
	/* The root task is forked as our child (rst_sibling): criu answers once it is
	 * restored, and a foreground restore waits for it like run does. */
	q->has_rst_sibling = q->rst_sibling = true;
	q->has_evasive_devices = q->evasive_devices = true;
	/* Only with somewhere for the master to go. */
	q->has_orphan_pts_master = q->orphan_pts_master = r->console_sock >= 0 || r->keep_master;
	q->root = r->criu_root;
	q->lsm_profile = (char *) r->o->lsm_profile;
	q->lsm_mount_context = (char *) r->o->lsm_mount_context;
	external_mounts(r);
	if (external_namespaces(r, err) < 0 || inherit_stdio(r, err) < 0)
		return -1;
	r->cmd.cgroup = r->c->cgroup;
	r->cmd.cgroup_make = &r->cg_opts;
	return 0;
}

/* "setup-namespaces": runc runs prestart then createRuntime with the state it has
 * then, status "stopped" and the restored init's pid. */
static int on_setup_namespaces(void *data, pid_t pid, cleat_error_t *err)
{
	struct restore_run *r = data;
	const struct oci_hooks *h = &r->c->config->hooks;
	if (!h->n_prestart && !h->n_create_runtime)
		return 0;
	r->c->status = CLEAT_STATUS_CREATING;
	r->c->init_pid = pid;
	_cleanup_free_ char *creating = cleat_container_spec_state_json(r->c);
	r->c->init_pid = 0;
	_cleanup_free_ char *state = cleat_hooks_state_with_status(creating, "stopped");
	if (cleat_hooks_run(h->prestart, h->n_prestart, "prestart", state, err) < 0)
		return -1;
	return cleat_hooks_run(h->create_runtime, h->n_create_runtime, "createRuntime", state, err);
}

/* "orphan-pts-master": the new master of the restored terminal, as create sends it. */
static int on_orphan_pts_master(void *data, int master, cleat_error_t *err)
{
	struct restore_run *r = data;
	if (r->console_sock >= 0)
		return cleat_console_send(r->console_sock, master, err);
	if (r->keep_master && r->pty_master < 0) {
		r->pty_master = fcntl(master, F_DUPFD_CLOEXEC, 3);
		if (r->pty_master < 0)
			return cleat_error_errno(err, errno, "keep the restored pty master");
		cleat_terminal_clear_onlcr(r->pty_master);
	}
	return 0;
}

static int record_init(struct restore_run *r, pid_t pid, cleat_error_t *err)
{
	struct cleat_container *c = r->c;
	c->init_pid = pid;
	c->init_start_time = cleat_proc_start_time(c->init_pid);
	if (c->init_start_time == 0)
		return cleat_error_msg(err, "restored init (pid %d) exited", (int) c->init_pid);
	/* pids.max once criu's own processes have left the cgroup, as create sets it
	 * once its helper has. */
	if (cleat_cgroup_limit_pids(c->cgroup, r->cg_opts.resources, err) < 0)
		return -1;
	free(c->cgroup_str);
	c->cgroup_str = cleat_cgroup_to_string(c->cgroup);
	if (cleat_state_save(c, err) < 0)
		return -1;
	if (r->o->pid_file) {
		char buf[32];
		int n = snprintf(buf, sizeof buf, "%d", (int) c->init_pid);
		if (write_file_atomic(r->o->pid_file, buf, (size_t) n, 0644, err) < 0)
			return -1;
	}
	return 0;
}

static void unmount_root(struct restore_run *r)
{
	if (r->mounted && umount2(r->criu_root, MNT_DETACH) < 0)
		cleat_warn("unmount \"%s\": %s", r->criu_root, strerror(errno));
	r->mounted = false;
	if (r->criu_root)
		rmdir(r->criu_root);
}

static void restore_run_cleanup(struct restore_run *r, bool failed)
{
	unmount_root(r);
	if (failed && r->c && r->dir_created) {
		_cleanup_error_ cleat_error_t e = NULL;
		if (r->c->cgroup)
			cleat_cgroup_kill_all(r->c->cgroup, SIGKILL, &e);
		cleat_error_free(&e);
		if (r->c->init_pid > 0)
			waitpid(r->c->init_pid, NULL, WNOHANG);
		if (cleat_container_destroy(r->c, &e) < 0)
			cleat_warn("remove \"%s\": %s", r->c->id, e->msg);
	}
	for (size_t i = 0; i < ARRAY_SIZE(r->ns_fds); i++)
		if (r->ns_fds[i] >= 0)
			close(r->ns_fds[i]);
	if (r->console_sock >= 0)
		close(r->console_sock);
	if (r->pty_master >= 0)
		close(r->pty_master);
	cleat_criu_cmd_free(&r->cmd);
	cleat_criu_req_free(&r->req);
	cleat_criu_dirs_free(&r->dirs);
	free(r->criu_root);
	free(r->config_text);
}

static int restore_steps(struct restore_run *r, const char *id, cleat_error_t *err)
{
	if (cleat_criu_check_cgroups_mode(r->o->manage_cgroups_mode, err) < 0 ||
	    cleat_container_validate_id(id, err) < 0)
		return -1;
	_cleanup_free_ char *criu = NULL;
	if (cleat_criu_require(&criu, err) < 0 || load_bundle(r, id, err) < 0)
		return -1;
	/* The image must be there before anything is made. */
	const char *image = r->o->image_path && *r->o->image_path ? r->o->image_path : "checkpoint";
	if (access(image, R_OK | X_OK) < 0)
		return cleat_error_errno(err, errno, "checkpoint image \"%s\"", image);
	if (cleat_criu_dirs_make(r->o, &r->dirs, err) < 0 || make_state(r, err) < 0 ||
	    mount_root(r, err) < 0 || restore_opts(r, err) < 0)
		return -1;
	const struct cleat_criu_notify n = {
		.setup_namespaces = on_setup_namespaces,
		.orphan_pts_master = on_orphan_pts_master,
		.data = r,
	};
	pid_t pid;
	if (cleat_criu_swrk(criu, &r->cmd, &r->req, "restore", &n, &pid, err) < 0 ||
	    record_init(r, pid, err) < 0)
		return -1;
	cleat_debug("restore %s: init %d", id, (int) r->c->init_pid);
	return 0;
}

/* Foreground restore: wait for the init (our child), then remove the container. */
static int wait_init(const struct cleat_ctx *ctx, struct restore_run *r, int *exit_status,
		     cleat_error_t *err)
{
	pid_t pid = r->c->init_pid;
	_cleanup_free_ char *id = xstrdup(r->c->id);
	cleat_container_free(TAKE_PTR(r->c));
	int st = 0;
	if (r->pty_master >= 0) {
		/* criu has gone: no child of ours inherits the blocked signals. */
		cleat_terminal_block_signals();
		if (cleat_terminal_proxy(r->pty_master, pid, &st, err) < 0)
			return -1;
	} else
		while (waitpid(pid, &st, 0) < 0)
			if (errno != EINTR)
				return cleat_error_errno(
					err, errno, "wait for the restored init %d", (int) pid);
	*exit_status = cleat_exit_status(st);
	return cleat_container_delete(ctx, id, true, err);
}

int cleat_restore(const struct cleat_ctx *ctx, const char *id, const struct cleat_criu_opts *o,
		  int *exit_status, cleat_error_t *err)
{
	struct restore_run r = {
		.ctx = ctx,
		.o = o,
		.ns_fds = { -1, -1 },
		.console_sock = -1,
		.pty_master = -1,
	};
	cleat_criu_cmd_init(&r.cmd);
	cleat_criu_req_init(&r.req, CRIU_REQ_TYPE__RESTORE);
	*exit_status = 0;
	/* runc: a foreground restore reaps what the init leaves behind. */
	if (!o->detach && !o->no_subreaper)
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	int ret = restore_steps(&r, id, err);
	unmount_root(&r);
	if (ret == 0 && !o->detach)
		ret = wait_init(ctx, &r, exit_status, err);
	restore_run_cleanup(&r, ret < 0 && r.c);
	if (r.c)
		cleat_container_free(r.c);
	return ret;
}
