#include "config.h"
#include "runtime/cli/cli.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "common/cut.h"
#include "common/ids.h"
#include "common/util.h"
#include "runtime/container.h"
#include "runtime/linux/terminal.h"

enum {
	OPT_CONSOLE = 256,
	OPT_CWD,
	OPT_NNP,
	OPT_APPARMOR,
	OPT_LABEL,
	OPT_PRESERVE,
	OPT_IGNORE_PAUSED,
	OPT_PID_FILE,
	OPT_CGROUP,
	OPT_PIDFD
};

const struct cli_flag cli_exec_flags[] = {
	{ "console-socket", 0, OPT_CONSOLE, true, NULL,
	  "path to an AF_UNIX socket which will receive a file descriptor referencing the master "
	  "end of the console's pseudoterminal",
	  false },
	{ "pidfd-socket", 0, OPT_PIDFD, true, NULL,
	  "path to an AF_UNIX socket which will receive a file descriptor referencing the exec "
	  "process",
	  false },
	{ "cwd", 0, OPT_CWD, true, NULL, "current working directory in the container", false },
	{ "env", 'e', 'e', true, NULL, "set environment variables", false },
	{ "tty", 't', 't', false, NULL, "allocate a pseudo-TTY", false },
	{ "user", 'u', 'u', true, NULL, "UID (format: <uid>[:<gid>])", false },
	{ "additional-gids", 'g', 'g', true, NULL, "additional gids", false },
	{ "process", 'p', 'p', true, NULL, "path to the process.json", false },
	{ "detach", 'd', 'd', false, NULL, "detach from the container's process", false },
	{ "pid-file", 0, OPT_PID_FILE, true, NULL, "specify the file to write the process id to",
	  false },
	{ "process-label", 0, OPT_LABEL, true, NULL,
	  "set the asm process label for the process commonly used with selinux", false },
	{ "apparmor", 0, OPT_APPARMOR, true, NULL, "set the apparmor profile for the process",
	  false },
	{ "no-new-privs", 0, OPT_NNP, false, NULL,
	  "set the no new privileges value for the process", false },
	{ "cap", 'c', 'c', true, NULL, "add a capability to the bounding set for the process",
	  false },
	{ "preserve-fds", 0, OPT_PRESERVE, true, "0",
	  "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)",
	  false },
	{ "cgroup", 0, OPT_CGROUP, true, NULL,
	  "run the process in an (existing) sub-cgroup(s). Format is [<controller>:]<cgroup>.",
	  false },
	{ "ignore-paused", 0, OPT_IGNORE_PAUSED, false, NULL, "allow exec in a paused container",
	  false },
	CLI_FLAGS_END,
};

struct exec_flags {
	const char *process_file, *cwd, *user, *apparmor, *label;
	char **env;
	size_t n_env;
	char **gids;
	size_t n_gids;
	char **caps;
	size_t n_caps;
	bool tty, nnp;
};

static void push(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(char *));
	(*v)[(*n)++] = (char *) s;
}

static void strs_append(char ***v, size_t *n, char **add, size_t nadd)
{
	if (nadd == 0)
		return;
	*v = xrealloc(*v, (*n + nadd) * sizeof(char *));
	for (size_t i = 0; i < nadd; i++)
		(*v)[(*n)++] = xstrdup(add[i]);
}

/* A uid or gid given to a flag: runc's message for text that is no integer, the range
 * of config.json for one that is. */
static int flag_id(const char *flag, const char *what, const char *s, uint32_t *out,
		   cleat_error_t *err)
{
	if (cleat_parse_id(s, out) == 0)
		return 0;
	if (errno == ERANGE)
		return cleat_error_msg(err, "%s %s: " CLEAT_ID_RANGE_MSG ", got %s", flag, what,
				       cleat_cut(s));
	return cleat_error_msg(err, "parsing %s as int for %s failed", cleat_cut(s), what);
}

/* runc's exec: the container's process as a base, then the flags on top. */
static int apply_flags(struct oci_process *p, const struct exec_flags *f, char **args, size_t nargs,
		       cleat_error_t *err)
{
	if (nargs) {
		for (size_t i = 0; i < p->n_args; i++)
			free(p->args[i]);
		free(p->args);
		p->args = NULL;
		p->n_args = 0;
		strs_append(&p->args, &p->n_args, args, nargs);
	}
	p->terminal = f->tty;
	strs_append(&p->env, &p->n_env, f->env, f->n_env);
	if (f->cwd) {
		free(p->cwd);
		p->cwd = xstrdup(f->cwd);
	}
	if (f->user) {
		_cleanup_free_ char *u = xstrdup(f->user);
		char *colon = strchr(u, ':');
		if (colon) {
			*colon = '\0';
			if (flag_id("--user", "gid", colon + 1, &p->user.gid, err) < 0)
				return -1;
		}
		if (flag_id("--user", "uid", u, &p->user.uid, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < f->n_gids; i++) {
		uint32_t gid;
		if (flag_id("--additional-gids", "gid", f->gids[i], &gid, err) < 0)
			return -1;
		p->user.additional_gids = xrealloc(p->user.additional_gids,
						   (p->user.n_additional_gids + 1) *
							   sizeof(uint32_t));
		p->user.additional_gids[p->user.n_additional_gids++] = gid;
	}
	if (f->n_caps) {
		struct oci_capabilities *c = &p->capabilities;
		p->has_capabilities = true;
		c->has_bounding = c->has_effective = c->has_permitted = true;
		strs_append(&c->bounding, &c->n_bounding, f->caps, f->n_caps);
		strs_append(&c->effective, &c->n_effective, f->caps, f->n_caps);
		strs_append(&c->permitted, &c->n_permitted, f->caps, f->n_caps);
	}
	if (f->nnp)
		p->no_new_privileges = true;
	if (f->apparmor) {
		free(p->apparmor_profile);
		p->apparmor_profile = xstrdup(f->apparmor);
	}
	if (f->label) {
		free(p->selinux_label);
		p->selinux_label = xstrdup(f->label);
	}
	return 0;
}

/* The process to run: --process, or the container's own process edited by the flags in
 * place (the container's config is ours: loaded for this exec, read by nothing else).
 * *owned is the --process one, for the caller to free. */
static int load_process(struct cleat_container *c, const struct exec_flags *f, char **args,
			size_t nargs, const struct oci_process **out, struct oci_process **owned,
			cleat_error_t *err)
{
	if (f->process_file) {
		_cleanup_free_ char *text = NULL;
		size_t len;
		if (read_file(f->process_file, &text, &len, err) < 0 ||
		    oci_process_parse(text, len, f->process_file, owned, err) < 0)
			return -1;
		*out = *owned;
		return 0;
	}
	if (c->config == NULL || c->config->process == NULL)
		return cleat_error_msg(err, "container \"%s\" has no process in its config", c->id);
	if (apply_flags(c->config->process, f, args, nargs, err) < 0)
		return -1;
	*out = c->config->process;
	return 0;
}

/* The exit status of the process, or -1 with *err set.  The container's state and
 * config are loaded once, here. */
static int run_exec(const struct cleat_ctx *ctx, const char *id, const struct exec_flags *f,
		    struct cleat_exec_opts *o, char **args, size_t nargs, cleat_error_t *err)
{
	/* The checks runc makes before it looks at the container come first. */
	if (!f->process_file && nargs == 0)
		return cleat_error_msg(err, "process args cannot be empty");
	_cleanup_oci_process_ struct oci_process *owned = NULL;
	_cleanup_container_ struct cleat_container *c = NULL;
	if (f->process_file) {
		if (load_process(NULL, f, args, nargs, &o->process, &owned, err) < 0)
			return -1;
		if (cleat_container_open(ctx->root, id, false, &c, err) < 0)
			return -1;
	} else if (cleat_container_open(ctx->root, id, false, &c, err) < 0 ||
		   load_process(c, f, args, nargs, &o->process, &owned, err) < 0) {
		return -1;
	}
	if (!o->detach)
		cleat_terminal_block_signals();
	int status;
	if (cleat_container_exec(TAKE_PTR(c), o, &status, err) < 0)
		return -1;
	return status;
}

int cli_exec(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	struct exec_flags f = { 0 };
	struct cleat_exec_opts o = { 0 };
	int ret = -1, c;
	optind = 0;
	while ((c = cli_getopt(argc, argv, cli_exec_flags, "exec", err)) != -1) {
		long long n;
		switch (c) {
		case OPT_CONSOLE: o.console_socket = optarg; break;
		case OPT_PIDFD: o.pidfd_socket = optarg; break;
		case OPT_CWD: f.cwd = optarg; break;
		case 'e': push(&f.env, &f.n_env, optarg); break;
		case 't': f.tty = true; break;
		case 'u': f.user = optarg; break;
		case 'g': push(&f.gids, &f.n_gids, optarg); break;
		case 'p': f.process_file = optarg; break;
		case 'd': o.detach = true; break;
		case OPT_PID_FILE: o.pid_file = optarg; break;
		case OPT_LABEL: f.label = optarg; break;
		case OPT_APPARMOR: f.apparmor = optarg; break;
		case OPT_NNP: f.nnp = true; break;
		case 'c': push(&f.caps, &f.n_caps, optarg); break;
		case OPT_PRESERVE:
			if (parse_int(optarg, 0, INT_MAX - 3, &n) < 0) {
				cleat_error_msg(err, "invalid value \"%s\" for flag -preserve-fds",
						cleat_cut(optarg));
				goto out;
			}
			o.preserve_fds = (unsigned) n;
			break;
		case OPT_IGNORE_PAUSED: o.ignore_paused = true; break;
		case OPT_CGROUP: push(&o.cgroup_subs, &o.n_cgroup_subs, optarg); break;
		default: goto out;
		}
	}
	if (cli_require_min_args(argc, "exec", 1, err) < 0)
		goto out;
	/* runc: every failure past the usage checks is "exec failed: ..." with
	 * status 255, never a status the process itself could have returned. */
	ret = run_exec(ctx, argv[optind], &f, &o, argv + optind + 1, (size_t) (argc - optind - 1),
		       err);
	if (ret < 0) {
		cleat_error_wrap(err, "exec failed");
		ret = CLI_FAILED_255;
	}
out:
	free(f.env);
	free(f.gids);
	free(f.caps);
	free(o.cgroup_subs);
	return ret;
}
