/* The help renderer (src/runtime/cli/help.c) and the parser that reads the
 * same flag tables (cli_getopt). */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>

#include "common/cleanup.h"
#include "runtime/cli/cli.h"
#include "test-runtime-tap.h"

static char *render(void (*fn)(FILE *, const void *), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	fn(f, arg);
	fclose(f);
	/* A copy: gcc takes the stream's buffer for one in this frame. */
	char *copy = strdup(buf);
	free(buf);
	return copy;
}

static void flags_fn(FILE *f, const void *a) { cli_render_flags(f, a); }
static void scdoc_fn(FILE *f, const void *a) { cli_render_flags_scdoc(f, a); }
static void help_fn(FILE *f, const void *a) { cli_render_help(f, a); }

static const struct cli_flag sample[] = {
	{ "bundle", 'b', 'b', true, NULL, "the bundle", false },
	{ "all", 'a', 'a', false, NULL, "hidden one, with a much longer name", true },
	{ "resources", 'r', 'r', true, NULL, "first line\n\nmore lines", false },
	{ "pids-limit", 0, 1000, true, "0", "maximum pids", false },
	{ "x", 0, 1001, false, NULL, "short", false },
	CLI_FLAGS_END,
};

/* urfave/cli's cells, padded by two past the widest of each block; the
 * multi-line description ends the first block as Go's tabwriter does. */
static void test_layout(void)
{
	_cleanup_free_ char *out = render(flags_fn, sample);
	ok_str(out,
	       "   --bundle value, -b value     the bundle\n"
	       "   --resources value, -r value  first line\n\nmore lines\n"
	       "   --pids-limit value  maximum pids (default: 0)\n"
	       "   --x                 short\n",
	       "flags: names, value, default, hidden left out, blocks aligned");
}

static void test_scdoc(void)
{
	_cleanup_free_ char *out = render(scdoc_fn, sample);
	ok_str(out,
	       "*--bundle*, *-b* _value_\n\tthe bundle\n\n"
	       "*--resources*, *-r* _value_\n\tfirst line\n\n\tmore lines\n\n"
	       "*--pids-limit* _value_\n\tmaximum pids (default: 0)\n\n"
	       "*--x*\n\tshort\n\n",
	       "scdoc: one term per flag, the description indented");
}

static void test_command(void)
{
	static const struct cli_flag hidden_only[] = {
		{ "all", 'a', 'a', false, NULL, "hidden", true },
		CLI_FLAGS_END,
	};
	struct cli_command c = { "kill", NULL, "<id>", "kill it", NULL, hidden_only };
	_cleanup_free_ char *out = render(help_fn, &c);
	ok_str(out, "NAME:\n   cleat kill - kill it\n\nUSAGE:\n   cleat kill <id>\n",
	       "a command with hidden flags only: no [command options], no OPTIONS");
	c.flags = sample;
	c.description = "does it";
	c.args_usage = NULL;
	_cleanup_free_ char *out2 = render(help_fn, &c);
	ok(strstr(out2, "USAGE:\n   cleat kill [command options] [arguments...]\n\n"
			"DESCRIPTION:\n   does it\n\nOPTIONS:\n   --bundle") != NULL &&
		   strcmp(out2 + strlen(out2) - 5, "\n   \n") == 0,
	   "a command with flags: [command options], DESCRIPTION, OPTIONS ending like urfave/cli");
}

/* Every visible flag of every command is in its --help, and every OPTIONS
 * line is a flag of the table. */
static void test_every_command(void)
{
	for (const struct cli_command *c = cli_commands; c->name; c++) {
		_cleanup_free_ char *out = render(help_fn, c);
		bool all = true;
		size_t visible = 0;
		for (const struct cli_flag *f = c->flags; f->name; f++) {
			char line[128];
			snprintf(line, sizeof line, "\n   --%s", f->name);
			char *at = strstr(out, line);
			bool shown = at && (at[strlen(line)] == ' ' || at[strlen(line)] == ',');
			if (shown == f->hidden) {
				all = false;
				printf("# %s --%s: shown %d, hidden %d\n", c->name, f->name, shown,
				       f->hidden);
			}
			visible += !f->hidden;
		}
		size_t lines = 0;
		for (const char *p = strstr(out, "\n   --"); p; p = strstr(p + 1, "\n   --"))
			lines++;
		ok(all && lines == visible, "%s: %zu flags in its help, as in its table", c->name,
		   visible);
	}
}

static void test_parser(void)
{
	char a0[] = "x", a1[] = "-r", a2[] = "f", a3[] = "--pids-limit=3", a4[] = "-x", a5[] = "id";
	char *argv[] = { a0, a1, a2, a3, a4, a5, NULL };
	_cleanup_error_ cleat_error_t err = NULL;
	int got[4], n = 0, c;
	optind = 0;
	while (n < 4 && (c = cli_getopt(6, argv, sample, "update", &err)) != -1)
		got[n++] = c;
	ok(n == 3 && got[0] == 'r' && got[1] == 1000 && got[2] == 1001 && optind == 5 &&
		   strcmp(argv[optind], "id") == 0,
	   "cli_getopt: short, long=value and bool flags from the table");
	char b1[] = "--nope";
	char *argv2[] = { a0, b1, a5, NULL };
	optind = 0;
	c = cli_getopt(3, argv2, sample, "update", &err);
	ok(c == '?' && err && strstr(err->msg, "flag provided but not defined: -nope"),
	   "cli_getopt: a flag not in the table is refused");
}

int main(void)
{
	test_layout();
	test_scdoc();
	test_command();
	test_every_command();
	test_parser();
	return tap_done();
}
