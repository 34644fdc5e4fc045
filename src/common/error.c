#include "config.h"
#include "common/error.h"
#include "common/util.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cleat_error_makev(cleat_error_t *err, int errnum, const char *fmt, va_list ap)
{
	assert(err != NULL);
	assert(*err == NULL && "error set twice");
	struct cleat_error *e = xmalloc0(sizeof *e);
	e->errnum = errnum;
	if (vasprintf(&e->msg, fmt, ap) < 0)
		abort();
	*err = e;
	return -1;
}

int cleat_error_make(cleat_error_t *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleat_error_makev(err, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int cleat_error_wrap(cleat_error_t *err, const char *fmt, ...)
{
	assert(err != NULL && *err != NULL && "wrapping an unset error");
	_cleanup_free_ char *prefix = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&prefix, fmt, ap) < 0)
		abort();
	va_end(ap);
	char *msg = xasprintf("%s: %s", prefix, (*err)->msg);
	free((*err)->msg);
	(*err)->msg = msg;
	return -1;
}

char *cleat_error_string(const cleat_error_t err)
{
	if (err == NULL)
		return xstrdup("(no error)");
	if (err->errnum == 0)
		return xstrdup(err->msg);
	return xasprintf("%s: %s", err->msg, strerror(err->errnum));
}

void cleat_error_free(cleat_error_t *err)
{
	if (err == NULL || *err == NULL)
		return;
	free((*err)->msg);
	free(*err);
	*err = NULL;
}

int cleat_error_release(cleat_error_t *err)
{
	int errnum = (err && *err) ? (*err)->errnum : 0;
	cleat_error_free(err);
	return errnum;
}
