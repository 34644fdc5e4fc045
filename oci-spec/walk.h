/* Visiting every pointer a parsed config owns (walk.c), and with it copying the
 * config into one block of memory that another process maps and uses as it is:
 * create's setup helper gets the config this way instead of parsing it again.
 *
 * A block is built by two walks in the same order, oci_flat_put() measuring
 * (base NULL) and then copying into base; a process that maps it elsewhere walks
 * it once more with oci_flat_relocate().  Each slot is visited before what it
 * points to, so a walk follows the pointer the callback left in the slot. */
#ifndef CLEAT_OCI_WALK_H
#define CLEAT_OCI_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci-spec/config.h"

/* size: the bytes *slot points to, or OCI_WALK_STRING for a NUL-terminated string. */
typedef void (*oci_walk_fn)(void **slot, size_t size, void *ctx);
#define OCI_WALK_STRING ((size_t) -1)

/* The config *slot (when not NULL) and everything it points to. */
void oci_config_walk(struct oci_config **slot, oci_walk_fn fn, void *ctx);
/* One string (when not NULL). */
void oci_walk_string(char **slot, oci_walk_fn fn, void *ctx);

struct oci_flat {
	char *base; /* the block; NULL while measuring */
	size_t used; /* bytes measured or copied so far */
	size_t size; /* the block's size (relocate) */
	uintptr_t built_at; /* relocate: the base the block was built at */
	bool bad; /* relocate: a pointer or string out of the block (its slot is NULLed) */
};

/* Reserve room for n bytes (aligned) and return it, or NULL while measuring. */
void *oci_flat_alloc(struct oci_flat *f, size_t n);
/* oci_walk_fn: measure or copy *slot into the block (ctx: struct oci_flat). */
void oci_flat_put(void **slot, size_t size, void *ctx);
/* oci_walk_fn: move *slot from built_at to base, checking it stays in the block. */
void oci_flat_relocate(void **slot, size_t size, void *ctx);

#endif
