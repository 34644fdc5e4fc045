/* cleat checkpoint: criu dump (or pre-dump) of a running container, through
 * criu's RPC as restore (the orphan-pts-master option, which lets criu dump a
 * terminal whose master is outside the container, exists only there). */
#include "config.h"
#include "runtime/criu/criu.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "runtime/container.h"
#include "runtime/criu/criu_args.h"
#include "runtime/criu/criu_rpc.h"
#include "runtime/criu/criu_run.h"

/* descriptors.json: where the init's fd 0..2 point ("pipe:[123]", "/dev/null"),
 * which restore reattaches (runc's externalDescriptors, same file and format). */
static int write_descriptors(pid_t pid, const char *image, cleat_error_t *err)
{
	_cleanup_free_ char *json = xstrdup("[");
	for (int fd = 0; fd < 3; fd++) {
		char link[64], target[PATH_MAX];
		snprintf(link, sizeof link, "/proc/%d/fd/%d", (int) pid, fd);
		ssize_t n = readlink(link, target, sizeof target - 1);
		if (n < 0)
			n = 0;
		target[n] = '\0';
		_cleanup_free_ char *quoted = cleat_json_escape(target);
		char *t = xasprintf("%s%s\"%s\"", json, fd ? "," : "", quoted);
		free(json);
		json = t;
	}
	_cleanup_free_ char *path = xasprintf("%s/%s", image, CLEAT_CRIU_DESCRIPTORS);
	_cleanup_free_ char *text = xasprintf("%s]", json);
	return write_file(path, text, strlen(text), 0600, err);
}

/* The container's mounts criu cannot dump as its own: bind mounts (the cookie is
 * the destination), masked files (binds of /dev/null, cookie "/dev/null") and
 * device nodes (binds from the host when not made by mknod).  The same cookies as
 * runc, so either runtime restores the other's images. */
static void external_mounts(struct cleat_criu_req *r, const struct cleat_container *ct)
{
	const struct oci_config *cfg = ct->config;
	for (size_t i = 0; i < cfg->n_mounts; i++)
		if (cleat_criu_is_bind(&cfg->mounts[i]))
			cleat_criu_req_external(r, "mnt[%s]:%s", cfg->mounts[i].destination,
						cfg->mounts[i].destination);
	const struct oci_linux *l = cfg->linux_;
	if (!l)
		return;
	for (size_t i = 0; i < l->n_masked_paths; i++) {
		_cleanup_free_ char *p = xasprintf("/proc/%d/root%s", (int) ct->init_pid,
						   l->masked_paths[i]);
		struct stat st;
		/* Masked directories are tmpfs mounts, dumped with the rest. */
		if (stat(p, &st) < 0 || S_ISDIR(st.st_mode))
			continue;
		cleat_criu_req_external(r, "mnt[%s]:/dev/null", l->masked_paths[i]);
	}
	for (size_t i = 0; i < l->n_devices; i++)
		cleat_criu_req_external(r, "mnt[%s]:%s", l->devices[i].path, l->devices[i].path);
}

/* Namespaces joined by path are not the container's to dump: criu records them as
 * external ("extRootNetNS", "extRootPidNS", as runc), restore passes them back. */
static int external_namespaces(struct cleat_criu_req *r, const struct oci_config *cfg,
			       cleat_error_t *err)
{
	static const struct {
		const char *type, *criu, *key;
	} ext[] = { { "network", "net", "extRootNetNS" }, { "pid", "pid", "extRootPidNS" } };
	const struct oci_linux *l = cfg->linux_;
	for (size_t i = 0; l && i < l->n_namespaces; i++)
		for (size_t k = 0; k < ARRAY_SIZE(ext); k++) {
			const struct oci_namespace *ns = &l->namespaces[i];
			if (!ns->path || strcmp(ns->type, ext[k].type) != 0)
				continue;
			struct stat st;
			if (stat(ns->path, &st) < 0)
				return cleat_error_errno(
					err, errno, "linux.namespaces: %s namespace path \"%s\"",
					ns->type, ns->path);
			cleat_criu_req_external(r, "%s[%llu]:%s", ext[k].criu,
						(unsigned long long) st.st_ino, ext[k].key);
		}
	return 0;
}

/* The init's cgroup directory, which criu freezes instead of stopping each task
 * (runc's FreezeCgroup): v2 "0::/p", else the freezer hierarchy. */
static char *freeze_cgroup(pid_t pid)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/cgroup", (int) pid);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char line[4096];
	while (f && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		if (str_has_prefix(line, "0::/"))
			return xasprintf("/sys/fs/cgroup%s", line + 3);
		char *p = strstr(line, ":freezer:");
		if (p)
			return xasprintf("/sys/fs/cgroup/freezer%s", p + 9);
	}
	return NULL;
}

static int page_server(struct cleat_criu_req *r, const char *ps, cleat_error_t *err)
{
	const char *colon = strrchr(ps, ':');
	if (!colon || colon == ps || !colon[1])
		return cleat_error_msg(err, "--page-server \"%s\": want IP:port", ps);
	long long port;
	if (parse_int(colon + 1, 1, 65535, &port) < 0)
		return cleat_error_msg(err, "--page-server \"%s\": invalid port", ps);
	CriuPageServerInfo *info = cleat_criu_req_own(r, xmalloc(sizeof *info));
	criu_page_server_info__init(info);
	info->address = cleat_criu_req_str(r, "%.*s", (int) (colon - ps), ps);
	info->has_port = true;
	info->port = (int32_t) port;
	r->opts.ps = info;
	return 0;
}

struct dump_run {
	struct cleat_criu_req req;
	struct cleat_criu_cmd cmd;
	struct cleat_criu_dirs dirs;
	int status_fd; /* --status-fd until criu's status-ready */
};

static int dump_opts(struct dump_run *d, const struct cleat_container *ct,
		     const struct cleat_criu_opts *o, cleat_error_t *err)
{
	CriuOpts *q = &d->req.opts;
	if (cleat_criu_common_opts(&d->req, &d->cmd, &d->dirs,
				   o->pre_dump ? "pre-dump.log" : "dump.log", o, err) < 0)
		return -1;
	q->has_pid = true;
	q->pid = ct->init_pid;
	q->root = ct->rootfs;
	/* A terminal's master is outside the container: criu dumps the slave alone. */
	q->has_orphan_pts_master = q->orphan_pts_master = true;
	if (o->leave_running && !o->pre_dump)
		q->has_leave_running = q->leave_running = true;
	if (o->pre_dump || o->parent_path)
		q->has_track_mem = q->track_mem = true;
	if (o->parent_path)
		q->parent_img = (char *) o->parent_path;
	if (o->page_server && page_server(&d->req, o->page_server, err) < 0)
		return -1;
	char *freezer = freeze_cgroup(ct->init_pid);
	if (freezer)
		q->freeze_cgroup = cleat_criu_req_own(&d->req, freezer);
	external_mounts(&d->req, ct);
	return external_namespaces(&d->req, ct->config, err);
}

/* "status-ready" (criu 3.15+; lazy pages or a page server): a \0 on --status-fd. */
static int on_status_ready(void *data, cleat_error_t *err)
{
	(void) err;
	struct dump_run *d = data;
	if (d->status_fd >= 0) {
		if (write(d->status_fd, "", 1) != 1)
			cleat_warn("write to --status-fd %d: %s", d->status_fd, strerror(errno));
		close(d->status_fd);
		d->status_fd = -1;
	}
	return 0;
}

static void dump_run_free(struct dump_run *d)
{
	cleat_criu_req_free(&d->req);
	cleat_criu_cmd_free(&d->cmd);
	cleat_criu_dirs_free(&d->dirs);
}

int cleat_checkpoint(const struct cleat_ctx *ctx, const char *id, const struct cleat_criu_opts *o,
		     cleat_error_t *err)
{
	if (cleat_criu_check_cgroups_mode(o->manage_cgroups_mode, err) < 0)
		return -1;
	_cleanup_free_ char *criu = NULL;
	if (cleat_criu_require(&criu, err) < 0)
		return -1;
	_cleanup_container_ struct cleat_container *ct = NULL;
	if (cleat_container_load(ctx->root, id, &ct, err) < 0)
		return -1;
	if (ct->status != CLEAT_STATUS_RUNNING && ct->status != CLEAT_STATUS_PAUSED)
		return cleat_error_msg(err, "container cannot be checkpointed in %s state",
				       cleat_status_name(ct->status));
	struct dump_run d = { .status_fd = o->status_fd };
	cleat_criu_cmd_init(&d.cmd);
	cleat_criu_req_init(&d.req, o->pre_dump ? CRIU_REQ_TYPE__PRE_DUMP : CRIU_REQ_TYPE__DUMP);
	int ret = cleat_criu_dirs_make(o, &d.dirs, err);
	if (ret == 0 && !o->pre_dump)
		ret = write_descriptors(ct->init_pid, d.dirs.image, err);
	if (ret == 0)
		ret = dump_opts(&d, ct, o, err);
	const struct cleat_criu_notify n = { .status_ready = on_status_ready, .data = &d };
	if (ret == 0)
		ret = cleat_criu_swrk(criu, &d.cmd, &d.req, o->pre_dump ? "pre-dump" : "dump", &n,
				      NULL, err);
	dump_run_free(&d);
	if (ret < 0 || o->leave_running || o->pre_dump)
		return ret;
	/* criu killed the tree: the container is gone, and runc removes it. */
	cleat_container_free(TAKE_PTR(ct));
	return cleat_container_delete(ctx, id, true, err);
}
