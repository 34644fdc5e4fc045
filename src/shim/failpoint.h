/* Test failpoints in the shim: the integration tests kill a real shim at a chosen point
 * to check what it leaves behind.  Inert unless CLEAT_SHIM_FAILPOINT is set. */
#ifndef CLEAT_SHIM_FAILPOINT_H
#define CLEAT_SHIM_FAILPOINT_H

/* SIGKILL this process when CLEAT_SHIM_FAILPOINT (in the environment containerd gave
 * the shim) equals name. */
void shim_failpoint(const char *name);

#endif
