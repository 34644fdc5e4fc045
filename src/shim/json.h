/* A read-only JSON scanner: the shim needs a handful of values from
 * config.json, runtime log lines and `ps --format json`, and linking a full
 * JSON library would cost resident memory in every shim.  Values are
 * addressed by pointers into the (NUL-terminated) document; nothing is
 * allocated except by json_string_dup(). */
#ifndef CLEAT_SHIM_JSON_H
#define CLEAT_SHIM_JSON_H

#include <stdbool.h>
#include <stddef.h>

/* Skip whitespace. */
const char *json_ws(const char *p);
/* End of the value starting at p (after whitespace), or NULL if malformed. */
const char *json_skip(const char *p);
/* Value of member `key` of the object at p, or NULL. */
const char *json_get(const char *obj, const char *key);
/* Follow a NULL-terminated key path from the object at p. */
const char *json_get_path(const char *obj, const char *const *path);

/* Iterate an object: *it starts at the object; returns false at the end or on
 * malformed input.  key/val point into the document; key is a raw string
 * (with quotes); val_end is one past the value. */
bool json_object_next(const char **it, const char **key, const char **val, const char **val_end);
/* Iterate an array: *it starts at the array; returns the next element or NULL. */
const char *json_array_next(const char **it);

/* Decode the string value at p (with escapes); NULL if p is not a string. */
char *json_string_dup(const char *p);
/* True if the raw key at k equals s. */
bool json_key_is(const char *k, const char *s);
bool json_is_true(const char *p);
/* Parse an integer value; returns false if p is not an integer. */
bool json_int(const char *p, long long *out);

#endif
