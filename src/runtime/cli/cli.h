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

#include "common/error.h"
#include "runtime/context.h"

typedef int (*cli_verb_fn)(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err);

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
/* With CRIU (cli/checkpoint.c, criu/). */
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
 * ("flag provided but not defined: -x") and returns '?'. */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
	       const char *verb, cleat_error_t *err);
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
/* Print the usage of a verb (from a static table in main.c). */
void cli_print_usage(const char *verb);
/* True when --help/-h is among the verb's flags (printing its usage); for
 * the verbs that reorder, also after the operands. */
bool cli_wants_help(int argc, char **argv);

#endif
