#include "config.h"
#include "runtime/cli/cli.h"

#include "runtime/container.h"

int cli_start(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	optind = 0;
	int c;
	while ((c = cli_getopt(argc, argv, cli_no_flags, "start", err)) != -1)
		return -1;
	if (cli_require_args(argc, "start", 1, err) < 0)
		return -1;
	if (cleat_container_start(ctx, argv[optind], err) < 0)
		return -1;
	return 0;
}
