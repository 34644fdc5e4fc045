/* The one error type of cleat.
 *
 * Every fallible function takes `cleat_error_t *err` as its last argument and
 * returns < 0 on failure.  A negative return means *err is set, always; setting
 * an error that is already set is a bug (asserted).  Context is added on the
 * way up with cleat_error_wrap(); only main() prints. */
#ifndef CLEAT_COMMON_ERROR_H
#define CLEAT_COMMON_ERROR_H

#include <stdarg.h>

struct cleat_error {
	int errnum; /* errno of the failing call, 0 when none */
	char *msg; /* message without the strerror() suffix */
	int code; /* the consumer's class of the failure (the shim's gRPC code), 0 when none */
};
typedef struct cleat_error *cleat_error_t;

/* Set *err.  Returns -1 so callers can `return cleat_error_make(...)`. */
int cleat_error_make(cleat_error_t *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int cleat_error_makev(cleat_error_t *err, int errnum, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
#define cleat_error_errno(err, errnum, ...) cleat_error_make((err), (errnum), __VA_ARGS__)
#define cleat_error_msg(err, ...) cleat_error_make((err), 0, __VA_ARGS__)

/* Prefix the message of a set error: "<prefix>: <old message>".  Returns -1. */
int cleat_error_wrap(cleat_error_t *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The full text, "<msg>: <strerror(errnum)>"; owned by the caller. */
char *cleat_error_string(const cleat_error_t err);

/* Free and reset to NULL (no-op when unset). */
void cleat_error_free(cleat_error_t *err);

/* Drop an error that the caller decided to tolerate; returns its errnum. */
int cleat_error_release(cleat_error_t *err);

static inline void cleat_error_freep(cleat_error_t *err) { cleat_error_free(err); }
#define _cleanup_error_ __attribute__((cleanup(cleat_error_freep)))

#endif
