/* cleat checkpoint: criu dump (or pre-dump) of a running container. */
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
#include "common/util.h"
#include "runtime/container.h"
#include "runtime/criu/criu_args.h"
#include "runtime/criu/criu_run.h"
#include "common/log.h"

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
static void external_mounts(struct cleat_criu_cmd *c, const struct cleat_container *ct)
{
	const struct oci_config *cfg = ct->config;
	for (size_t i = 0; i < cfg->n_mounts; i++)
		if (cleat_criu_is_bind(&cfg->mounts[i])) {
			cleat_criu_arg(c, "--external");
			cleat_criu_arg(c, "mnt[%s]:%s", cfg->mounts[i].destination,
				       cfg->mounts[i].destination);
		}
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
		cleat_criu_arg(c, "--external");
		cleat_criu_arg(c, "mnt[%s]:/dev/null", l->masked_paths[i]);
	}
	for (size_t i = 0; i < l->n_devices; i++) {
		cleat_criu_arg(c, "--external");
		cleat_criu_arg(c, "mnt[%s]:%s", l->devices[i].path, l->devices[i].path);
	}
}

/* Namespaces joined by path are not the container's to dump: criu records them as
 * external ("extRootNetNS", "extRootPidNS", as runc), restore passes them back. */
static int external_namespaces(struct cleat_criu_cmd *c, const struct oci_config *cfg,
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
			cleat_criu_arg(c, "--external");
			cleat_criu_arg(c, "%s[%llu]:%s", ext[k].criu,
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

/* --page-server IP:port.  A plain dump sends its pages to the page server listening
 * there (criu's --page-server); a --lazy-pages dump serves them there itself for
 * `criu lazy-pages` to fetch, so criu gets only --address and --port (criu's RPC, which
 * runc uses, likewise sets use_page_server only without lazy_pages). */
static int page_server_args(struct cleat_criu_cmd *c, const char *ps, bool lazy, cleat_error_t *err)
{
	const char *colon = strrchr(ps, ':');
	if (!colon || colon == ps || !colon[1])
		return cleat_error_msg(err, "--page-server \"%s\": want IP:port", ps);
	long long port;
	if (parse_int(colon + 1, 1, 65535, &port) < 0)
		return cleat_error_msg(err, "--page-server \"%s\": invalid port", ps);
	if (!lazy)
		cleat_criu_arg(c, "--page-server");
	cleat_criu_arg(c, "--address");
	cleat_criu_arg(c, "%.*s", (int) (colon - ps), ps);
	cleat_criu_arg(c, "--port");
	cleat_criu_arg(c, "%lld", port);
	return 0;
}

static int dump_args(struct cleat_criu_cmd *c, const struct cleat_container *ct,
		     const struct cleat_criu_dirs *d, const struct cleat_criu_opts *o,
		     cleat_error_t *err)
{
	cleat_criu_arg(c, "%s", o->pre_dump ? "pre-dump" : "dump");
	cleat_criu_arg(c, "-t");
	cleat_criu_arg(c, "%d", (int) ct->init_pid);
	cleat_criu_arg(c, "--root");
	cleat_criu_arg(c, "%s", ct->rootfs);
	cleat_criu_common_args(c, d, o->pre_dump ? "pre-dump.log" : "dump.log", o);
	if (o->leave_running && !o->pre_dump)
		cleat_criu_arg(c, "--leave-running");
	if (o->pre_dump || o->parent_path)
		cleat_criu_arg(c, "--track-mem");
	if (o->parent_path) {
		cleat_criu_arg(c, "--prev-images-dir");
		cleat_criu_arg(c, "%s", o->parent_path);
	}
	if (o->status_fd >= 0) {
		cleat_criu_arg(c, "--status-fd");
		cleat_criu_arg(c, "%d", o->status_fd);
		c->keep[c->n_keep++] = o->status_fd;
	}
	if (o->page_server && page_server_args(c, o->page_server, o->lazy_pages, err) < 0)
		return -1;
	_cleanup_free_ char *freezer = freeze_cgroup(ct->init_pid);
	if (freezer) {
		cleat_criu_arg(c, "--freeze-cgroup");
		cleat_criu_arg(c, "%s", freezer);
	}
	external_mounts(c, ct);
	return external_namespaces(c, ct->config, err);
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
	struct cleat_criu_dirs d;
	struct cleat_criu_cmd c;
	cleat_criu_cmd_init(&c);
	int ret = cleat_criu_dirs_make(o, &d, err);
	if (ret == 0 && !o->pre_dump)
		ret = write_descriptors(ct->init_pid, d.image, err);
	if (ret == 0) {
		cleat_criu_arg(&c, "%s", criu);
		ret = dump_args(&c, ct, &d, o, err);
	}
	if (ret == 0)
		ret = cleat_criu_run(criu, &c, o->pre_dump ? "pre-dump" : "dump", err);
	cleat_criu_cmd_free(&c);
	cleat_criu_dirs_free(&d);
	if (ret < 0 || o->leave_running || o->pre_dump)
		return ret;
	/* criu killed the tree: the container is gone, and runc removes it. */
	cleat_container_free(TAKE_PTR(ct));
	return cleat_container_delete(ctx, id, true, err);
}
