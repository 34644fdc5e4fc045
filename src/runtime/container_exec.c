/* cleat exec, the parent side: check the container's state, spawn the process
 * (or its helper: linux/exec.h), put it in the cgroup, relay the pty, report the pid. */
#include "config.h"
#include "runtime/container.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/exit_status.h"
#include "common/log.h"
#include "common/util.h"
#include "runtime/linux/exec.h"
#include "runtime/linux/sched.h"
#include "runtime/linux/seccomp.h"
#include "runtime/linux/security.h"
#include "runtime/linux/sync.h"
#include "runtime/linux/terminal.h"

struct exec_run {
	struct cleat_container *c;
	const struct cleat_exec_opts *o;
	struct cleat_ns_plan ns;
	int console_sock;
	int sync_parent, sync_child;
	pid_t helper, pid;
	int pty_master;
	struct cleat_cgroup_join cg_join;
};

static void exec_run_cleanup(struct exec_run *r, bool failed)
{
	if (r->helper > 0) {
		kill(r->helper, SIGKILL);
		while (waitpid(r->helper, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (failed && r->pid > 0) {
		kill(r->pid, SIGKILL);
		while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	cleat_ns_plan_close(&r->ns);
	cleat_cgroup_join_close(&r->cg_join);
	for (int *fd = (int[]){ r->console_sock, r->sync_parent, r->sync_child, r->pty_master, -2 };
	     *fd != -2; fd++)
		if (*fd >= 0)
			close(*fd);
	if (r->c)
		cleat_container_free(r->c);
}

static int check_state(struct cleat_container *c, const struct cleat_exec_opts *o,
		       cleat_error_t *err)
{
	switch (c->status) {
	case CLEAT_STATUS_STOPPED:
	case CLEAT_STATUS_CREATING:
		return cleat_error_msg(err, "cannot exec in a stopped container");
	case CLEAT_STATUS_PAUSED:
		if (!o->ignore_paused)
			return cleat_error_msg(err, "cannot exec in a paused container (use "
						    "--ignore-paused to override)");
		break;
	default: break;
	}
	const struct oci_process *p = o->process;
	if (p->terminal && !o->console_socket && o->detach)
		return cleat_error_msg(
			err,
			"cannot allocate tty if runc will detach without setting console socket");
	if (!p->terminal && o->console_socket)
		return cleat_error_msg(
			err, "cannot use console socket if runc will not detach or allocate tty");
	if (p->n_args == 0)
		return cleat_error_msg(err, "args must not be empty");
	if (p->has_capabilities && cleat_caps_validate(&p->capabilities, err) < 0)
		return -1;
	return 0;
}

/* systemd moves the helper (still waiting for GO) into the container's cgroup.  Where it
 * refuses, the helper's own join after GO does it, unless the files could not be opened
 * (open_err): then that is the error. */
static int move_by_systemd(struct cleat_cgroup *cg, pid_t helper, cleat_error_t open_err,
			   cleat_error_t *err)
{
	_cleanup_error_ cleat_error_t e = NULL;
	if (cleat_cgroup_enter_by_systemd(cg, helper, &e) >= 0)
		return 0;
	if (!open_err) {
		cleat_debug("exec: systemd did not move the process (%s); joining by cgroupfs",
			    e->msg);
		return 0;
	}
	*err = TAKE_PTR(e);
	return cleat_error_wrap(err, "enter the container's cgroup (%s)", open_err->msg);
}

static int spawn(struct exec_run *r, cleat_error_t *err)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return cleat_error_errno(err, errno, "socketpair");
	r->sync_parent = sv[0];
	r->sync_child = sv[1];
	if (cleat_exec_ns_plan(r->c->init_pid, &r->ns, err) < 0)
		return -1;
	/* The helper joins the cgroup by itself after GO; born inside the
	 * cgroup2 one unless execCPUAffinity.initial must come first. */
	const struct oci_cpu_affinity *aff = r->o->process->exec_cpu_affinity;
	struct cleat_cgroup *cg = NULL;
	_cleanup_error_ cleat_error_t open_err = NULL;
	if (r->c->cgroup_str && *r->c->cgroup_str &&
	    (cleat_container_cgroup(r->c, &cg, err) < 0 ||
	     cleat_cgroup_exec_sub(cg, r->o->cgroup_subs, r->o->n_cgroup_subs, err) < 0))
		return cleat_error_wrap(err, "enter the container's cgroup");
	/* With systemd (and no --cgroup), systemd moves the helper below, as runc 1.5
	 * asks it to: files we may not open (a read-only cgroupfs) are no error then. */
	bool by_systemd = cg && r->c->systemd_cgroup && r->o->n_cgroup_subs == 0;
	if (cg && cleat_cgroup_join_open(cg, !(aff && aff->initial), &r->cg_join, &open_err) < 0 &&
	    !by_systemd) {
		*err = TAKE_PTR(open_err);
		return cleat_error_wrap(err, "enter the container's cgroup");
	}
	if (r->o->n_cgroup_subs && !cg)
		return cleat_error_msg(err, "--cgroup: the container has no cgroup");
	struct cleat_exec_args a = {
		.process = r->o->process,
		.config = r->c->config,
		.id = r->c->id,
		.no_new_keyring = r->c->no_new_keyring,
		.sync_fd = r->sync_child,
		.ns = r->ns,
		.keep_fds = r->o->preserve_fds,
		.console = r->o->process->terminal,
		.console_kept = r->o->process->terminal && r->console_sock < 0,
		.close_in_child = { r->c->lock_fd, r->c->dir_fd, r->console_sock, r->sync_parent,
				    cleat_selfexe_pinned_fd() },
		.n_close_in_child = 5,
		.cgroup_join = &r->cg_join,
	};
	const struct oci_linux *lx = r->c->config->linux_;
	cleat_seccomp_prepare(lx ? lx->seccomp : NULL, r->c->root);
	bool direct;
	pid_t pid = cleat_exec_spawn(&a, &direct, err);
	cleat_cgroup_join_close(&r->cg_join);
	if (pid < 0)
		return -1;
	if (direct)
		r->pid = pid;
	else
		r->helper = pid;
	close(r->sync_child);
	r->sync_child = -1;
	/* execCPUAffinity.initial: before the move into the cgroup (the exec'd
	 * process inherits it; `final` is applied by the process once inside). */
	if (aff && aff->initial && cleat_sched_set_affinity(pid, aff->initial, err) < 0)
		return cleat_error_wrap(err, "process.execCPUAffinity.initial");
	if (by_systemd && move_by_systemd(cg, pid, open_err, err) < 0)
		return -1;
	if (cleat_sync_send_type(r->sync_parent, CLEAT_SYNC_GO, err) < 0)
		return -1;
	/* The helper has closed its copy: this last close (a grace period) overlaps
	 * the helper's joins and the process's setup. */
	cleat_selfexe_release_pin();
	return 0;
}

/* SCMP_ACT_NOTIFY in an exec'd process: runc sends the exec'd pid with the
 * container's state (running, the init's pid). */
static int handle_seccomp(struct exec_run *r, int fd, cleat_error_t *err)
{
	const struct oci_linux *l = r->c->config->linux_;
	_cleanup_free_ char *state = cleat_container_spec_state_json(r->c);
	return cleat_sync_serve_seccomp_fd(r->sync_parent, l ? l->seccomp : NULL, fd, state, r->pid,
					   err);
}

/* Until end of file: the process exec'd (the socket is O_CLOEXEC). */
static int sync_loop(struct exec_run *r, cleat_error_t *err)
{
	for (;;) {
		_cleanup_sync_msg_ struct cleat_sync_msg *m = NULL;
		if (cleat_sync_recv(r->sync_parent, &m, err) < 0)
			return -1;
		if (m == NULL)
			return r->pid > 0 ? 0
					  : cleat_error_msg(err,
							    "exec helper exited without a process");
		int logged = cleat_sync_log(m, err);
		if (logged < 0)
			return -1;
		if (logged > 0)
			continue;
		switch (m->type) {
		case CLEAT_SYNC_EXEC_PID: {
			int32_t pid;
			if (cleat_sync_msg_pid(m, &pid, err) < 0)
				return -1;
			r->pid = pid;
			while (waitpid(r->helper, NULL, 0) < 0 && errno == EINTR)
				;
			r->helper = 0;
			break;
		}
		case CLEAT_SYNC_CONSOLE:
			if (m->fd < 0)
				return cleat_error_errno(err, EPROTO,
							 "sync: console message without a fd");
			if (r->console_sock >= 0) {
				if (cleat_console_send(r->console_sock, m->fd, err) < 0)
					return -1;
			} else if (r->pty_master < 0) {
				r->pty_master = TAKE_FD(m->fd);
			}
			break;
		case CLEAT_SYNC_SECCOMP:
			if (handle_seccomp(r, m->fd, err) < 0)
				return -1;
			break;
		default:
			return cleat_error_errno(err, EPROTO, "sync: unexpected message %u",
						 m->type);
		}
	}
}

int cleat_container_exec(struct cleat_container *c, const struct cleat_exec_opts *o,
			 int *exit_status, cleat_error_t *err)
{
	struct exec_run r = { .c = c,
			      .o = o,
			      .console_sock = -1,
			      .sync_parent = -1,
			      .sync_child = -1,
			      .pty_master = -1,
			      .cg_join = { .v2_dir = -1 } };
	cleat_ns_plan_init(&r.ns);
	*exit_status = 0;
	/* No lock: a foreground exec may run for days; state is only read. */
	int ret = check_state(r.c, o, err);
	if (ret == 0 && o->console_socket)
		ret = cleat_console_socket_connect(o->console_socket, &r.console_sock, err);
	if (ret == 0)
		ret = spawn(&r, err);
	if (ret == 0)
		ret = sync_loop(&r, err);
	if (ret == 0 && o->pid_file) {
		char buf[32];
		int n = snprintf(buf, sizeof buf, "%d", (int) r.pid);
		ret = write_file_atomic(o->pid_file, buf, (size_t) n, 0644, err);
	}
	if (ret == 0 && o->pidfd_socket)
		ret = cleat_pidfd_send(o->pidfd_socket, r.pid, "setns", err);
	if (ret == 0 && !o->detach) {
		int status = 0;
		ret = cleat_terminal_proxy(r.pty_master, r.pid, &status, err);
		*exit_status = cleat_exit_status(status);
	}
	exec_run_cleanup(&r, ret < 0);
	return ret;
}
