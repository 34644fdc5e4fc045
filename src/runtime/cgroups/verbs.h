/* Library side of the cgroup-riding verbs (update, pause, resume, ps,
 * events): cli/<verb>.c parses flags and calls these. */
#ifndef CLEAT_RUNTIME_CGROUPS_VERBS_H
#define CLEAT_RUNTIME_CGROUPS_VERBS_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci-spec/config.h"
#include "runtime/context.h"

/* Fold the fields set in `delta` into `into` (runc update's merge: memory,
 * cpu, blockIO, pids, hugepages, unified; arrays given in delta replace).
 * delta's arrays move into `into`; `into`'s replaced ones move to delta. */
void cleat_resources_merge(struct oci_resources *into, struct oci_resources *delta);

/* Apply delta to the running container's cgroup and persist the merged
 * resources in the state dir's config.json.  l3/mb (NULL or "" = keep):
 * update's --l3-cache-schema / --mem-bw-schema for linux.intelRdt. */
int cleat_container_update(const struct cleat_ctx *ctx, const char *id, struct oci_resources *delta,
			   const char *l3, const char *mb, cleat_error_t *err);
/* pause (freeze=true) / resume. */
int cleat_container_pause(const struct cleat_ctx *ctx, const char *id, bool freeze,
			  cleat_error_t *err);
int cleat_container_pids(const struct cleat_ctx *ctx, const char *id, pid_t **pids, size_t *n,
			 cleat_error_t *err);

/* events: `emit` gets each JSON line (without newline); returning < 0 stops.
 * stats_once: one stats event and return.  Otherwise stats every interval_ms
 * and OOM events as they happen, until the container stops. */
typedef int (*cleat_event_fn)(const char *json, void *ud);
int cleat_container_events(const struct cleat_ctx *ctx, const char *id, bool stats_once,
			   long interval_ms, cleat_event_fn emit, void *ud, cleat_error_t *err);

#endif
