/* `checkpoint` and `restore`: runc's commands, so that `-h` answers like runc
 * (its help tests loop over every command) and a caller such as
 * `ctr c checkpoint` gets a plain refusal rather than "No help topic".  cleat
 * has no CRIU integration, and CRIU does not work on the kernels cleat is
 * tested on. */
#include "config.h"
#include "runtime/cli/cli.h"

static int not_supported(cleat_error_t *err)
{
	return cleat_error_msg(err, "checkpoint/restore is not supported by cleat");
}

int cli_checkpoint(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	(void) ctx;
	(void) argc;
	(void) argv;
	return not_supported(err);
}

int cli_restore(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	(void) ctx;
	(void) argc;
	(void) argv;
	return not_supported(err);
}
