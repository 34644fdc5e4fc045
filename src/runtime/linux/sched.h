/* Scheduling helpers beyond security.h (tables for tests and `cleat features`,
 * and the second half of execCPUAffinity). */
#ifndef CLEAT_RUNTIME_LINUX_SCHED_H
#define CLEAT_RUNTIME_LINUX_SCHED_H

#include <sched.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci-spec/config.h"

int cleat_sched_policy(const char *name, int *policy, cleat_error_t *err);
int cleat_sched_flag(const char *name, uint64_t *flag, cleat_error_t *err);
/* ioprio_set value: class << 13 | priority. */
int cleat_ioprio_value(const struct oci_io_priority *io, int *value, cleat_error_t *err);
/* "0-3,7" -> a CPU_ALLOC'ed set (free with CPU_FREE) of *size bytes. */
int cleat_cpu_list_parse(const char *list, cpu_set_t **set, size_t *size, cleat_error_t *err);
int cleat_sched_set_affinity(pid_t pid, const char *list, cleat_error_t *err);
/* execCPUAffinity.final on `pid`, to be called right after it joined the
 * container's cgroup (no-op when final is absent). */
int cleat_sched_set_final_affinity(const struct oci_process *p, pid_t pid, cleat_error_t *err);

#endif
