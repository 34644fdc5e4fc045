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

/* runc 1.5's flags, in its order and words. */
const struct cli_flag cli_checkpoint_flags[] = {
	{ "image-path", 0, OPT_IMAGE, true, NULL, "path for saving criu image files", false },
	{ "work-path", 0, OPT_WORK, true, NULL, "path for saving work files and logs", false },
	{ "parent-path", 0, OPT_PARENT, true, NULL,
	  "path for previous criu image files in pre-dump", false },
	{ "leave-running", 0, OPT_LEAVE, false, NULL,
	  "leave the process running after checkpointing", false },
	{ "tcp-established", 0, OPT_TCP, false, NULL, "allow open tcp connections", false },
	{ "tcp-skip-in-flight", 0, OPT_TCP_SKIP, false, NULL, "skip in-flight tcp connections",
	  false },
	{ "link-remap", 0, OPT_LINK_REMAP, false, NULL,
	  "allow one to link unlinked files back when possible", false },
	{ "ext-unix-sk", 0, OPT_EXT_UNIX, false, NULL, "allow external unix sockets", false },
	{ "shell-job", 0, OPT_SHELL, false, NULL, "allow shell jobs", false },
	{ "lazy-pages", 0, OPT_LAZY, false, NULL, "use userfaultfd to lazily restore memory pages",
	  false },
	{ "status-fd", 0, OPT_STATUS_FD, true, "-1",
	  "criu writes \\0 to this FD once lazy-pages is ready", false },
	{ "page-server", 0, OPT_PAGE_SERVER, true, NULL, "ADDRESS:PORT of the page server", false },
	{ "file-locks", 0, OPT_FILE_LOCKS, false, NULL, "handle file locks, for safety", false },
	{ "pre-dump", 0, OPT_PRE_DUMP, false, NULL,
	  "dump container's memory information only, leave the container running after this",
	  false },
	{ "manage-cgroups-mode", 0, OPT_CGROUPS_MODE, true, "soft",
	  "cgroups mode: soft|full|strict|ignore", false },
	{ "empty-ns", 0, OPT_EMPTY_NS, true, NULL,
	  "create a namespace, but don't restore its properties", false },
	{ "auto-dedup", 0, OPT_AUTO_DEDUP, false, NULL,
	  "enable auto deduplication of memory images", false },
	CLI_FLAGS_END,
};

const struct cli_flag cli_restore_flags[] = {
	{ "console-socket", 0, OPT_CONSOLE, true, NULL,
	  "path to an AF_UNIX socket which will receive a file descriptor referencing the master "
	  "end of the console's pseudoterminal",
	  false },
	{ "image-path", 0, OPT_IMAGE, true, NULL, "path to criu image files for restoring", false },
	{ "work-path", 0, OPT_WORK, true, NULL, "path for saving work files and logs", false },
	{ "tcp-established", 0, OPT_TCP, false, NULL, "allow open tcp connections", false },
	{ "ext-unix-sk", 0, OPT_EXT_UNIX, false, NULL, "allow external unix sockets", false },
	{ "shell-job", 0, OPT_SHELL, false, NULL, "allow shell jobs", false },
	{ "file-locks", 0, OPT_FILE_LOCKS, false, NULL, "handle file locks, for safety", false },
	{ "manage-cgroups-mode", 0, OPT_CGROUPS_MODE, true, "soft",
	  "cgroups mode: soft|full|strict|ignore", false },
	{ "bundle", 'b', OPT_BUNDLE, true, NULL, "path to the root of the bundle directory",
	  false },
	{ "detach", 'd', OPT_DETACH, false, NULL, "detach from the container's process", false },
	{ "pid-file", 0, OPT_PID_FILE, true, NULL, "specify the file to write the process id to",
	  false },
	{ "no-subreaper", 0, OPT_NO_SUBREAPER, false, NULL,
	  "disable the use of the subreaper used to reap reparented processes", false },
	{ "no-pivot", 0, OPT_NO_PIVOT, false, NULL,
	  "do not use pivot root to jail process inside rootfs.  This should be used whenever the "
	  "rootfs is on top of a ramdisk",
	  false },
	{ "empty-ns", 0, OPT_EMPTY_NS, true, NULL,
	  "create a namespace, but don't restore its properties", false },
	{ "auto-dedup", 0, OPT_AUTO_DEDUP, false, NULL,
	  "enable auto deduplication of memory images", false },
	{ "lazy-pages", 0, OPT_LAZY, false, NULL, "use userfaultfd to lazily restore memory pages",
	  false },
	{ "lsm-profile", 0, OPT_LSM_PROFILE, true, NULL,
	  "Specify an LSM profile to be used during restore in the form of TYPE:NAME.", false },
	{ "lsm-mount-context", 0, OPT_LSM_MOUNT, true, NULL,
	  "Specify an LSM mount context to be used during restore.", false },
	CLI_FLAGS_END,
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

static int parse(int argc, char **argv, const char *verb, const struct cli_flag *flags,
		 struct cleat_criu_opts *o, cleat_error_t *err)
{
	cleat_criu_opts_init(o);
	int c;
	optind = 0;
	while ((c = cli_getopt(argc, argv, flags, verb, err)) != -1)
		if (parse_opt(c, o, err) < 0)
			return -1;
	return cli_require_args(argc, verb, 1, err);
}

int cli_checkpoint(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	struct cleat_criu_opts o;
	if (parse(argc, argv, "checkpoint", cli_checkpoint_flags, &o, err) < 0)
		return -1;
	if (cleat_checkpoint(ctx, argv[optind], &o, err) < 0)
		return cleat_error_wrap(err, "checkpoint \"%s\"", argv[optind]);
	return 0;
}

int cli_restore(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	struct cleat_criu_opts o;
	if (parse(argc, argv, "restore", cli_restore_flags, &o, err) < 0)
		return -1;
	int status = 0;
	if (cleat_restore(ctx, argv[optind], &o, &status, err) < 0)
		return cleat_error_wrap(err, "restore \"%s\"", argv[optind]);
	return status;
}
