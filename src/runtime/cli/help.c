/* Help text from the command and flag tables (cli/commands.c and each
 * verb's flags): runc 1.5's layout, which urfave/cli v1 prints through Go's
 * tabwriter, and the same content in scdoc for the man pages. */
#include "config.h"
#include "runtime/cli/cli.h"

#include <string.h>

#include "common/cleanup.h"
#include "common/util.h"

/* "--name value, -x value": every name of the flag, as urfave/cli joins them. */
static char *flag_names(const struct cli_flag *f)
{
	const char *v = f->value ? " value" : "";
	if (f->short_name)
		return xasprintf("--%s%s, -%c%s", f->name, v, f->short_name, v);
	return xasprintf("--%s%s", f->name, v);
}

/* The description with its default, as urfave/cli appends it. */
static char *flag_text(const struct cli_flag *f)
{
	if (f->dflt)
		return xasprintf("%s (default: %s)", f->usage, f->dflt);
	return xstrdup(f->usage);
}

bool cli_has_visible_flags(const struct cli_flag *flags)
{
	for (const struct cli_flag *f = flags; f->name; f++)
		if (!f->hidden)
			return true;
	return false;
}

/* Go's tabwriter aligns a column over consecutive lines that have a cell in
 * it; a description that goes on over more lines ends the block, so the
 * flags after it are aligned on their own (two spaces of padding). */
void cli_render_flags(FILE *out, const struct cli_flag *flags)
{
	const struct cli_flag *block = flags;
	while (block->name) {
		const struct cli_flag *end = block;
		size_t width = 0;
		while (end->name) {
			bool multiline = strchr(end->usage, '\n') != NULL;
			if (!end->hidden) {
				_cleanup_free_ char *names = flag_names(end);
				if (strlen(names) > width)
					width = strlen(names);
			}
			end++;
			if (multiline && !end[-1].hidden)
				break;
		}
		for (const struct cli_flag *f = block; f < end; f++) {
			if (f->hidden)
				continue;
			_cleanup_free_ char *names = flag_names(f);
			_cleanup_free_ char *text = flag_text(f);
			fprintf(out, "   %-*s  %s\n", (int) width, names, text);
		}
		block = end;
	}
}

void cli_render_help(FILE *out, const struct cli_command *cmd)
{
	bool flags = cli_has_visible_flags(cmd->flags);
	fprintf(out, "NAME:\n   cleat %s - %s\n\nUSAGE:\n   cleat %s%s %s\n", cmd->name,
		cmd->summary, cmd->name, flags ? " [command options]" : "",
		cmd->args_usage ? cmd->args_usage : "[arguments...]");
	if (cmd->description)
		fprintf(out, "\nDESCRIPTION:\n   %s\n", cmd->description);
	if (flags) {
		fputs("\nOPTIONS:\n", out);
		cli_render_flags(out, cmd->flags);
		fputs("   \n", out);
	}
}

void cli_print_usage(const char *verb)
{
	const struct cli_command *c = cli_find_command(verb);
	if (c)
		cli_render_help(stdout, c);
}

void cli_render_main_help(FILE *out)
{
	fprintf(out,
		"NAME:\n   cleat - Open Container Initiative runtime\n\n"
		"cleat is a command line client for running applications packaged according to\n"
		"the Open Container Initiative (OCI) format, with runc's command line. It creates\n"
		"and starts a container and exits; the container's processes do not depend on "
		"it.\n\n"
		"To start a new instance of a container:\n\n"
		"    # cleat run [ -b bundle ] <container-id>\n\n"
		"Where \"<container-id>\" is your name for the instance of the container. The\n"
		"bundle directory (\"-b\") holds config.json and the root filesystem; it defaults\n"
		"to the current directory.\n\n"
		"USAGE:\n   cleat [global options] command [command options] [arguments...]\n\n"
		"VERSION:\n   %s\n\nCOMMANDS:\n",
		PACKAGE_VERSION);
	const char *help_names = "help, h";
	int width = (int) strlen(help_names);
	for (const struct cli_command *c = cli_commands; c->name; c++)
		if ((int) strlen(c->name) > width)
			width = (int) strlen(c->name);
	for (const struct cli_command *c = cli_commands; c->name; c++)
		fprintf(out, "   %-*s  %s\n", width, c->name, c->summary);
	fprintf(out, "   %-*s  %s\n", width, help_names,
		"Shows a list of commands or help for one command");
	fputs("\nGLOBAL OPTIONS:\n", out);
	cli_render_flags(out, cli_global_flags);
}

/* scdoc gives '*', '_' and a leading '\' meaning; the tables' text has no
 * markup, so they are escaped. */
static void scdoc_escaped(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '*' || *s == '_' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
}

void cli_render_flags_scdoc(FILE *out, const struct cli_flag *flags)
{
	for (const struct cli_flag *f = flags; f->name; f++) {
		if (f->hidden)
			continue;
		fprintf(out, "*--%s*", f->name);
		if (f->short_name)
			fprintf(out, ", *-%c*", f->short_name);
		fputs(f->value ? " _value_\n" : "\n", out);
		fputc('\t', out);
		_cleanup_free_ char *text = flag_text(f);
		for (const char *line = text; line;) {
			const char *nl = strchr(line, '\n');
			_cleanup_free_ char *one = nl ? xstrndup(line, (size_t) (nl - line))
						      : xstrdup(line);
			scdoc_escaped(out, one);
			/* A blank line of the description becomes a paragraph break
			 * inside the indented block. */
			line = nl ? nl + 1 : NULL;
			if (line)
				fputs(*line == '\n' || *line == '\0' ? "\n\n\t" : " ", out);
			if (line && *line == '\n')
				line++;
		}
		fputs("\n\n", out);
	}
}
