/* The /tasks/... events of the Task service, queued in order on the
 * publisher (events_client.c), which forwards them to containerd. */
#ifndef CLEAT_SHIM_EVENTS_H
#define CLEAT_SHIM_EVENTS_H

#include <stdint.h>
#include <time.h>

#include "common/error.h"
#include "google_types.pb-c.h"
#include "shim.pb-c.h"

struct shim;
struct container;
struct process;
struct oom_watch;

void event_task_create(struct container *c, const Containerd__Task__V2__CreateTaskRequest *req,
		       uint32_t pid);
void event_task_start(struct container *c, uint32_t pid);
void event_task_exit(struct process *p);
void event_task_delete(struct container *c, uint32_t pid, uint32_t status,
		       const struct timespec *at);
void event_exec_added(struct container *c, const char *exec_id);
void event_exec_started(struct container *c, const char *exec_id, uint32_t pid);
void event_task_paused(struct container *c);
void event_task_resumed(struct container *c);
/* Not sent by runc-v2: a checkpoint was written to image. */
void event_task_checkpointed(struct container *c, const char *image);
void event_task_oom(struct container *c);

/* OOM notifications for the container's memory cgroup (v1 eventfd, v2
 * inotify on memory.events).  Failure is logged, never fatal. */
void oom_watch_start(struct container *c, pid_t pid);
void oom_watch_stop(struct container *c);

/* Fill a google.protobuf.Timestamp; zero `at` gives Go's zero time. */
void shim_timestamp(Google__Protobuf__Timestamp *ts, const struct timespec *at);

#endif
