/* Start a process that shares our memory (CLONE_VM) on a stack of its own, with
 * clone3 so it can be born inside a cgroup2 directory.
 *
 * Why: the setup helper of create/run clones the container process and exits
 * right away.  A fork would copy the helper's page tables, make every page the
 * container process writes fault (copy-on-write), and free the helper's copy when
 * it exits; sharing the memory does none of that (the container process's exec
 * drops the one address space).  The caller
 * must not touch memory after the clone except its own stack, until it exits or
 * the child is known to be waiting: both run the same C library on one heap, and
 * one thread block (errno; the tid glibc caches there, which the caller's exit
 * would clear unless it dropped its clear_child_tid).  Until the caller exits,
 * the child's page faults are charged to the caller's memory cgroup (the mm's
 * owner); its exec starts a fresh address space in its own. */
#ifndef CLEAT_RUNTIME_LINUX_CLONE_VM_H
#define CLEAT_RUNTIME_LINUX_CLONE_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

/* Whether this architecture has the clone3 entry code: x86-64 only, the one it is
 * tested on; elsewhere the setup helper forks the container process. */
bool cleat_clone_vm_supported(void);

/* clone3(flags | CLONE_VM, into cgroup2 directory `cgroup_fd` unless it is -1); the
 * child runs fn on a copy of the `len` bytes at arg, placed on its new stack, and
 * exits with fn's result.  CLONE_PARENT in flags: no exit signal, as clone3 wants.
 * Returns the pid, or -1 with err set (ENOSYS: no clone3 here, fork instead). */
pid_t cleat_clone_vm(unsigned long long flags, int cgroup_fd, int (*fn)(void *), const void *arg,
		     size_t len, cleat_error_t *err);

#endif
