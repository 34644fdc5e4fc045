#include "config.h"
#include "runtime/cli/cli.h"

#include <signal.h>

#include "runtime/container.h"

/* runc hides --all (deprecated: a container without its own pid namespace
 * gets every process killed anyway). */
const struct cli_flag cli_kill_flags[] = {
	{ "all", 'a', 'a', false, NULL,
	  "send the specified signal to all processes inside the container", true },
	CLI_FLAGS_END,
};

int cli_kill(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	bool all = false;
	int c;
	optind = 0;
	while ((c = cli_getopt(argc, argv, cli_kill_flags, "kill", err)) != -1) {
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
