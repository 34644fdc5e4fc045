/* The one place that calls wait4(): SIGCHLD arrives on a signalfd, the reaper
 * loops wait4(-1, WNOHANG) and dispatches every pid, first to one-shot
 * watchers (runtime commands), otherwise to shim_handle_exit() (container
 * processes).  Nobody else may wait for a child: a second waiter would steal
 * exit statuses. */
#ifndef CLEAT_SHIM_REAPER_H
#define CLEAT_SHIM_REAPER_H

#include <sys/types.h>
#include <time.h>

#include "common/error.h"

struct shim;
struct reaper;

typedef void (*reaper_fn)(struct shim *s, pid_t pid, int status, const struct timespec *at,
			  void *data);

/* SIGCHLD must already be blocked in the caller (main does so before anything). */
int reaper_new(struct shim *s, struct reaper **out, cleat_error_t *err);
void reaper_free(struct reaper *r);
/* Call fn once when pid exits.  Register right after fork(): reaping only
 * happens from the loop, so there is no window in which the pid is lost. */
void reaper_watch(struct reaper *r, pid_t pid, reaper_fn fn, void *data);
/* Drop a watch (its owner went away); the exit is then ignored. */
void reaper_unwatch(struct reaper *r, pid_t pid);
/* Reap everything that has exited now. */
void reaper_reap(struct reaper *r);

/* Exit code as containerd reports it: the code, or 128 + signal. */
int reaper_exit_status(int wstatus);

#endif
