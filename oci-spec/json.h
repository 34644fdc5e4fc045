/* Internal to oci-spec/: a path-aware reader over yajl trees and small
 * wrappers around yajl_gen.  Every getter that fails sets an error of the form
 *   "<origin>: <path>: <reason>, got <value as JSON>"
 * where <path> is built from .field and [index] segments as the parser
 * descends, so the user sees exactly which part of the document is wrong. */
#ifndef CLEAT_OCI_JSON_H
#define CLEAT_OCI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "common/error.h"
#include "oci-spec/config.h"

struct oci_parse {
	const char *origin;
	char *path; /* ".process.user.uid"; "" at the document root */
	size_t path_len, path_cap;
	cleat_error_t *err;
	/* `cleat exec -p process.json`: runc lets .user default to uid 0, gid 0 there. */
	bool process_user_optional;
};

static inline void cleat_yajl_tree_freep(yajl_val *v)
{
	if (*v)
		yajl_tree_free(*v);
}
#define _cleanup_yajl_val_ __attribute__((cleanup(cleat_yajl_tree_freep)))

static inline void cleat_yajl_gen_freep(yajl_gen *g)
{
	if (*g)
		yajl_gen_free(*g);
}
#define _cleanup_yajl_gen_ __attribute__((cleanup(cleat_yajl_gen_freep)))

/* Parse a whole document.  Syntax errors carry line and column; nesting is
 * limited so hostile input cannot exhaust the stack in yajl_tree_free(). */
int oci_json_parse_tree(const char *json, size_t len, const char *origin, yajl_val *out,
			cleat_error_t *err);

void oci_parse_init(struct oci_parse *p, const char *origin, cleat_error_t *err);
void oci_parse_fini(struct oci_parse *p);

/* Path segments: push returns a mark that pop restores. */
size_t path_push_key(struct oci_parse *p, const char *key);
size_t path_push_index(struct oci_parse *p, size_t index);
size_t path_push_mapkey(struct oci_parse *p, const char *key);
void path_pop(struct oci_parse *p, size_t mark);

/* Error at the current path, about value v (may be NULL: no "got ..." part). */
int perr(struct oci_parse *p, yajl_val v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Error at <current path>.<key>. */
int perr_at(struct oci_parse *p, const char *key, yajl_val v, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int perr_missing(struct oci_parse *p, const char *key);

/* Member lookup as encoding/json (runc's decoder) does it: the key matches exactly or
 * case-insensitively ("pagesize" is pageSize), the last occurrence wins, and a JSON
 * null counts as absent, as the Go structs every other runtime uses do. */
yajl_val json_member(yajl_val obj, const char *key);

/* Typed getters on obj[key].  `has` may be NULL; when the member is absent,
 * required getters fail with "missing required field" and optional ones
 * leave *out untouched and set *has = false. */
int get_object(struct oci_parse *p, yajl_val obj, const char *key, bool required, yajl_val *out);
int get_array(struct oci_parse *p, yajl_val obj, const char *key, bool required, yajl_val *out);
int get_string(struct oci_parse *p, yajl_val obj, const char *key, bool required, char **out);
int get_bool(struct oci_parse *p, yajl_val obj, const char *key, bool required, bool *out,
	     bool *has);
int get_strv(struct oci_parse *p, yajl_val obj, const char *key, char ***out, size_t *n, bool *has);
int get_kv_map(struct oci_parse *p, yajl_val obj, const char *key, struct oci_kv **out, size_t *n);

enum json_int_kind {
	JI_U16,
	JI_U32,
	JI_U64,
	JI_I32,
	JI_I64,
	JI_ID /* a uid or gid: 0-CLEAT_ID_MAX into a uint32_t (common/ids.h) */
};
int get_int(struct oci_parse *p, yajl_val obj, const char *key, bool required,
	    enum json_int_kind kind, void *out, bool *has);
/* Check v (at the current path) and store it into *out of the kind's type. */
int json_to_int(struct oci_parse *p, yajl_val v, enum json_int_kind kind, void *out);
/* An integer within [min, max] into an int64_t. */
int get_int_range(struct oci_parse *p, yajl_val obj, const char *key, bool required, int64_t min,
		  int64_t max, int64_t *out, bool *has);

/* Checks on an already-read string value (v is the node, for the message). */
int check_enum(struct oci_parse *p, const char *key, yajl_val v, const char *s,
	       const char *const *allowed);
bool str_in(const char *s, const char *const *list);

/* Parse obj[key], an array of objects, into a zeroed array of elem_size
 * elements attached to *out / *n before the elements are parsed, so a
 * failure part way leaves everything to the owner's free function. */
typedef int (*elem_parse_fn)(struct oci_parse *p, yajl_val elem, void *out);
int get_obj_array(struct oci_parse *p, yajl_val obj, const char *key, size_t elem_size, void **out,
		  size_t *n, elem_parse_fn fn);

/* Section parsers (config_*.c).  Each parses the object v into *out. */
int oci_parse_process_obj(struct oci_parse *p, yajl_val v, struct oci_process *out);
int oci_parse_linux_obj(struct oci_parse *p, yajl_val v, struct oci_linux *out);
int oci_parse_resources_obj(struct oci_parse *p, yajl_val v, struct oci_resources *out);
int oci_parse_seccomp_obj(struct oci_parse *p, yajl_val v, struct oci_seccomp *out);
int oci_parse_idmap(struct oci_parse *p, yajl_val v, void *out);
int oci_parse_memory_policy_obj(struct oci_parse *p, yajl_val v, struct oci_memory_policy *out);

/* Field-level destructors (free.c). */
void oci_strv_free(char **v, size_t n);
void oci_kv_free(struct oci_kv *kv, size_t n);
void oci_process_clear(struct oci_process *p);
void oci_linux_clear(struct oci_linux *l);
void oci_resources_clear(struct oci_resources *r);
void oci_seccomp_free(struct oci_seccomp *s);

/* Emission.  indent == NULL gives compact output. */
yajl_gen oci_gen_new(const char *indent);
/* Take the generated text; with an indent, empty containers are rendered
 * `[]` / `{}` as Go's encoding/json does (yajl writes them over three lines). */
char *oci_gen_finish(yajl_gen g, bool trailing_newline);
void gen_key(yajl_gen g, const char *k);
void gen_str(yajl_gen g, const char *s);
void gen_kstr(yajl_gen g, const char *k, const char *s); /* skipped when s == NULL */
void gen_kbool(yajl_gen g, const char *k, bool b);
void gen_i64(yajl_gen g, int64_t v);
void gen_u64(yajl_gen g, uint64_t v);
void gen_ki64(yajl_gen g, const char *k, int64_t v);
void gen_ku64(yajl_gen g, const char *k, uint64_t v);
void gen_kstrv(yajl_gen g, const char *k, char *const *v, size_t n); /* skipped when n == 0 */
void gen_kstrv_always(yajl_gen g, const char *k, char *const *v, size_t n);
void gen_kkv(yajl_gen g, const char *k, const struct oci_kv *kv,
	     size_t n); /* skipped when n == 0 */
/* Sorted by key, as encoding/json writes a Go map. */
void gen_kkv_sorted(yajl_gen g, const char *k, const struct oci_kv *kv, size_t n);
void gen_idmaps(yajl_gen g, const char *k, const struct oci_idmap *m, size_t n);

void oci_gen_process(yajl_gen g, const struct oci_process *p);
void oci_gen_linux(yajl_gen g, const struct oci_linux *l);
void oci_gen_resources(yajl_gen g, const struct oci_resources *r);
void oci_gen_config(yajl_gen g, const struct oci_config *c);

#endif
