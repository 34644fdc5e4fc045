/* Internal to the Task service handlers (task.c, task_lifecycle.c). */
#ifndef CLEAT_SHIM_TASK_H
#define CLEAT_SHIM_TASK_H

#include <protobuf-c/protobuf-c.h>

#include "shim/container.h"
#include "shim/runtime.h"
#include "shim/shim.h"
#include "shim/ttrpc/ttrpc.h"
#include "shim.pb-c.h"

static inline void pb_freep(void *p)
{
	ProtobufCMessage **m = p;
	if (*m)
		protobuf_c_message_free_unpacked(*m, NULL);
}
#define _cleanup_pb_ __attribute__((cleanup(pb_freep)))

/* Unpack the request or answer Internal, as Go ttrpc does. */
#define TASK_UNPACK(var, type, prefix)                                                   \
	_cleanup_pb_ type *var = prefix##__unpack(NULL, len, payload);                   \
	if (!var) {                                                                      \
		ttrpc_reply_error(call, TTRPC_INTERNAL,                                  \
				  "ttrpc: error unmarshalling payload: invalid " #type); \
		return;                                                                  \
	}

/* An RPC waiting for a runtime command.  The call becomes NULL if the
 * connection closes first; the container is pinned through `busy`. */
struct task_op {
	struct container *c;
	struct process *p;
	struct ttrpc_call *call;
	ProtobufCMessage *req; /* kept request, freed with the op */
	char *tmpfile;
};

struct task_op *task_op_new(struct container *c, struct process *p, struct ttrpc_call *call);
void task_op_free(struct task_op *op);
/* Run the container's runtime with args; done gets the op as data. */
int task_runtime(struct task_op *op, const char *const *args, const char *input, size_t input_len,
		 runtime_done_fn done, cleat_error_t *err);

/* The pid a runtime wrote to path (--pid-file). */
int task_read_pid_file(const char *path, pid_t *pid, cleat_error_t *err);

/* Look up the container of a request, answering NotFound if absent. */
struct container *task_container(struct shim *s, struct ttrpc_call *call, const char *id);
/* Look up the process of a request for op, answering NotFound if absent and
 * what runc-v2 answers if its state refuses op (process_check). */
struct process *task_process(struct shim *s, struct ttrpc_call *call, const char *id,
			     const char *exec_id, enum proc_op op);

void task_create(struct ttrpc_call *call, const uint8_t *payload, size_t len, void *data);
void task_start(struct ttrpc_call *call, const uint8_t *payload, size_t len, void *data);
void task_delete(struct ttrpc_call *call, const uint8_t *payload, size_t len, void *data);
void task_exec(struct ttrpc_call *call, const uint8_t *payload, size_t len, void *data);

/* {"terminal":<t>, ...spec without its own "terminal"}; NULL if spec is not an object. */
char *task_exec_spec(const char *spec, size_t len, bool terminal);

#endif
