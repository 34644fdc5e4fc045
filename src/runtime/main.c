/* `cleat`: global flags, dispatch to cli/<verb>.c, and the one place that
 * prints errors and picks the exit status. */
#include "config.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "oci-spec/state.h"
#include "runtime/container_setup.h"
#include "runtime/cli/cli.h"
#include "runtime/context.h"
#include "runtime/default_root.h"
#include "runtime/linux/security.h"

static void print_version(void)
{
	const struct scmp_version *sv = seccomp_version();
	printf("cleat version %s\nspec: %s\nlibseccomp: %u.%u.%u\n", PACKAGE_VERSION,
	       OCI_SPEC_VERSION_MAX, sv ? sv->major : 0, sv ? sv->minor : 0, sv ? sv->micro : 0);
}

static void print_help(void) { cli_render_main_help(stdout); }

/* Returns 0 to go on, > 0 to exit with (status - 1), < 0 on error. */
static int parse_globals(struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	const char *format = "text";
	int c;
	optind = 0;
	while ((c = cli_getopt(argc, argv, cli_global_flags, "cleat", err)) != -1) {
		switch (c) {
		case CLI_GLOBAL_ROOT:
			ctx->root = optarg;
			ctx->root_set = true;
			break;
		case CLI_GLOBAL_LOG: ctx->log = optarg; break;
		case CLI_GLOBAL_LOG_FORMAT: format = optarg; break;
		case CLI_GLOBAL_DEBUG: ctx->debug = true; break;
		case CLI_GLOBAL_SYSTEMD: ctx->systemd_cgroup = true; break;
		case CLI_GLOBAL_ROOTLESS: ctx->rootless = optarg; break;
		case 'h': print_help(); return 1;
		case 'v': print_version(); return 1;
		default: return -1;
		}
	}
	if (strcmp(format, "json") == 0)
		ctx->log_json = true;
	else if (strcmp(format, "text") != 0)
		return cleat_error_msg(err, "invalid log-format: %s", format);
	if (cleat_log_init(ctx->log, ctx->log_json ? CLEAT_LOG_JSON : CLEAT_LOG_TEXT, ctx->debug,
			   err) < 0)
		return -1;
	return 0;
}

static int report(cleat_error_t err)
{
	_cleanup_free_ char *msg = cleat_error_string(err);
	if (!cleat_log_to_stderr())
		cleat_error_log("%s", msg);
	fprintf(stderr, "cleat: %s\n", msg);
	return 1;
}

int main(int argc, char **argv, char **envp)
{
	_cleanup_error_ cleat_error_t err = NULL;
	struct cleat_ctx ctx = { .root = CLEAT_DEFAULT_ROOT, .argv0 = argv[0] };
	int r = parse_globals(&ctx, argc, argv, &err);
	if (r < 0)
		return report(err);
	if (r > 0)
		return 0;
	_cleanup_free_ char *default_root = NULL;
	if (!ctx.root_set)
		ctx.root = default_root = cleat_default_root();
	/* Before anything touches a container (the state root is the seal's other layer). */
	if (cleat_selfexe_ensure_cloned(argc, argv, envp, ctx.root, &err) < 0)
		return report(err);
	if (optind >= argc) {
		print_help();
		return 0;
	}
	const char *name = argv[optind];
	if (strcmp(name, "help") == 0 || strcmp(name, "h") == 0) {
		if (optind + 1 < argc && cli_find_command(argv[optind + 1]))
			cli_print_usage(argv[optind + 1]);
		else
			print_help();
		return 0;
	}
	/* Container setup: the setup helper of create/run, re-executed from the sealed
	 * copy (linux/setup_helper.h); named `init` as runc's `runc init`. */
	if (strcmp(name, "init") == 0)
		return cleat_container_setup_main();
	const struct cli_command *v = cli_find_command(name);
	if (v == NULL) {
		cleat_error_msg(&err, "No help topic for '%s'", name);
		report(err);
		return 3;
	}
	cleat_debug("%s: starting", name);
	char **vargv = argv + optind;
	int vargc = argc - optind;
	if (cli_wants_help(vargc, vargv))
		return 0;
	optind = 0;
	r = v->fn(&ctx, vargc, vargv, &err);
	if (r < 0) {
		report(err);
		return r == CLI_FAILED_255 ? 255 : 1;
	}
	return r;
}
