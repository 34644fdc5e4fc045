/* `cleat`: global flags, dispatch to cli/<verb>.c, and the one place that
 * prints errors and picks the exit status. */
#include "config.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "oci-spec/state.h"
#include "runtime/init_stage.h"
#include "runtime/cli/cli.h"
#include "runtime/context.h"
#include "runtime/linux/security.h"

static const struct verb {
	const char *name;
	cli_verb_fn fn;
	const char *usage;
	const char *summary;
} verbs[] = {
	{ "checkpoint", cli_checkpoint, "checkpoint [command options] <container-id>",
	  "checkpoint a running container" },
	{ "create", cli_create, "create [command options] <container-id>", "create a container" },
	{ "delete", cli_delete, "delete [command options] <container-id>",
	  "delete any resources held by the container often used with detached container" },
	{ "events", cli_events, "events [command options] <container-id>",
	  "display container events such as OOM notifications, cpu, memory, and IO usage statistics" },
	{ "exec", cli_exec, "exec [command options] <container-id> <command> [command options]  || -p process.json <container-id>",
	  "execute new process inside the container" },
	{ "features", cli_features, "features", "show the enabled features" },
	{ "kill", cli_kill, "kill [command options] <container-id> [signal]",
	  "kill sends the specified signal (default: SIGTERM) to the container's init process" },
	{ "list", cli_list, "list [command options]", "lists containers started by cleat with the given root" },
	{ "pause", cli_pause, "pause <container-id>", "pause suspends all processes inside the container" },
	{ "ps", cli_ps, "ps [command options] <container-id> [ps options]",
	  "ps displays the processes running inside a container" },
	{ "restore", cli_restore, "restore [command options] <container-id>",
	  "restore a container from a previous checkpoint" },
	{ "resume", cli_resume, "resume <container-id>",
	  "resumes all processes that have been previously paused" },
	{ "run", cli_run, "run [command options] <container-id>", "create and run a container" },
	{ "spec", cli_spec, "spec [command options]", "create a new specification file" },
	{ "start", cli_start, "start <container-id>", "executes the user defined process in a created container" },
	{ "state", cli_state, "state <container-id>", "output the state of a container" },
	{ "update", cli_update, "update [command options] <container-id>", "update container resource constraints" },
};

static const struct verb *find_verb(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	if (strcmp(name, "ls") == 0)
		return find_verb("list");
	return NULL;
}

void cli_print_usage(const char *verb)
{
	const struct verb *v = find_verb(verb);
	if (v)
		printf("NAME:\n   cleat %s - %s\n\nUSAGE:\n   cleat %s\n", v->name, v->summary, v->usage);
}

static void print_version(void)
{
	const struct scmp_version *sv = seccomp_version();
	printf("cleat version %s\nspec: %s\nlibseccomp: %u.%u.%u\n", PACKAGE_VERSION,
	       OCI_SPEC_VERSION_MAX, sv ? sv->major : 0, sv ? sv->minor : 0, sv ? sv->micro : 0);
}

static void print_help(void)
{
	printf("NAME:\n   cleat - Open Container Initiative runtime\n\n"
	       "USAGE:\n   cleat [global options] command [command options] [arguments...]\n\n"
	       "VERSION:\n   %s\n\nCOMMANDS:\n", PACKAGE_VERSION);
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		printf("   %-10s %s\n", verbs[i].name, verbs[i].summary);
	printf("\nGLOBAL OPTIONS:\n"
	       "   --debug             enable debug logging\n"
	       "   --log value         set the log file to write cleat logs to (default is '/dev/stderr')\n"
	       "   --log-format value  set the log format ('text' (default), or 'json') (default: \"text\")\n"
	       "   --root value        root directory for storage of container state (this should be located in tmpfs) (default: \"" CLEAT_DEFAULT_ROOT "\")\n"
	       "   --systemd-cgroup    enable systemd cgroup support\n"
	       "   --rootless value    ignore cgroup permission errors ('true', 'false', or 'auto') (default: \"auto\")\n"
	       "   --help, -h          show help\n"
	       "   --version, -v       print the version\n");
}

enum {
	OPT_ROOT = 256,
	OPT_LOG,
	OPT_LOG_FORMAT,
	OPT_DEBUG,
	OPT_SYSTEMD,
	OPT_ROOTLESS
};

static const struct option global_opts[] = {
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "systemd-cgroup", no_argument, NULL, OPT_SYSTEMD },
	{ "rootless", required_argument, NULL, OPT_ROOTLESS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'v' },
	{ NULL, 0, NULL, 0 },
};

/* Returns 0 to go on, > 0 to exit with (status - 1), < 0 on error. */
static int parse_globals(struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	const char *format = "text";
	int c;
	optind = 0;
	while ((c = cli_getopt(argc, argv, "+hv", global_opts, "cleat", err)) != -1) {
		switch (c) {
		case OPT_ROOT:
			ctx->root = optarg;
			ctx->root_set = true;
			break;
		case OPT_LOG: ctx->log = optarg; break;
		case OPT_LOG_FORMAT: format = optarg; break;
		case OPT_DEBUG: ctx->debug = true; break;
		case OPT_SYSTEMD: ctx->systemd_cgroup = true; break;
		case OPT_ROOTLESS: ctx->rootless = optarg; break;
		case 'h': print_help(); return 1;
		case 'v': print_version(); return 1;
		default: return -1;
		}
	}
	if (strcmp(format, "json") == 0)
		ctx->log_json = true;
	else if (strcmp(format, "text") != 0)
		return cleat_error_msg(err, "invalid log-format: %s", format);
	if (cleat_log_init(ctx->log, ctx->log_json ? CLEAT_LOG_JSON : CLEAT_LOG_TEXT, ctx->debug, err) < 0)
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
	/* Before anything touches a container (the state root is the seal's other layer). */
	if (cleat_selfexe_ensure_cloned(argc, argv, envp, ctx.root, &err) < 0)
		return report(err);
	if (optind >= argc) {
		print_help();
		return 0;
	}
	const char *name = argv[optind];
	if (strcmp(name, "help") == 0 || strcmp(name, "h") == 0) {
		if (optind + 1 < argc && find_verb(argv[optind + 1]))
			cli_print_usage(argv[optind + 1]);
		else
			print_help();
		return 0;
	}
	/* The helper of create/run, re-executed from the sealed copy (linux/init.h). */
	if (strcmp(name, "init") == 0)
		return cleat_init_stage_main();
	const struct verb *v = find_verb(name);
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
