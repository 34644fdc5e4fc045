/* `checkpoint` and `restore`: runc's flags, behaviour in criu/. */
#include "config.h"
#include "runtime/cli/cli.h"

#include <limits.h>
#include <string.h>

#include "common/cut.h"
#include "common/util.h"
#include "runtime/criu/criu.h"

enum {
	OPT_BUNDLE = 'b',
	OPT_DETACH = 'd',
	OPT_IMAGE = 256,
	OPT_WORK,
	OPT_PARENT,
	OPT_LEAVE,
	OPT_TCP,
	OPT_TCP_SKIP,
	OPT_LINK_REMAP,
	OPT_EXT_UNIX,
	OPT_SHELL,
	OPT_LAZY,
	OPT_STATUS_FD,
	OPT_PAGE_SERVER,
	OPT_FILE_LOCKS,
	OPT_PRE_DUMP,
	OPT_CGROUPS_MODE,
	OPT_EMPTY_NS,
	OPT_AUTO_DEDUP,
	OPT_CONSOLE,
	OPT_PID_FILE,
	OPT_NO_SUBREAPER,
	OPT_NO_PIVOT,
	OPT_LSM_PROFILE,
	OPT_LSM_MOUNT,
};

#define COMMON_OPTS                                                                   \
	{ "image-path", required_argument, NULL, OPT_IMAGE },                         \
		{ "work-path", required_argument, NULL, OPT_WORK },                   \
		{ "tcp-established", no_argument, NULL, OPT_TCP },                    \
		{ "ext-unix-sk", no_argument, NULL, OPT_EXT_UNIX },                   \
		{ "shell-job", no_argument, NULL, OPT_SHELL },                        \
		{ "file-locks", no_argument, NULL, OPT_FILE_LOCKS },                  \
		{ "manage-cgroups-mode", required_argument, NULL, OPT_CGROUPS_MODE }, \
		{ "empty-ns", required_argument, NULL, OPT_EMPTY_NS },                \
		{ "auto-dedup", no_argument, NULL, OPT_AUTO_DEDUP },                  \
	{                                                                             \
		"lazy-pages", no_argument, NULL, OPT_LAZY                             \
	}

static const struct option checkpoint_opts[] = {
	COMMON_OPTS,
	{ "parent-path", required_argument, NULL, OPT_PARENT },
	{ "leave-running", no_argument, NULL, OPT_LEAVE },
	{ "tcp-skip-in-flight", no_argument, NULL, OPT_TCP_SKIP },
	{ "link-remap", no_argument, NULL, OPT_LINK_REMAP },
	{ "status-fd", required_argument, NULL, OPT_STATUS_FD },
	{ "page-server", required_argument, NULL, OPT_PAGE_SERVER },
	{ "pre-dump", no_argument, NULL, OPT_PRE_DUMP },
	{ NULL, 0, NULL, 0 },
};

static const struct option restore_opts[] = {
	COMMON_OPTS,
	{ "console-socket", required_argument, NULL, OPT_CONSOLE },
	{ "bundle", required_argument, NULL, OPT_BUNDLE },
	{ "detach", no_argument, NULL, OPT_DETACH },
	{ "pid-file", required_argument, NULL, OPT_PID_FILE },
	{ "no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER },
	{ "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
	{ "lsm-profile", required_argument, NULL, OPT_LSM_PROFILE },
	{ "lsm-mount-context", required_argument, NULL, OPT_LSM_MOUNT },
	{ NULL, 0, NULL, 0 },
};

/* runc knows one namespace here: "network". */
static int parse_empty_ns(const char *v, struct cleat_criu_opts *o, cleat_error_t *err)
{
	if (strcmp(v, "network") != 0)
		return cleat_error_msg(err, "namespace \"%s\" is not supported", cleat_cut(v));
	o->empty_ns_net = true;
	return 0;
}

static int parse_opt(int c, struct cleat_criu_opts *o, cleat_error_t *err)
{
	long long n;
	switch (c) {
	case OPT_IMAGE: o->image_path = optarg; break;
	case OPT_WORK: o->work_path = optarg; break;
	case OPT_PARENT: o->parent_path = optarg; break;
	case OPT_LEAVE: o->leave_running = true; break;
	case OPT_TCP: o->tcp_established = true; break;
	case OPT_TCP_SKIP: o->tcp_skip_in_flight = true; break;
	case OPT_LINK_REMAP: break; /* always on */
	case OPT_EXT_UNIX: o->ext_unix_sk = true; break;
	case OPT_SHELL: o->shell_job = true; break;
	case OPT_LAZY: o->lazy_pages = true; break;
	case OPT_STATUS_FD:
		if (parse_int(optarg, 0, INT_MAX, &n) < 0)
			return cleat_error_msg(err, "invalid value \"%s\" for flag -status-fd",
					       cleat_cut(optarg));
		o->status_fd = (int) n;
		break;
	case OPT_PAGE_SERVER: o->page_server = optarg; break;
	case OPT_FILE_LOCKS: o->file_locks = true; break;
	case OPT_PRE_DUMP: o->pre_dump = true; break;
	case OPT_CGROUPS_MODE: o->manage_cgroups_mode = optarg; break;
	case OPT_EMPTY_NS: return parse_empty_ns(optarg, o, err);
	case OPT_AUTO_DEDUP: o->auto_dedup = true; break;
	case OPT_CONSOLE: o->console_socket = optarg; break;
	case OPT_BUNDLE: o->bundle = optarg; break;
	case OPT_DETACH: o->detach = true; break;
	case OPT_PID_FILE: o->pid_file = optarg; break;
	case OPT_NO_SUBREAPER: o->no_subreaper = true; break;
	case OPT_NO_PIVOT: o->no_pivot = true; break;
	case OPT_LSM_PROFILE: o->lsm_profile = optarg; break;
	case OPT_LSM_MOUNT: o->lsm_mount_context = optarg; break;
	default: return -1;
	}
	return 0;
}

static int parse(int argc, char **argv, const char *verb, const char *shortopts,
		 const struct option *opts, struct cleat_criu_opts *o, cleat_error_t *err)
{
	cleat_criu_opts_init(o);
	int c;
	optind = 0;
	while ((c = cli_getopt(argc, argv, shortopts, opts, verb, err)) != -1)
		if (parse_opt(c, o, err) < 0)
			return -1;
	return cli_require_args(argc, verb, 1, err);
}

int cli_checkpoint(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	struct cleat_criu_opts o;
	if (parse(argc, argv, "checkpoint", "+", checkpoint_opts, &o, err) < 0)
		return -1;
	if (cleat_checkpoint(ctx, argv[optind], &o, err) < 0)
		return cleat_error_wrap(err, "checkpoint \"%s\"", argv[optind]);
	return 0;
}

int cli_restore(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	struct cleat_criu_opts o;
	if (parse(argc, argv, "restore", "+b:d", restore_opts, &o, err) < 0)
		return -1;
	int status = 0;
	if (cleat_restore(ctx, argv[optind], &o, &status, err) < 0)
		return cleat_error_wrap(err, "restore \"%s\"", argv[optind]);
	return status;
}
