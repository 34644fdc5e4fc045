#include "config.h"
#include "runtime/criu/criu_args.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"

void cleat_criu_opts_init(struct cleat_criu_opts *o)
{
	memset(o, 0, sizeof *o);
	o->status_fd = -1;
}

int cleat_criu_check_cgroups_mode(const char *mode, cleat_error_t *err)
{
	static const char *modes[] = { "soft", "full", "strict", "ignore" };
	if (mode == NULL)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
		if (strcmp(mode, modes[i]) == 0)
			return 0;
	return cleat_error_msg(
		err, "invalid manage-cgroups-mode value \"%s\" (soft, full, strict or ignore)",
		mode);
}

static int absolute_dir(const char *path, char **out, cleat_error_t *err)
{
	if (mkdir_p(path, 0700, err) < 0)
		return -1;
	char abs[PATH_MAX];
	if (realpath(path, abs) == NULL)
		return cleat_error_errno(err, errno, "\"%s\"", path);
	*out = xstrdup(abs);
	return 0;
}

int cleat_criu_dirs_make(const struct cleat_criu_opts *o, struct cleat_criu_dirs *d,
			 cleat_error_t *err)
{
	d->image = d->work = NULL;
	/* runc: the image path defaults to ./checkpoint, the work path to the image path. */
	const char *image = o->image_path && *o->image_path ? o->image_path : "checkpoint";
	if (absolute_dir(image, &d->image, err) < 0)
		return -1;
	if (o->work_path && *o->work_path)
		return absolute_dir(o->work_path, &d->work, err);
	d->work = xstrdup(d->image);
	return 0;
}

void cleat_criu_dirs_free(struct cleat_criu_dirs *d)
{
	free(d->image);
	free(d->work);
	d->image = d->work = NULL;
}

/* runc's boolean flags (cli/checkpoint.c's tables): the cleat_criu_opts field and
 * the criu_opts field (with its has_ flag) of criu's RPC that it sets. */
#define OPT(o, f)                                                           \
	{                                                                   \
		offsetof(struct cleat_criu_opts, o), offsetof(CriuOpts, f), \
			offsetof(CriuOpts, has_##f)                         \
	}
static const struct {
	size_t off, rpc, rpc_has;
} bool_flags[] = {
	OPT(tcp_established, tcp_established), /* --tcp-established */
	OPT(ext_unix_sk, ext_unix_sk), /* --ext-unix-sk */
	OPT(shell_job, shell_job), /* --shell-job */
	OPT(file_locks, file_locks), /* --file-locks */
	OPT(auto_dedup, auto_dedup), /* --auto-dedup */
	OPT(lazy_pages, lazy_pages), /* --lazy-pages */
	OPT(tcp_skip_in_flight, tcp_skip_in_flight), /* --skip-in-flight */
};
#undef OPT

static bool opt_set(const struct cleat_criu_opts *o, size_t off)
{
	return *(const bool *) ((const char *) o + off);
}

/* runc's default mode is soft. */
static const char *cgroups_mode(const struct cleat_criu_opts *o)
{
	return o->manage_cgroups_mode ? o->manage_cgroups_mode : "soft";
}

static int open_dir(const char *path, int *fd, cleat_error_t *err)
{
	*fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0)
		return cleat_error_errno(err, errno, "\"%s\"", path);
	return 0;
}

int cleat_criu_common_opts(struct cleat_criu_req *r, struct cleat_criu_cmd *c,
			   const struct cleat_criu_dirs *d, const char *log_name,
			   const struct cleat_criu_opts *o, cleat_error_t *err)
{
	static const struct {
		const char *name;
		CriuCgMode mode;
	} modes[] = { { "soft", CRIU_CG_MODE__SOFT },
		      { "full", CRIU_CG_MODE__FULL },
		      { "strict", CRIU_CG_MODE__STRICT },
		      { "ignore", CRIU_CG_MODE__IGNORE } };
	CriuOpts *q = &r->opts;
	if (open_dir(d->image, &r->dir_fds[0], err) < 0 ||
	    open_dir(d->work, &r->dir_fds[1], err) < 0)
		return -1;
	q->images_dir_fd = r->dir_fds[0];
	q->has_work_dir_fd = true;
	q->work_dir_fd = r->dir_fds[1];
	q->has_log_level = true;
	q->log_level = 4;
	q->log_file = cleat_criu_req_str(r, "%s", log_name);
	c->log_path = xasprintf("%s/%s", d->work, log_name);
	q->has_link_remap = q->link_remap = true;
	/* criu's notifications (criu_rpc.h) come only with this. */
	q->has_notify_scripts = q->notify_scripts = true;
	q->has_manage_cgroups = q->manage_cgroups = true;
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
		if (strcmp(cgroups_mode(o), modes[i].name) == 0) {
			q->has_manage_cgroups_mode = true;
			q->manage_cgroups_mode = modes[i].mode;
		}
	for (size_t i = 0; i < ARRAY_SIZE(bool_flags); i++)
		if (opt_set(o, bool_flags[i].off)) {
			*(protobuf_c_boolean *) ((char *) q + bool_flags[i].rpc) = true;
			*(protobuf_c_boolean *) ((char *) q + bool_flags[i].rpc_has) = true;
		}
	if (o->empty_ns_net) {
		q->has_empty_ns = true;
		q->empty_ns = CLONE_NEWNET;
	}
	return 0;
}

bool cleat_criu_is_bind(const struct oci_mount *m)
{
	if (m->type && strcmp(m->type, "bind") == 0)
		return true;
	for (size_t i = 0; i < m->n_options; i++)
		if (strcmp(m->options[i], "bind") == 0 || strcmp(m->options[i], "rbind") == 0)
			return true;
	return false;
}
