#include "config.h"
#include "runtime/cli/cli.h"

#include <stdio.h>

#include "common/cleanup.h"
#include "runtime/container.h"

int cli_state(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	optind = 0;
	int c;
	while ((c = cli_getopt(argc, argv, cli_no_flags, "state", err)) != -1)
		return -1;
	if (cli_require_args(argc, "state", 1, err) < 0)
		return -1;
	_cleanup_container_ struct cleat_container *ct = NULL;
	if (cleat_container_open(ctx->root, argv[optind], false, &ct, err) < 0)
		return -1;
	_cleanup_free_ char *json = cleat_container_state_json(ct);
	fputs(json, stdout);
	return 0;
}
