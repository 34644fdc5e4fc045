/* The Checkpoint RPC and the restore run by the Start of a task created from a
 * checkpoint (checkpoint.c). */
#ifndef CLEAT_SHIM_CHECKPOINT_H
#define CLEAT_SHIM_CHECKPOINT_H

#include "shim/task.h"

void task_checkpoint(struct ttrpc_call *call, const uint8_t *payload, size_t len, void *data);
/* Run the runtime's `restore` of op's init from p->checkpoint; the reply to
 * the Start and the start event follow when it is done. */
int task_restore(struct task_op *op, cleat_error_t *err);

#endif
