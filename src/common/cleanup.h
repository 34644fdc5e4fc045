/* Scope-bound cleanup (systemd style).  Hand ownership on with TAKE_PTR /
 * TAKE_FD, never by assigning -1 / NULL by hand. */
#ifndef CLEAT_COMMON_CLEANUP_H
#define CLEAT_COMMON_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cleat_freep(void *p) { free(*(void **) p); }
static inline void cleat_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
static inline void cleat_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
static inline void cleat_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}
static inline void cleat_strv_freep(char ***v)
{
	if (*v) {
		for (char **p = *v; *p; p++)
			free(*p);
		free(*v);
	}
}

#define _cleanup_free_ __attribute__((cleanup(cleat_freep)))
#define _cleanup_close_ __attribute__((cleanup(cleat_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(cleat_fclosep)))
#define _cleanup_closedir_ __attribute__((cleanup(cleat_closedirp)))
#define _cleanup_strv_ __attribute__((cleanup(cleat_strv_freep)))

#define TAKE_PTR(p)                           \
	({                                    \
		__typeof__(p) _tp_tmp_ = (p); \
		(p) = NULL;                   \
		_tp_tmp_;                     \
	})
#define TAKE_FD(fd)                  \
	({                           \
		int _tf_tmp_ = (fd); \
		(fd) = -1;           \
		_tf_tmp_;            \
	})

#endif
