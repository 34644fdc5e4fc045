/* One function per `cleat` verb, each in cli/<verb>.c: flag parsing and
 * printing only; behaviour lives in libcleat.
 *
 * Convention: argv[0] is the verb name; the function returns the process
 * exit status (>= 0), or -1 with *err set, which main() prints (and sends to
 * --log) before exiting 1. */

/* Returned instead of -1 when the failure must exit 255: runc's exec does
 * fatalWithCode(err, 255) so that callers tell a runtime failure from the
 * exec'd process's own exit status. */
#define CLI_FAILED_255 (-255)
#ifndef CLEAT_RUNTIME_CLI_H
#define CLEAT_RUNTIME_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "common/error.h"
#include "runtime/context.h"

typedef int (*cli_verb_fn)(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err);

/* One flag of a command: the parser (cli_getopt) and the help and man page
 * renderers (cli/help.c) read the same entry, so they cannot disagree. */
struct cli_flag {
	const char *name; /* long name: --name, -name */
	char short_name; /* one-letter alias (-x), 0 for none */
	int val; /* what cli_getopt returns for it */
	bool value; /* takes a value (shown as "value", as urfave/cli does) */
	const char *dflt; /* the default as help prints it, NULL for none */
	const char *usage; /* one-line description (may go on with "\n" lines) */
	bool hidden; /* accepted but not listed (runc hides the same flags) */
};
#define CLI_FLAGS_END                                \
	{                                            \
		NULL, 0, 0, false, NULL, NULL, false \
	}

/* One command: its flags, and the help text around them in urfave/cli's
 * layout (NAME, USAGE, DESCRIPTION, OPTIONS). */
struct cli_command {
	const char *name;
	cli_verb_fn fn;
	const char *args_usage; /* after "cleat NAME [command options] " */
	const char *summary; /* the NAME line and the COMMANDS list */
	const char *description; /* NULL for none */
	const struct cli_flag *flags;
};

/* The commands in `cleat --help` order, ending with a NULL name
 * (cli/commands.c), and the global flags. */
extern const struct cli_command cli_commands[];
extern const struct cli_flag cli_global_flags[];
enum {
	CLI_GLOBAL_ROOT = 256,
	CLI_GLOBAL_LOG,
	CLI_GLOBAL_LOG_FORMAT,
	CLI_GLOBAL_DEBUG,
	CLI_GLOBAL_SYSTEMD,
	CLI_GLOBAL_ROOTLESS
};
const struct cli_command *cli_find_command(const char *name);

/* The flag tables of the verbs (cli/<verb>.c). */
extern const struct cli_flag cli_create_flags[], cli_run_flags[], cli_delete_flags[],
	cli_events_flags[], cli_exec_flags[], cli_kill_flags[], cli_list_flags[], cli_ps_flags[],
	cli_spec_flags[], cli_update_flags[], cli_no_flags[], cli_checkpoint_flags[],
	cli_restore_flags[];

/* Renderers (cli/help.c). */
/* `cleat COMMAND --help`, as runc 1.5's urfave/cli lays it out. */
void cli_render_help(FILE *out, const struct cli_command *cmd);
/* `cleat --help`. */
void cli_render_main_help(FILE *out);
/* The OPTIONS lines of a flag table, aligned in blocks as Go's tabwriter. */
void cli_render_flags(FILE *out, const struct cli_flag *flags);
/* Whether a table has a flag that is not hidden ([command options]). */
bool cli_has_visible_flags(const struct cli_flag *flags);
/* The OPTIONS section of a flag table in scdoc, for the man pages. */
void cli_render_flags_scdoc(FILE *out, const struct cli_flag *flags);

int cli_create(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err);
int cli_start(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err);
int cli_run(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err);
int cli_state(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err);
int cli_kill(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err);
int cli_delete(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err);
int cli_list(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err);
int cli_spec(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err);
int cli_features(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err);
int cli_exec(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err);
/* Refusals with runc's help (cli/checkpoint.c). */
int cli_checkpoint(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err);
int cli_restore(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err);
/* Owned by the cgroups area (cli/update.c, cli/pause.c, cli/ps.c, cli/events.c). */
int cli_update(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err);
int cli_pause(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err);
int cli_resume(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err);
int cli_ps(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err);
int cli_events(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err);

/* Shared helpers (cli/common.c). */

/* Parse argv[0..] with getopt_long_only ("-flag" works like Go's flag
 * package, short options still combine) and stop at the first operand.
 * Like runc, every verb but exec and ps (and the global flags, verb "cleat")
 * first moves its known flags that follow operands in front of them, up to a
 * literal "--" (the first call, optind == 0, permutes argv in place).
 * Returns the getopt code, -1 at the end; an unknown flag sets *err
 * ("flag provided but not defined: -x") and returns '?'.  The getopt
 * strings are built from `flags`, the table the help prints. */
int cli_getopt(int argc, char **argv, const struct cli_flag *flags, const char *verb,
	       cleat_error_t *err);
/* `"<verb>" requires exactly N argument(s)` unless argc - optind == n. */
int cli_require_args(int argc, const char *verb, int n, cleat_error_t *err);
/* `"<verb>" requires a minimum of N argument(s)`. */
int cli_require_min_args(int argc, const char *verb, int n, cleat_error_t *err);
/* Signal by number, name or name without SIG (runc's parseSignal). */
int cli_parse_signal(const char *s, int *signo, cleat_error_t *err);
/* Parse a Go-style bool flag value ("true", "1", "false", ...). */
bool cli_parse_bool(const char *s, bool dflt);
struct cleat_create_opts;
/* create/run flags: --bundle/-b --pid-file --console-socket --preserve-fds
 * --no-pivot --no-new-keyring [--detach/-d --keep for run]; the id operand. */
int cli_parse_create_opts(int argc, char **argv, const char *verb, struct cleat_create_opts *o,
			  bool *keep, cleat_error_t *err);
/* Print the help of a verb (cli_render_help on stdout). */
void cli_print_usage(const char *verb);
/* True when --help/-h is among the verb's flags (printing its usage); for
 * the verbs that reorder, also after the operands. */
bool cli_wants_help(int argc, char **argv);

#endif
