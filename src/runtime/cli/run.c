#include "config.h"
#include "runtime/cli/cli.h"

#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/exit_status.h"
#include "common/log.h"
#include "runtime/container.h"
#include "runtime/linux/terminal.h"

static void remove_quietly(struct cleat_container *c)
{
	_cleanup_error_ cleat_error_t e = NULL;
	if (cleat_container_delete_direct(c, &e) < 0)
		cleat_warn("delete \"%s\": %s", c->id, e->msg);
}

int cli_run(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	struct cleat_create_opts o = { 0 };
	bool keep = false;
	if (cli_parse_create_opts(argc, argv, "run", &o, &keep, err) < 0)
		return -1;
	o.foreground = !o.detach;
	o.direct_start = true;
	if (o.foreground)
		cleat_terminal_block_signals();
	struct cleat_created out;
	if (cleat_container_create(ctx, &o, &out, err) < 0)
		return cleat_error_wrap(err, "run \"%s\"", o.id);
	_cleanup_close_ int master = out.pty_master;
	_cleanup_close_ int start_fd = out.start_fd;
	_cleanup_container_ struct cleat_container *c = out.container;
	cleat_debug("run %s: created", o.id);
	int started = cleat_container_start_direct(c, start_fd, err);
	/* While the container process runs. */
	cleat_created_reap_helper(&out);
	if (started < 0) {
		cleat_error_wrap(err, "run \"%s\"", o.id);
		remove_quietly(c);
		return -1;
	}
	cleat_debug("run %s: started", o.id);
	if (o.detach)
		return 0;
	int status = 0;
	if (cleat_terminal_proxy(master, out.init_pid, &status, err) < 0)
		return -1;
	cleat_debug("run %s: init exited", o.id);
	if (!keep)
		remove_quietly(c);
	cleat_debug("run %s: deleted", o.id);
	return cleat_exit_status(status);
}
