/* cleat-man-gen PAGE: the scdoc source of cleat(8) ("cleat") or of
 * cleat-COMMAND(8) ("cleat-run"), from the tables `cleat --help` prints, so
 * the man pages list the same commands and flags as the parser accepts. */
#include "config.h"
#include "runtime/cli/cli.h"

#include <string.h>

/* Plain text to scdoc: '*', '_' and '\' escaped; lines that start with
 * spaces (examples) indented with a tab, as scdoc wants. */
static void text(FILE *out, const char *s)
{
	bool line_start = true;
	for (; *s; s++) {
		if (line_start && *s == ' ') {
			while (*s == ' ')
				s++;
			fputc('\t', out);
			if (!*s)
				break;
		}
		if (*s == '*' || *s == '_' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
		line_start = *s == '\n';
	}
	fputc('\n', out);
}

static void see_also(FILE *out, const char *self)
{
	fputs("\n# SEE ALSO\n\n", out);
	bool first = true;
	for (const struct cli_command *c = cli_commands; c->name; c++) {
		if (strcmp(c->name, self) == 0)
			continue;
		fprintf(out, "%s*cleat-%s*(8)", first ? "" : ", ", c->name);
		first = false;
	}
	fprintf(out, "%s*cleat*(8), *containerd-shim-cleat-v2*(8), *runc*(8)\n",
		strcmp(self, "cleat") == 0 ? "" : ", ");
}

static void command_page(FILE *out, const struct cli_command *c)
{
	fprintf(out, "cleat-%s(8)\n\n# NAME\n\ncleat-%s - ", c->name, c->name);
	text(out, c->summary);
	const char *args = c->args_usage ? c->args_usage : "[arguments...]";
	const char *rest = strstr(args, "\n\n");
	size_t first = rest ? (size_t) (rest - args) : strlen(args);
	fprintf(out, "\n# SYNOPSIS\n\n*cleat* [_global options_] *%s*%s %.*s\n", c->name,
		cli_has_visible_flags(c->flags) ? " [_command options_]" : "", (int) first, args);
	if (c->description || rest) {
		fputs("\n# DESCRIPTION\n\n", out);
		if (c->description)
			text(out, c->description);
		if (c->description && rest)
			fputc('\n', out);
		if (rest)
			text(out, rest + 2);
	}
	fputs("\n# OPTIONS\n\n", out);
	if (cli_has_visible_flags(c->flags))
		cli_render_flags_scdoc(out, c->flags);
	else
		fputs("None besides *--help*, *-h*.\n\n", out);
	fputs("*--help*, *-h*\n\tshow help\n", out);
	see_also(out, c->name);
}

static void main_page(FILE *out)
{
	fputs("cleat(8)\n\n# NAME\n\ncleat - Open Container Initiative runtime\n\n"
	      "# SYNOPSIS\n\n*cleat* [_global options_] _command_ [_command options_] "
	      "[_arguments..._]\n\n"
	      "# DESCRIPTION\n\n"
	      "*cleat* creates and runs containers from OCI bundles (a directory with a "
	      "_config.json_ and a root filesystem) with the command line of *runc*(8), so that "
	      "containerd, docker and podman can use it in runc's place. It exits after starting "
	      "a container; the container's processes do not depend on it.\n\n"
	      "Flags of a command may follow its operands (not for *exec* and *ps*, whose "
	      "trailing words belong to the process), up to a literal *--*. A long flag takes "
	      "one or two dashes.\n\n"
	      "*cleat* _command_ *--help* prints the options of a command, as *cleat-*_command_(8) "
	      "lists them.\n\n# GLOBAL OPTIONS\n\n",
	      out);
	cli_render_flags_scdoc(out, cli_global_flags);
	fputs("# COMMANDS\n\n", out);
	for (const struct cli_command *c = cli_commands; c->name; c++) {
		fprintf(out, "*%s*\n\t*cleat-%s*(8): ", c->name, c->name);
		text(out, c->summary);
		fputc('\n', out);
	}
	fputs("*help*, *h* [_command_]\n\tShows a list of commands or help for one command\n\n"
	      "# FILES\n\n"
	      "_" CLEAT_DEFAULT_ROOT "_\n\tThe default *--root*: one directory per container "
	      "(its state and the handles cleat keeps).\n\n"
	      "_$XDG_RUNTIME_DIR/cleat_\n\tThe default *--root* instead, as runc's, for a caller "
	      "that is not root, and for uid 0 in a user namespace (rootless podman runs the "
	      "runtime so) unless *USER* is root.\n\n"
	      "# EXIT STATUS\n\n"
	      "0 on success, 1 on an error (printed on standard error and to *--log*), 3 for an "
	      "unknown command. *run* (in the foreground) and *exec* exit with the status of the "
	      "container's process; *exec* exits 255 when it fails itself.\n",
	      out);
	see_also(out, "cleat");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fputs("usage: cleat-man-gen cleat|cleat-COMMAND\n", stderr);
		return 2;
	}
	if (strcmp(argv[1], "cleat") == 0) {
		main_page(stdout);
		return 0;
	}
	const struct cli_command *c = strncmp(argv[1], "cleat-", 6) == 0
					      ? cli_find_command(argv[1] + 6)
					      : NULL;
	if (c == NULL || strcmp(c->name, argv[1] + 6) != 0) {
		fprintf(stderr, "cleat-man-gen: no command %s\n", argv[1]);
		return 1;
	}
	command_page(stdout, c);
	return fflush(stdout) == 0 ? 0 : 1;
}
