/* A wait status as the exit code runc and containerd report. */
#ifndef CLEAT_COMMON_EXIT_STATUS_H
#define CLEAT_COMMON_EXIT_STATUS_H

/* The exit code when the process exited, 128 + the signal when a signal
 * killed it, 255 otherwise. */
int cleat_exit_status(int wstatus);

#endif
