/* The on-disk part of a container: <root>/<id>/ with
 *   state.json   what create recorded (see struct cleat_container)
 *   config.json  the config the container was created from
 *   exec.fifo    present between create and start
 * and an flock() on the directory itself serializing cleat invocations. */
#ifndef CLEAT_RUNTIME_STATE_DIR_H
#define CLEAT_RUNTIME_STATE_DIR_H

#include <sys/types.h>

#include "common/error.h"
#include "runtime/container.h"

#define CLEAT_STATE_FILE "state.json"
#define CLEAT_CONFIG_FILE "config.json"
#define CLEAT_EXEC_FIFO "exec.fifo"

/* mkdir <root>/<id> (fails with runc's message when it exists), open + lock it. */
int cleat_state_dir_create(const char *root, const char *id, int *dir_fd, int *lock_fd,
			   cleat_error_t *err);
/* Open (+ lock when lock_fd is not NULL) an existing one; ENOENT "container does not exist". */
int cleat_state_dir_open(const char *root, const char *id, int *dir_fd, int *lock_fd,
			 cleat_error_t *err);
/* Lock an already open state directory again; *lock_fd stays -1 (and 0 is returned)
 * when path no longer names it: deleted, maybe re-created, by someone else. */
int cleat_state_dir_relock(int dir_fd, const char *path, int *lock_fd, cleat_error_t *err);
/* Remove the state directory at path (open as dir_fd): state.json first (without it
 * a directory left by a killed delete is removed whole), then the files cleat knows,
 * then the directory; one with anything else in it is removed recursively. */
int cleat_state_dir_remove(int dir_fd, const char *path, cleat_error_t *err);
int cleat_state_save(const struct cleat_container *c, cleat_error_t *err);
int cleat_state_load(struct cleat_container *c, cleat_error_t *err);

/* Field 22 of /proc/<pid>/stat (start time in clock ticks); 0 when gone or a zombie. */
unsigned long long cleat_proc_start_time(pid_t pid);
/* Current time as runc prints it: 2026-11-28T07:16:10.202997437Z */
char *cleat_rfc3339_now(void);

#endif
