/* A cache of compiled seccomp programs, so a profile (docker's default, Kubernetes'
 * RuntimeDefault) is compiled by libseccomp once and then loaded as it is.
 *
 * Entries live in <runtime root>/.seccomp (never in a bundle, never anywhere the
 * container sees).  The directory must be ours (owner = euid) and mode 0700, each
 * entry a regular file of ours with mode 0600, checked with fstat on the opened fd;
 * anything else is not trusted.  An entry is named by its key, the SHA-256 of
 * everything the program depends on (the parsed profile, libseccomp's version and
 * API level, the native architecture, the kernel release, this format's version),
 * and holds a header (magic, format version, key, length, flags, SHA-256 of the
 * program) that is checked before use: a bad entry is removed and rebuilt.
 * Writes go to an unnamed O_TMPFILE file linked into place when complete (where the
 * filesystem lacks O_TMPFILE, to ".tmp-<pid>" renamed into place; one whose writer
 * died or that is a minute old is removed by the next store); the directory keeps at
 * most CLEAT_SECCOMP_CACHE_MAX entries (the oldest go first). */
#ifndef CLEAT_RUNTIME_LINUX_SECCOMP_CACHE_H
#define CLEAT_RUNTIME_LINUX_SECCOMP_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "oci-spec/config.h"

#define CLEAT_SECCOMP_CACHE_DIR ".seccomp"
#define CLEAT_SECCOMP_CACHE_MAX 64

struct sock_filter;

/* The cache key of profile s on this machine. */
void cleat_seccomp_cache_key(const struct oci_seccomp *s, uint8_t key[32]);

/* Open (making it if needed) the cache directory under `root`; -1 when it is
 * missing and cannot be made, or fails the ownership/mode check. */
int cleat_seccomp_cache_open(const char *root);

/* 1 and a malloc'ed program on a valid entry for key; 0 when there is none (a bad
 * one is removed). */
int cleat_seccomp_cache_get(int dirfd, const uint8_t key[32], struct sock_filter **prog,
			    size_t *len, unsigned long *kflags);

/* Store the program under key; 0, or -1 (the cache is only an optimisation). */
int cleat_seccomp_cache_put(int dirfd, const uint8_t key[32], const struct sock_filter *prog,
			    size_t len, unsigned long kflags);

#endif
