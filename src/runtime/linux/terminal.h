/* process.terminal: the pty is allocated inside the container (its own devpts,
 * after pivot_root) so ttyname() works there, the slave becomes the
 * controlling terminal and stdio, /dev/console is bound to it, and the master
 * goes to --console-socket with SCM_RIGHTS (runc's protocol: one message, the
 * payload is the master's name, one fd). */
#ifndef CLEAT_RUNTIME_LINUX_TERMINAL_H
#define CLEAT_RUNTIME_LINUX_TERMINAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci-spec/config.h"

/* In the container process or an exec'd one: open /dev/ptmx, make the slave the controlling
 * tty and fds 0-2, bind it on /dev/console when bind_console.  *master gets the master. */
int cleat_terminal_setup(const struct oci_process *p, bool bind_console, int *master,
			 cleat_error_t *err);
/* Connect to the console socket path (before pivot, from the parent). */
int cleat_console_socket_connect(const char *path, int *out, cleat_error_t *err);
/* Send the master over a connected console socket. */
int cleat_console_send(int sock, int master, cleat_error_t *err);
/* The same transport for any fd: connect to a unix socket path (what names it in
 * errors), send one message with payload and fd as SCM_RIGHTS (-1 and errno on error). */
int cleat_fd_socket_connect(const char *path, const char *what, int *out, cleat_error_t *err);
int cleat_fd_socket_send(int sock, const char *payload, int fd);
/* --pidfd-socket (runc 1.2+): send a pidfd of pid, with runc's payload ("standard" for
 * the container process, "setns" for an exec'd process). */
int cleat_pidfd_send(const char *path, pid_t pid, const char *kind, cleat_error_t *err);
/* For a master the runtime keeps (foreground run/exec): the process's "\n" reaches our
 * stdout as is, not as "\r\n" (runc clears ONLCR on the master it receives). */
void cleat_terminal_clear_onlcr(int master);
/* Foreground `run`/`exec -t` without a console socket: copy between our stdio
 * and the master until the process exits (pid) and the master drains; sets
 * our terminal raw meanwhile; returns the wait status of pid. */
/* Block the signals the proxy forwards, before the process exists, so none
 * is lost or kills the runtime in between (children unblock them). */
void cleat_terminal_block_signals(void);
int cleat_terminal_proxy(int master, pid_t pid, int *status, cleat_error_t *err);

#endif
