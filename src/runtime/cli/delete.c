#include "config.h"
#include "runtime/cli/cli.h"

#include "runtime/container.h"

const struct cli_flag cli_delete_flags[] = {
	{ "force", 'f', 'f', false, NULL,
	  "Forcibly deletes the container if it is still running (uses SIGKILL)", false },
	CLI_FLAGS_END,
};

int cli_delete(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	bool force = false;
	int c;
	optind = 0;
	while ((c = cli_getopt(argc, argv, cli_delete_flags, "delete", err)) != -1) {
		if (c != 'f')
			return -1;
		force = true;
	}
	if (cli_require_args(argc, "delete", 1, err) < 0)
		return -1;
	if (cleat_container_delete(ctx, argv[optind], force, err) < 0)
		return -1;
	return 0;
}
