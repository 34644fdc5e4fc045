/* Error replies of the Task service: one place turns a cleat_error into the
 * status containerd sees.  The message keeps the whole cause (the strerror
 * text, the runtime's own error).  Errors without a code are Unknown and go
 * out as their bare text, as any unclassified error of
 * containerd-shim-runc-v2; the others end with the text of their code, as
 * containerd's errdefs writes it ("...: not found").  containerd adds
 * ": unknown" itself, so ctr prints the same either way. */
#ifndef CLEAT_SHIM_STATUS_H
#define CLEAT_SHIM_STATUS_H

#include "common/error.h"
#include "shim/ttrpc/ttrpc.h"

/* Set *err with a gRPC code.  Returns -1. */
int shim_error(cleat_error_t *err, enum ttrpc_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Give a set error a code (kept if it has one already).  Returns -1. */
int shim_error_classify(cleat_error_t *err, enum ttrpc_code code);

/* errdefs' text for a code: "not found", "failed precondition", ... */
const char *shim_code_text(enum ttrpc_code code);
/* The reply for err: its code (Unknown when it has none) and the message
 * "<msg>[: <errno text>][: <code text>]"; owned by the caller. */
char *shim_status_message(const cleat_error_t err, enum ttrpc_code *code);
/* Reply err on call (a NULL call is a cancelled one) and free it. */
void shim_reply_error(struct ttrpc_call *call, cleat_error_t *err);
/* Log err as a warning, with its errno text, and free it: for failures no
 * one is waiting for. */
void shim_warn_error(cleat_error_t *err);

#endif
