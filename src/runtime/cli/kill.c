#include "config.h"
#include "runtime/cli/cli.h"

#include <signal.h>

#include "runtime/container.h"

int cli_kill(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	static const struct option opts[] = { { "all", no_argument, NULL, 'a' }, { 0 } };
	bool all = false;
	int c;
	optind = 0;
	while ((c = cli_getopt(argc, argv, "+a", opts, "kill", err)) != -1) {
		if (c != 'a')
			return -1;
		all = true;
	}
	int n = argc - optind;
	if (n < 1 || n > 2) {
		if (n < 1)
			return cli_require_min_args(argc, "kill", 1, err);
		return cleat_error_msg(err, "\"kill\" requires a maximum of 2 argument(s)");
	}
	int signo = SIGTERM;
	if (n == 2 && cli_parse_signal(argv[optind + 1], &signo, err) < 0)
		return -1;
	if (cleat_container_kill(ctx, argv[optind], signo, all, err) < 0)
		return -1;
	return 0;
}
