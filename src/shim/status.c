#include "config.h"
#include "shim/status.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int shim_error(cleat_error_t *err, enum ttrpc_code code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleat_error_makev(err, 0, fmt, ap);
	va_end(ap);
	(*err)->code = (int) code;
	return -1;
}

int shim_error_classify(cleat_error_t *err, enum ttrpc_code code)
{
	if (!(*err)->code)
		(*err)->code = (int) code;
	return -1;
}

const char *shim_code_text(enum ttrpc_code code)
{
	/* The texts of containerd's errdefs errors, which its FromGRPC strips
	 * and puts back, so a reply reads the same through containerd. */
	switch (code) {
	case TTRPC_CANCELLED: return "context canceled";
	case TTRPC_INVALID_ARGUMENT: return "invalid argument";
	case TTRPC_DEADLINE_EXCEEDED: return "context deadline exceeded";
	case TTRPC_NOT_FOUND: return "not found";
	case TTRPC_ALREADY_EXISTS: return "already exists";
	case TTRPC_FAILED_PRECONDITION: return "failed precondition";
	case TTRPC_UNAVAILABLE: return "unavailable";
	case TTRPC_UNIMPLEMENTED: return "not implemented";
	case TTRPC_INTERNAL: return "internal";
	default: return "unknown";
	}
}

/* "<msg>: <strerror>", the errno text as Go's syscall.Errno prints it
 * ("no such file or directory"), so it reads as runc-v2's. */
static char *error_text(const cleat_error_t err)
{
	if (!err || !err->errnum)
		return cleat_error_string(err);
	_cleanup_free_ char *why = xstrdup(strerror(err->errnum));
	why[0] = (char) tolower((unsigned char) why[0]);
	return xasprintf("%s: %s", err->msg, why);
}

char *shim_status_message(const cleat_error_t err, enum ttrpc_code *code)
{
	*code = err && err->code ? (enum ttrpc_code) err->code : TTRPC_UNKNOWN;
	char *msg = error_text(err);
	/* An unclassified Go error reaches the wire as its bare text. */
	if (*code == TTRPC_UNKNOWN)
		return msg;
	char *full = xasprintf("%s: %s", msg, shim_code_text(*code));
	free(msg);
	return full;
}

void shim_warn_error(cleat_error_t *err)
{
	_cleanup_free_ char *msg = cleat_error_string(*err);
	cleat_warn("%s", msg);
	cleat_error_free(err);
}

void shim_reply_error(struct ttrpc_call *call, cleat_error_t *err)
{
	enum ttrpc_code code;
	_cleanup_free_ char *msg = shim_status_message(*err, &code);
	if (call)
		ttrpc_reply_error(call, code, "%s", msg);
	cleat_error_free(err);
}
