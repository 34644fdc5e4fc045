#include "config.h"
#include "runtime/cli/cli.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "common/cut.h"
#include "common/util.h"
#include "runtime/container.h"

enum {
	OPT_BUNDLE = 'b',
	OPT_DETACH = 'd',
	OPT_PID_FILE = 256,
	OPT_CONSOLE,
	OPT_PRESERVE,
	OPT_NO_PIVOT,
	OPT_NO_KEYRING,
	OPT_NO_SUBREAPER,
	OPT_KEEP,
	OPT_PIDFD
};

/* The flags create and run share (one entry each, listed in runc's order in
 * both tables). */
// clang-format off
#define BUNDLE_FLAG { "bundle", 'b', OPT_BUNDLE, true, NULL, \
	"path to the root of the bundle directory, defaults to the current directory", false }
#define CONSOLE_FLAG { "console-socket", 0, OPT_CONSOLE, true, NULL, \
	"path to an AF_UNIX socket which will receive a file descriptor referencing the master " \
	"end of the console's pseudoterminal", false }
#define PIDFD_FLAG { "pidfd-socket", 0, OPT_PIDFD, true, NULL, \
	"path to an AF_UNIX socket which will receive a file descriptor referencing the init " \
	"process", false }
#define PID_FILE_FLAG { "pid-file", 0, OPT_PID_FILE, true, NULL, \
	"specify the file to write the process id to", false }
#define NO_PIVOT_FLAG { "no-pivot", 0, OPT_NO_PIVOT, false, NULL, \
	"do not use pivot root to jail process inside rootfs.  This should be used whenever " \
	"the rootfs is on top of a ramdisk", false }
#define NO_KEYRING_FLAG { "no-new-keyring", 0, OPT_NO_KEYRING, false, NULL, \
	"do not create a new session keyring for the container.  This will cause the " \
	"container to inherit the calling processes session key", false }
#define PRESERVE_FDS_FLAG { "preserve-fds", 0, OPT_PRESERVE, true, "0", \
	"Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in " \
	"total)", false }
// clang-format on

const struct cli_flag cli_create_flags[] = {
	BUNDLE_FLAG,   CONSOLE_FLAG,	PIDFD_FLAG,	   PID_FILE_FLAG,
	NO_PIVOT_FLAG, NO_KEYRING_FLAG, PRESERVE_FDS_FLAG, CLI_FLAGS_END,
};

const struct cli_flag cli_run_flags[] = {
	BUNDLE_FLAG,
	CONSOLE_FLAG,
	PIDFD_FLAG,
	{ "detach", 'd', OPT_DETACH, false, NULL, "detach from the container's process", false },
	{ "keep", 0, OPT_KEEP, false, NULL, "do not delete the container after it exits", false },
	PID_FILE_FLAG,
	{ "no-subreaper", 0, OPT_NO_SUBREAPER, false, NULL,
	  "disable the use of the subreaper used to reap reparented processes", false },
	NO_PIVOT_FLAG,
	NO_KEYRING_FLAG,
	PRESERVE_FDS_FLAG,
	CLI_FLAGS_END,
};

int cli_parse_create_opts(int argc, char **argv, const char *verb, struct cleat_create_opts *o,
			  bool *keep, cleat_error_t *err)
{
	bool is_run = strcmp(verb, "run") == 0;
	int c;
	optind = 0;
	while ((c = cli_getopt(argc, argv, is_run ? cli_run_flags : cli_create_flags, verb, err)) !=
	       -1) {
		long long n;
		switch (c) {
		case OPT_BUNDLE: o->bundle = optarg; break;
		case OPT_PID_FILE: o->pid_file = optarg; break;
		case OPT_CONSOLE: o->console_socket = optarg; break;
		case OPT_PIDFD: o->pidfd_socket = optarg; break;
		case OPT_PRESERVE:
			if (parse_int(optarg, 0, INT_MAX - 3, &n) < 0)
				return cleat_error_msg(
					err, "invalid value \"%s\" for flag -preserve-fds",
					cleat_cut(optarg));
			o->preserve_fds = (unsigned) n;
			break;
		case OPT_NO_PIVOT: o->no_pivot = true; break;
		case OPT_NO_KEYRING: o->no_new_keyring = true; break;
		case OPT_NO_SUBREAPER: break;
		case OPT_DETACH: o->detach = true; break;
		case OPT_KEEP:
			if (keep)
				*keep = true;
			break;
		default: return -1;
		}
	}
	if (cli_require_args(argc, verb, 1, err) < 0)
		return -1;
	o->id = argv[optind];
	return 0;
}

int cli_create(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	struct cleat_create_opts o = { 0 };
	if (cli_parse_create_opts(argc, argv, "create", &o, NULL, err) < 0)
		return -1;
	struct cleat_created out;
	if (cleat_container_create(ctx, &o, &out, err) < 0)
		return cleat_error_wrap(err, "create \"%s\"", o.id);
	return 0;
}
