#include "config.h"
#include "runtime/cli/cli.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"

/* runc's urfave/cli moves the flags of a command in front of its operands,
 * except for exec and ps, whose trailing arguments belong to the process (and
 * the global flags, which end at the command name). */
static bool verb_reorders(const char *verb)
{
	return strcmp(verb, "exec") != 0 && strcmp(verb, "ps") != 0 && strcmp(verb, "cleat") != 0;
}

/* How many words a known flag of the verb spans at `arg`: 0 (not one of its
 * flags: stays an operand, as urfave leaves unknown flags), 1, or 2 when its
 * value is the next word.  "-x", "--x", "-long", "--long", "...=value". */
static int flag_words(const char *arg, const char *shortopts, const struct option *longopts)
{
	if (arg[0] != '-' || arg[1] == '\0')
		return 0;
	const char *name = arg + (arg[1] == '-' ? 2 : 1);
	size_t len = strcspn(name, "=");
	bool inline_value = name[len] == '=';
	if (len == 1 && name[0] != '+' && name[0] != ':') {
		const char *o = strchr(shortopts, name[0]);
		if (o)
			return o[1] == ':' && !inline_value ? 2 : 1;
	}
	for (const struct option *lo = longopts; lo->name; lo++)
		if (strncmp(lo->name, name, len) == 0 && lo->name[len] == '\0')
			return lo->has_arg == required_argument && !inline_value ? 2 : 1;
	return 0;
}

/* Flags (with their values) first, operands after, both in their order.  A
 * literal "--" ends the reordering; as in urfave/cli it and the words after it
 * go right behind the flags, so `state ID --` is `state -- ID`. */
static void reorder_args(int argc, char **argv, const char *shortopts,
			 const struct option *longopts)
{
	_cleanup_free_ char **operands = xmalloc((size_t) argc * sizeof(char *));
	int n_flags = 1, n_operands = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			memmove(argv + n_flags, argv + i, (size_t) (argc - i) * sizeof(char *));
			n_flags += argc - i;
			break;
		}
		int words = flag_words(argv[i], shortopts, longopts);
		if (words == 0) {
			operands[n_operands++] = argv[i];
			continue;
		}
		/* n_flags <= i: the writes never pass the reads. */
		argv[n_flags++] = argv[i];
		if (words == 2 && i + 1 < argc)
			argv[n_flags++] = argv[++i];
	}
	memcpy(argv + n_flags, operands, (size_t) n_operands * sizeof(char *));
}

/* Enough for the longest table (update's). */
#define CLI_MAX_FLAGS 32

/* getopt's strings from a flag table: "+" and each short name (":" when it
 * takes a value); one struct option per long name. */
static void getopt_tables(const struct cli_flag *flags, char *shortopts, struct option *longopts)
{
	size_t n = 0, s = 0;
	shortopts[s++] = '+';
	for (const struct cli_flag *f = flags; f->name; f++, n++) {
		if (n + 1 >= CLI_MAX_FLAGS)
			abort();
		longopts[n] = (struct option){ f->name, f->value ? required_argument : no_argument,
					       NULL, f->val };
		if (f->short_name) {
			shortopts[s++] = f->short_name;
			if (f->value)
				shortopts[s++] = ':';
		}
	}
	longopts[n] = (struct option){ 0 };
	shortopts[s] = '\0';
}

int cli_getopt(int argc, char **argv, const struct cli_flag *flags, const char *verb,
	       cleat_error_t *err)
{
	char shortopts[2 * CLI_MAX_FLAGS + 2];
	struct option longopts[CLI_MAX_FLAGS];
	getopt_tables(flags, shortopts, longopts);
	if (optind == 0 && verb_reorders(verb))
		reorder_args(argc, argv, shortopts, longopts);
	opterr = 0;
	int idx = optind ? optind : 1;
	int c = getopt_long_only(argc, argv, shortopts, longopts, NULL);
	if (c == '?' || c == ':') {
		const char *arg = idx < argc ? argv[idx] : "";
		char flag[64];
		if (optopt && optopt < 256)
			snprintf(flag, sizeof flag, "-%c", optopt);
		else
			snprintf(flag, sizeof flag, "%s",
				 arg + (strncmp(arg, "--", 2) == 0 ? 1 : 0));
		char *eq = strchr(flag, '=');
		if (eq)
			*eq = '\0';
		if (c == ':' || (optopt && strchr(shortopts, optopt)))
			cleat_error_msg(err, "%s: flag needs an argument: %s", verb, flag);
		else
			cleat_error_msg(err, "flag provided but not defined: %s", flag);
		return '?';
	}
	return c;
}

int cli_require_args(int argc, const char *verb, int n, cleat_error_t *err)
{
	if (argc - optind != n)
		return cleat_error_msg(err, "\"%s\" requires exactly %d argument(s)", verb, n);
	return 0;
}

int cli_require_min_args(int argc, const char *verb, int n, cleat_error_t *err)
{
	if (argc - optind < n)
		return cleat_error_msg(err, "\"%s\" requires a minimum of %d argument(s)", verb, n);
	return 0;
}

int cli_parse_signal(const char *s, int *signo, cleat_error_t *err)
{
	long long n;
	if (parse_int(s, 0, 64, &n) == 0) {
		*signo = (int) n;
		return 0;
	}
	const char *name = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
	for (int i = 1; i < NSIG; i++) {
		const char *abbrev = sigabbrev_np(i);
		if (abbrev && strcasecmp(abbrev, name) == 0) {
			*signo = i;
			return 0;
		}
	}
	return cleat_error_msg(err, "unknown signal \"%s\"", s);
}

bool cli_parse_bool(const char *s, bool dflt)
{
	if (s == NULL)
		return dflt;
	if (!strcmp(s, "1") || !strcasecmp(s, "t") || !strcasecmp(s, "true"))
		return true;
	if (!strcmp(s, "0") || !strcasecmp(s, "f") || !strcasecmp(s, "false"))
		return false;
	return dflt;
}

bool cli_wants_help(int argc, char **argv)
{
	bool anywhere = verb_reorders(argv[0]);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (argv[i][0] != '-' && !anywhere)
			return false;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h") ||
		    !strcmp(argv[i], "-help")) {
			cli_print_usage(argv[0]);
			return true;
		}
	}
	return false;
}
