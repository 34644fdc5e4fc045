/* cleat events [--stats] [--interval 5s] <id>: runc's JSON events, one per line. */
#include "config.h"
#include "runtime/cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cgroups/verbs.h"

/* Go's time.ParseDuration for the units runc users write: 5s, 100ms, 1m30s. */
static int parse_duration(const char *s, long *ms, cleat_error_t *err)
{
	double total = 0;
	const char *p = s;
	if (!*p)
		goto bad;
	while (*p) {
		char *end;
		double v = strtod(p, &end);
		if (end == p)
			goto bad;
		p = end;
		double unit;
		if (!strncmp(p, "ms", 2))
			unit = 1, p += 2;
		else if (!strncmp(p, "us", 2) || !strncmp(p, "µs", 3))
			unit = 0.001, p += p[0] == 'u' ? 2 : 3;
		else if (!strncmp(p, "ns", 2))
			unit = 0.000001, p += 2;
		else if (*p == 's')
			unit = 1000, p++;
		else if (*p == 'm')
			unit = 60000, p++;
		else if (*p == 'h')
			unit = 3600000, p++;
		else
			goto bad;
		total += v * unit;
	}
	if (total <= 0)
		return cleat_error_msg(err, "duration interval must be greater than 0");
	*ms = total < 1 ? 1 : (long) total;
	return 0;
bad:
	return cleat_error_msg(err, "invalid value \"%s\" for flag -interval: parse error", s);
}

static int print_line(const char *json, void *ud)
{
	(void) ud;
	if (printf("%s\n", json) < 0 || fflush(stdout) != 0)
		return -1;
	return 0;
}

const struct cli_flag cli_events_flags[] = {
	{ "interval", 0, 'i', true, "5s", "set the stats collection interval", false },
	{ "stats", 0, 's', false, NULL, "display the container's stats then exit", false },
	CLI_FLAGS_END,
};

int cli_events(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	bool stats = false;
	long interval = 5000;
	int c;
	optind = 0;
	while ((c = cli_getopt(argc, argv, cli_events_flags, "events", err)) != -1) {
		if (c == 's')
			stats = true;
		else if (c == 'i') {
			if (parse_duration(optarg, &interval, err) < 0)
				return -1;
		} else
			return -1;
	}
	if (cli_require_args(argc, "events", 1, err) < 0)
		return -1;
	return cleat_container_events(ctx, argv[optind], stats, interval, print_line, NULL, err);
}
