#include "config.h"
#include "runtime/cli/cli.h"

#include "runtime/container.h"

int cli_delete(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	static const struct option opts[] = { { "force", no_argument, NULL, 'f' }, { 0 } };
	bool force = false;
	int c;
	optind = 0;
	while ((c = cli_getopt(argc, argv, "+f", opts, "delete", err)) != -1) {
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
