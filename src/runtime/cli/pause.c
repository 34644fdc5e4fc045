/* cleat pause <id> / cleat resume <id>: freeze and thaw the container's cgroup. */
#include "config.h"
#include "runtime/cli/cli.h"

#include "runtime/cgroups/verbs.h"

static int toggle(const struct cleat_ctx *ctx, int argc, char **argv, const char *verb, bool freeze,
		  cleat_error_t *err)
{
	int c;
	optind = 0;
	while ((c = cli_getopt(argc, argv, cli_no_flags, verb, err)) != -1)
		return -1;
	if (cli_require_args(argc, verb, 1, err) < 0)
		return -1;
	return cleat_container_pause(ctx, argv[optind], freeze, err);
}

int cli_pause(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	return toggle(ctx, argc, argv, "pause", true, err);
}

int cli_resume(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	return toggle(ctx, argc, argv, "resume", false, err);
}
