/* User-supplied text (config values, paths, arguments) as error messages quote it: a
 * 100 KB hostname must not become a 100 KB message in a log or a containerd event. */
#ifndef CLEAT_COMMON_CUT_H
#define CLEAT_COMMON_CUT_H

#include <stddef.h>

/* Texts up to this many bytes are quoted whole. */
#define CLEAT_CUT_MAX 100
/* How much of a longer one is kept, before "…" and its length. */
#define CLEAT_CUT_KEEP 64

/* s itself when it is at most CLEAT_CUT_MAX bytes; else its first CLEAT_CUT_KEEP bytes
 * (cut on a UTF-8 boundary), "…" and " (N bytes)".  The cut text lives in a small
 * per-thread ring, valid until CLEAT_CUT_RING more calls: enough for the arguments of
 * one message, e.g. cleat_error_msg(err, "bad `%s`", cleat_cut(v)).  NULL stays NULL. */
#define CLEAT_CUT_RING 8
const char *cleat_cut(const char *s);

/* How many bytes of s cleat_cut keeps when s is longer than CLEAT_CUT_MAX: for a caller
 * that quotes the kept part itself (e.g. as a JSON string) before the length. */
size_t cleat_cut_keep(const char *s);

#endif
