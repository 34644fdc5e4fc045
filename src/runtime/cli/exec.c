#include "config.h"
#include "runtime/cli/cli.h"

int cli_exec(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	return cleat_error_msg(err, "exec: not implemented");
}
