#include "config.h"
#include "runtime/cli/cli.h"

#include <signal.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
	       const char *verb, cleat_error_t *err)
{
	opterr = 0;
	int idx = optind ? optind : 1;
	int c = getopt_long_only(argc, argv, shortopts, longopts, NULL);
	if (c == '?' || c == ':') {
		const char *arg = idx < argc ? argv[idx] : "";
		char flag[64];
		if (optopt && optopt < 256)
			snprintf(flag, sizeof flag, "-%c", optopt);
		else
			snprintf(flag, sizeof flag, "%s", arg + (strncmp(arg, "--", 2) == 0 ? 1 : 0));
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
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0 || argv[i][0] != '-')
			return false;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h") || !strcmp(argv[i], "-help")) {
			cli_print_usage(argv[0]);
			return true;
		}
	}
	return false;
}
