#include "config.h"
#include "runtime/cli/cli.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "common/cut.h"
#include "common/util.h"
#include "runtime/container.h"

enum { OPT_BUNDLE = 'b', OPT_DETACH = 'd', OPT_PID_FILE = 256, OPT_CONSOLE, OPT_PRESERVE,
	OPT_NO_PIVOT,
	OPT_NO_KEYRING,
	OPT_NO_SUBREAPER,
	OPT_KEEP,
	OPT_PIDFD
};

static const struct option create_opts[] = {
	{ "bundle", required_argument, NULL, OPT_BUNDLE },
	{ "pid-file", required_argument, NULL, OPT_PID_FILE },
	{ "console-socket", required_argument, NULL, OPT_CONSOLE },
	{ "pidfd-socket", required_argument, NULL, OPT_PIDFD },
	{ "preserve-fds", required_argument, NULL, OPT_PRESERVE },
	{ "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
	{ "no-new-keyring", no_argument, NULL, OPT_NO_KEYRING },
	{ "no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER },
	/* run only */
	{ "detach", no_argument, NULL, OPT_DETACH },
	{ "keep", no_argument, NULL, OPT_KEEP },
	{ NULL, 0, NULL, 0 },
};

int cli_parse_create_opts(int argc, char **argv, const char *verb, struct cleat_create_opts *o,
			  bool *keep, cleat_error_t *err)
{
	bool is_run = strcmp(verb, "run") == 0;
	int c;
	optind = 0;
	while ((c = cli_getopt(argc, argv, is_run ? "+b:d" : "+b:", create_opts, verb, err)) != -1) {
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
		case OPT_DETACH:
		case OPT_KEEP:
			if (!is_run)
				return cleat_error_msg(err, "flag provided but not defined: -%s",
						       c == OPT_DETACH ? "detach" : "keep");
			if (c == OPT_DETACH)
				o->detach = true;
			else if (keep)
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
