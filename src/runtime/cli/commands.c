/* The `cleat` commands: what main() dispatches to, and the text that
 * `cleat --help`, `cleat COMMAND --help` and the man pages print around each
 * command's flag table.  runc's order and wording of the commands, so that
 * scripts and people comparing the two find the same things. */
#include "config.h"
#include "runtime/cli/cli.h"

#include <string.h>

const struct cli_flag cli_no_flags[] = { CLI_FLAGS_END };

const struct cli_flag cli_global_flags[] = {
	{ "debug", 0, CLI_GLOBAL_DEBUG, false, NULL, "enable debug logging", false },
	{ "log", 0, CLI_GLOBAL_LOG, true, NULL,
	  "set the log file to write cleat logs to (default is '/dev/stderr')", false },
	{ "log-format", 0, CLI_GLOBAL_LOG_FORMAT, true, "\"text\"",
	  "set the log format ('text' (default), or 'json')", false },
	{ "root", 0, CLI_GLOBAL_ROOT, true, "\"" CLEAT_DEFAULT_ROOT "\"",
	  "root directory for storage of container state (this should be located in tmpfs)",
	  false },
	{ "systemd-cgroup", 0, CLI_GLOBAL_SYSTEMD, false, NULL,
	  "enable systemd cgroup support, expects cgroupsPath to be of form \"slice:prefix:name\" "
	  "for e.g. \"system.slice:cleat:434234\"",
	  false },
	{ "rootless", 0, CLI_GLOBAL_ROOTLESS, true, "\"auto\"",
	  "ignore cgroup permission errors ('true', 'false', or 'auto')", false },
	{ "help", 'h', 'h', false, NULL, "show help", false },
	{ "version", 'v', 'v', false, NULL, "print the version", false },
	CLI_FLAGS_END,
};

#define WHERE_ID "\n\nWhere \"<container-id>\" is the name for the instance of the container."
#define WHERE_NEW_ID                                                                             \
	"\n\nWhere \"<container-id>\" is your name for the instance of the container that you\n" \
	"are starting. The name you provide for the container instance must be unique on\n"      \
	"your host."
#define CREATE_DESCRIPTION(verb, more)                                                       \
	"The " verb " command creates an instance of a container for a bundle. The bundle\n" \
	"is a directory with a specification file named \"config.json\" and a root\n"        \
	"filesystem.\n\n"                                                                    \
	"The process.args of the specification file is what runs in the container when it\n" \
	"starts; edit it to run something else. See \"cleat spec --help\".\n\n" more

const struct cli_command cli_commands[] = {
	{ "checkpoint", cli_checkpoint, "<container-id>" WHERE_ID, "checkpoint a running container",
	  "The checkpoint command saves the state of the container instance with criu.",
	  cli_checkpoint_flags },
	{ "create", cli_create, "<container-id>" WHERE_NEW_ID, "create a container",
	  CREATE_DESCRIPTION("create", "The container is left in the \"created\" state: "
				       "\"cleat start\" runs its process."),
	  cli_create_flags },
	{ "delete", cli_delete,
	  "<container-id>" WHERE_ID
	  "\n\nEXAMPLE:\nTo remove a stopped container named \"ubuntu01\":\n\n"
	  "       # cleat delete ubuntu01",
	  "delete any resources held by the container often used with detached container", NULL,
	  cli_delete_flags },
	{ "events", cli_events, "<container-id>" WHERE_ID,
	  "display container events such as OOM notifications, cpu, memory, and IO usage "
	  "statistics",
	  "The events command prints a JSON line for each OOM event of the container, or its\n"
	  "statistics every interval (once with --stats).",
	  cli_events_flags },
	{ "exec", cli_exec,
	  "<container-id> <command> [command options]  || -p process.json <container-id>"
	  "\n\nWhere \"<container-id>\" is the name for the instance of the container and\n"
	  "\"<command>\" is the command to be executed in the container.\n"
	  "\"<command>\" can't be empty unless a \"-p\" flag provided.\n\n"
	  "EXAMPLE:\nTo list the processes of a container that has ps:\n\n"
	  "       # cleat exec <container-id> ps",
	  "execute new process inside the container", NULL, cli_exec_flags },
	{ "kill", cli_kill,
	  "<container-id> [signal]\n\nWhere \"<container-id>\" is the name for the instance of the "
	  "container and\n\"[signal]\" is the signal to be sent to the init process (a number or a "
	  "name,\nwith or without SIG).\n\n"
	  "EXAMPLE:\nTo send KILL to the init process of the container \"ubuntu01\":\n\n"
	  "       # cleat kill ubuntu01 KILL",
	  "kill sends the specified signal (default: SIGTERM) to the container's init process",
	  NULL, cli_kill_flags },
	{ "list", cli_list,
	  "\n\nWhere the given root is specified via the global option \"--root\"\n"
	  "(default: \"" CLEAT_DEFAULT_ROOT "\").\n\n"
	  "EXAMPLE:\nTo list the containers under a non-default root:\n"
	  "       # cleat --root value list",
	  "lists containers started by cleat with the given root", NULL, cli_list_flags },
	{ "pause", cli_pause,
	  "<container-id>\n\nWhere \"<container-id>\" is the name for the instance of the "
	  "container to be\npaused.",
	  "pause suspends all processes inside the container",
	  "The pause command freezes all processes in the instance of the container.\n"
	  "Use cleat list to identify instances of containers and their current status.",
	  cli_no_flags },
	{ "ps", cli_ps, "<container-id> [ps options]",
	  "ps displays the processes running inside a container", NULL, cli_ps_flags },
	{ "restore", cli_restore, "<container-id>" WHERE_ID,
	  "restore a container from a previous checkpoint",
	  "Restores the saved state of the container instance that was previously saved\n"
	  "using the cleat checkpoint command.",
	  cli_restore_flags },
	{ "resume", cli_resume,
	  "<container-id>\n\nWhere \"<container-id>\" is the name for the instance of the "
	  "container to be\nresumed.",
	  "resumes all processes that have been previously paused",
	  "The resume command thaws all processes in the instance of the container.\n"
	  "Use cleat list to identify instances of containers and their current status.",
	  cli_no_flags },
	{ "run", cli_run, "<container-id>" WHERE_NEW_ID, "create and run a container",
	  CREATE_DESCRIPTION("run", "Unless --detach is given, cleat stays in the foreground until "
				    "the process exits,\nexits with its status and deletes the "
				    "container (unless --keep is given)."),
	  cli_run_flags },
	{ "spec", cli_spec, NULL, "create a new specification file",
	  "The spec command writes a starter \"config.json\" into the bundle directory; its\n"
	  "process runs \"sh\". Edit it (process.args, root.path, mounts, ...) before running\n"
	  "a container with it. With --rootless it maps the current user into a user namespace\n"
	  "and leaves out what an unprivileged user cannot set up.",
	  cli_spec_flags },
	{ "start", cli_start, "<container-id>" WHERE_NEW_ID,
	  "executes the user defined process in a created container",
	  "The start command executes the user defined process in a created container.",
	  cli_no_flags },
	{ "state", cli_state,
	  "<container-id>\n\nWhere \"<container-id>\" is your name for the instance of the "
	  "container.",
	  "output the state of a container",
	  "The state command outputs current state information for the\ninstance of a container.",
	  cli_no_flags },
	{ "update", cli_update, "<container-id>", "update container resource constraints", NULL,
	  cli_update_flags },
	{ "features", cli_features, NULL, "show the enabled features",
	  "Show the enabled features.\n   The result is parsable as a JSON (the runtime-spec "
	  "features document).",
	  cli_no_flags },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

const struct cli_command *cli_find_command(const char *name)
{
	if (strcmp(name, "ls") == 0)
		name = "list";
	for (const struct cli_command *c = cli_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}
