/* Small helpers shared by both binaries: allocation that aborts on OOM,
 * strings, whole-file I/O, directories, fds. */
#ifndef CLEAT_COMMON_UTIL_H
#define CLEAT_COMMON_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/cleanup.h"
#include "common/error.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xmalloc0(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

bool str_has_prefix(const char *s, const char *prefix);
bool str_has_suffix(const char *s, const char *suffix);
size_t strv_length(char *const *v);
void strv_free(char **v);

/* Read a whole file (NUL-terminated; *len excludes the NUL). */
int read_file_at(int dirfd, const char *path, char **out, size_t *len, cleat_error_t *err);
int read_file(const char *path, char **out, size_t *len, cleat_error_t *err);
/* Read everything from an fd until EOF. */
int read_all_fd(int fd, const char *what, char **out, size_t *len, cleat_error_t *err);
/* Write a whole buffer, retrying on EINTR and short writes. */
int write_all(int fd, const void *buf, size_t len);
int write_file_at(int dirfd, const char *path, const void *buf, size_t len, mode_t mode,
		  cleat_error_t *err);
int write_file(const char *path, const void *buf, size_t len, mode_t mode, cleat_error_t *err);
/* Write via a temporary file and rename(2) so readers never see a partial file. */
int write_file_atomic(const char *path, const void *buf, size_t len, mode_t mode,
		      cleat_error_t *err);

/* mkdir -p; existing directories are fine. */
int mkdir_p(const char *path, mode_t mode, cleat_error_t *err);
/* rm -rf of a directory tree, not crossing mount points. */
int rm_rf(const char *path, cleat_error_t *err);

int fd_set_cloexec(int fd, bool on);
int fd_set_nonblock(int fd, bool on);
/* Close every fd >= from except those listed in keep (may be NULL). */
void close_fds_from(int from, const int *keep, size_t nkeep);

/* Parse a decimal int / pid with full validation. */
int parse_int(const char *s, long long min, long long max, long long *out);

#endif
