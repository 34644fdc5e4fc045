/* Typed, path-aware getters over yajl trees (see json.h). */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "common/cut.h"
#include "common/ids.h"
#include "common/util.h"
#include "oci-spec/json.h"
#include "oci-spec/json_gen.h"

/* Real configs nest about 8 deep; the limit only stops hostile input. */
#define MAX_DEPTH 64

struct prepass {
	int depth;
	const char *why; /* reason for cancelling, NULL when yajl itself failed */
};

static int pre_open(void *ctx)
{
	struct prepass *pp = ctx;
	if (++pp->depth > MAX_DEPTH) {
		pp->why = "nesting deeper than 64 levels";
		return 0;
	}
	return 1;
}

static int pre_close(void *ctx)
{
	((struct prepass *) ctx)->depth--;
	return 1;
}

/* yajl_tree keeps strings NUL-terminated and would silently cut "/a\u0000b"
 * to "/a"; refuse such strings instead of acting on a different path. */
static int pre_string(void *ctx, const unsigned char *s, size_t len)
{
	if (memchr(s, 0, len)) {
		((struct prepass *) ctx)->why = "string contains a NUL character";
		return 0;
	}
	return 1;
}

static const yajl_callbacks prepass_callbacks = {
	.yajl_string = pre_string,
	.yajl_start_map = pre_open,
	.yajl_map_key = pre_string,
	.yajl_end_map = pre_close,
	.yajl_start_array = pre_open,
	.yajl_end_array = pre_close,
};

static void line_col(const char *s, size_t off, size_t *line, size_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (s[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/* Start of the JSON token that covers byte pos (or of the next token when pos
 * is in whitespace).  Only token boundaries are found here; yajl did the
 * parsing and has already rejected the document. */
static size_t token_at(const char *s, size_t len, size_t pos)
{
	size_t i = 0;
	while (i < len) {
		size_t start = i;
		if (strchr(" \t\r\n", s[i])) {
			i++;
			continue;
		}
		if (s[i] == '"') {
			for (i++; i < len && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
			i++;
		} else if (strchr("{}[],:", s[i])) {
			i++;
		} else {
			while (i < len && !strchr(" \t\r\n{}[],:\"", s[i]))
				i++;
		}
		if (pos < i)
			return start;
	}
	return pos;
}

/* Where to point in a syntax error.  yajl's offset means different things
 * per error: past the refused token for most parse errors and for our own
 * callbacks, at the refused token after a map value (it rewinds there), on
 * the bad byte for lexical errors (past it, except for '/' of a comment). */
static size_t error_offset(const char *s, size_t len, size_t off, const char *why, bool ours)
{
	if (off > len)
		off = len;
	if (!ours && str_has_prefix(why, "lexical error"))
		return (off == 0 || (off < len && s[off] == '/')) ? off : off - 1;
	if (!ours && strstr(why, "premature EOF"))
		return off;
	if (!ours && strstr(why, "after key and value"))
		return token_at(s, len, off);
	return token_at(s, len, off > 0 ? off - 1 : 0);
}

int oci_json_parse_tree(const char *json, size_t len, const char *origin, yajl_val *out,
			cleat_error_t *err)
{
	struct prepass pp = { 0 };
	yajl_handle h = yajl_alloc(&prepass_callbacks, NULL, &pp);
	if (!h)
		abort();
	yajl_status st = yajl_parse(h, (const unsigned char *) json, len);
	size_t off = yajl_get_bytes_consumed(h);
	if (st == yajl_status_ok) {
		st = yajl_complete_parse(h);
		off = len;
	}
	if (st != yajl_status_ok) {
		_cleanup_free_ char *why = NULL;
		if (pp.why) {
			why = xstrdup(pp.why);
		} else {
			unsigned char *e = yajl_get_error(h, 0, (const unsigned char *) json, len);
			why = xstrdup((const char *) e);
			yajl_free_error(h, e);
			size_t l = strlen(why);
			while (l > 0 &&
			       (why[l - 1] == '\n' || why[l - 1] == ' ' || why[l - 1] == '.'))
				why[--l] = '\0';
		}
		yajl_free(h);
		size_t line, col;
		line_col(json, error_offset(json, len, off, why, pp.why != NULL), &line, &col);
		return cleat_error_msg(err, "%s: invalid JSON at line %zu, column %zu: %s", origin,
				       line, col, why);
	}
	yajl_free(h);

	_cleanup_free_ char *copy = xstrndup(json, len);
	char ebuf[256] = "";
	yajl_val tree = yajl_tree_parse(copy, ebuf, sizeof ebuf);
	if (!tree)
		return cleat_error_msg(err, "%s: invalid JSON: %s", origin, ebuf);
	*out = tree;
	return 0;
}

void oci_parse_init(struct oci_parse *p, const char *origin, cleat_error_t *err)
{
	*p = (struct oci_parse){ .origin = origin, .err = err };
	p->path_cap = 64;
	p->path = xmalloc0(p->path_cap);
}

void oci_parse_fini(struct oci_parse *p)
{
	free(p->path);
	p->path = NULL;
}

static size_t path_append(struct oci_parse *p, const char *seg)
{
	size_t mark = p->path_len, l = strlen(seg);
	if (p->path_len + l + 1 > p->path_cap) {
		while (p->path_len + l + 1 > p->path_cap)
			p->path_cap *= 2;
		p->path = xrealloc(p->path, p->path_cap);
	}
	memcpy(p->path + p->path_len, seg, l + 1);
	p->path_len += l;
	return mark;
}

size_t path_push_key(struct oci_parse *p, const char *key)
{
	_cleanup_free_ char *seg = xasprintf(".%s", key);
	return path_append(p, seg);
}

size_t path_push_index(struct oci_parse *p, size_t index)
{
	char seg[32];
	snprintf(seg, sizeof seg, "[%zu]", index);
	return path_append(p, seg);
}

static char *render_string(const char *s)
{
	yajl_gen g = oci_gen_new(NULL);
	gen_str(g, s);
	return oci_gen_finish(g, false);
}

size_t path_push_mapkey(struct oci_parse *p, const char *key)
{
	_cleanup_free_ char *q = render_string(key);
	_cleanup_free_ char *seg = xasprintf("[%s]", q);
	return path_append(p, seg);
}

void path_pop(struct oci_parse *p, size_t mark)
{
	p->path_len = mark;
	p->path[mark] = '\0';
}

void oci_json_gen_value(yajl_gen g, yajl_val v)
{
	switch (v->type) {
	case yajl_t_string: gen_str(g, v->u.string); break;
	case yajl_t_number: yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r)); break;
	case yajl_t_object:
		yajl_gen_map_open(g);
		for (size_t i = 0; i < v->u.object.len; i++) {
			gen_key(g, v->u.object.keys[i]);
			oci_json_gen_value(g, v->u.object.values[i]);
		}
		yajl_gen_map_close(g);
		break;
	case yajl_t_array:
		yajl_gen_array_open(g);
		for (size_t i = 0; i < v->u.array.len; i++)
			oci_json_gen_value(g, v->u.array.values[i]);
		yajl_gen_array_close(g);
		break;
	case yajl_t_true: yajl_gen_bool(g, 1); break;
	case yajl_t_false: yajl_gen_bool(g, 0); break;
	default: yajl_gen_null(g); break;
	}
}

/* v as JSON, cut by cleat_cut; a long string is cut inside and keeps its quotes:
 * "aaaa…" (100000 bytes), its own length. */
static char *render_value(yajl_val v)
{
	yajl_gen g = oci_gen_new(NULL);
	size_t len = v->type == yajl_t_string ? strlen(v->u.string) : 0;
	if (len <= CLEAT_CUT_MAX) {
		oci_json_gen_value(g, v);
		_cleanup_free_ char *s = oci_gen_finish(g, false);
		return xstrdup(cleat_cut(s));
	}
	_cleanup_free_ char *head = xasprintf("%.*s\xe2\x80\xa6", (int) cleat_cut_keep(v->u.string),
					      v->u.string);
	gen_str(g, head);
	_cleanup_free_ char *s = oci_gen_finish(g, false);
	return xasprintf("%s (%zu bytes)", s, len);
}

static int perrv(struct oci_parse *p, yajl_val v, const char *fmt, va_list ap)
{
	_cleanup_free_ char *reason = NULL;
	if (vasprintf(&reason, fmt, ap) < 0)
		abort();
	_cleanup_free_ char *got = v ? render_value(v) : NULL;
	return cleat_error_msg(p->err, "%s: %s%s%s%s%s", p->origin, p->path,
			       p->path_len ? ": " : "", reason, got ? ", got " : "",
			       got ? got : "");
}

int perr(struct oci_parse *p, yajl_val v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	perrv(p, v, fmt, ap);
	va_end(ap);
	return -1;
}

int perr_at(struct oci_parse *p, const char *key, yajl_val v, const char *fmt, ...)
{
	size_t mark = path_push_key(p, key);
	va_list ap;
	va_start(ap, fmt);
	perrv(p, v, fmt, ap);
	va_end(ap);
	path_pop(p, mark);
	return -1;
}

int perr_missing(struct oci_parse *p, const char *key)
{
	return perr_at(p, key, NULL, "missing required field");
}

/* Does the document's key name the field NAME (ASCII) the way Go's encoding/json, which
 * runc decodes configs with, matches it: exactly, or else case-insensitively.  Go folds
 * with Unicode simple folding; the only non-ASCII letters that fold onto ASCII ones are
 * KELVIN SIGN (U+212A, to k) and LATIN SMALL LETTER LONG S (U+017F, to s), so those two
 * are matched as well. */
static bool key_folds_to(const char *key, const char *name)
{
	const unsigned char *k = (const unsigned char *) key;
	for (const char *n = name; *n; n++) {
		int c = tolower((unsigned char) *n);
		if (c == 'k' && k[0] == 0xe2 && k[1] == 0x84 && k[2] == 0xaa)
			k += 3;
		else if (c == 's' && k[0] == 0xc5 && k[1] == 0xbf)
			k += 2;
		else if (*k != '\0' && *k < 0x80 && tolower(*k) == c)
			k++;
		else
			return false;
	}
	return *k == '\0';
}

yajl_val json_member(yajl_val obj, const char *key)
{
	if (!obj || obj->type != yajl_t_object)
		return NULL;
	/* A key given twice (in any case) is the last one's, as Go assigns in order. */
	for (size_t i = obj->u.object.len; i > 0; i--) {
		const char *k = obj->u.object.keys[i - 1];
		if (strcmp(k, key) == 0 || key_folds_to(k, key)) {
			yajl_val v = obj->u.object.values[i - 1];
			return (v && v->type != yajl_t_null) ? v : NULL;
		}
	}
	return NULL;
}

static int get_typed(struct oci_parse *p, yajl_val obj, const char *key, bool required,
		     yajl_type type, const char *what, yajl_val *out)
{
	yajl_val v = json_member(obj, key);
	*out = NULL;
	if (!v)
		return required ? perr_missing(p, key) : 0;
	if (v->type != type)
		return perr_at(p, key, v, "expected %s", what);
	*out = v;
	return 0;
}

int get_object(struct oci_parse *p, yajl_val obj, const char *key, bool required, yajl_val *out)
{
	return get_typed(p, obj, key, required, yajl_t_object, "an object", out);
}

int get_array(struct oci_parse *p, yajl_val obj, const char *key, bool required, yajl_val *out)
{
	return get_typed(p, obj, key, required, yajl_t_array, "an array", out);
}

int get_string(struct oci_parse *p, yajl_val obj, const char *key, bool required, char **out)
{
	yajl_val v;
	if (get_typed(p, obj, key, required, yajl_t_string, "a string", &v) < 0)
		return -1;
	if (v) {
		free(*out);
		*out = xstrdup(v->u.string);
	}
	return 0;
}

int get_bool(struct oci_parse *p, yajl_val obj, const char *key, bool required, bool *out,
	     bool *has)
{
	yajl_val v = json_member(obj, key);
	if (has)
		*has = false;
	if (!v)
		return required ? perr_missing(p, key) : 0;
	if (v->type != yajl_t_true && v->type != yajl_t_false)
		return perr_at(p, key, v, "expected a boolean");
	*out = v->type == yajl_t_true;
	if (has)
		*has = true;
	return 0;
}

int get_strv(struct oci_parse *p, yajl_val obj, const char *key, char ***out, size_t *n, bool *has)
{
	yajl_val a;
	if (has)
		*has = false;
	if (get_array(p, obj, key, false, &a) < 0)
		return -1;
	if (!a)
		return 0;
	if (has)
		*has = true;
	size_t len = a->u.array.len;
	if (len == 0)
		return 0;
	*out = xmalloc0(len * sizeof(char *));
	for (size_t i = 0; i < len; i++) {
		yajl_val e = a->u.array.values[i];
		if (!e || e->type != yajl_t_string) {
			size_t m1 = path_push_key(p, key);
			path_push_index(p, i);
			perr(p, e, "expected a string");
			path_pop(p, m1);
			return -1;
		}
		(*out)[i] = xstrdup(e->u.string);
		*n = i + 1;
	}
	return 0;
}

int get_kv_map(struct oci_parse *p, yajl_val obj, const char *key, struct oci_kv **out, size_t *n)
{
	yajl_val m;
	if (get_object(p, obj, key, false, &m) < 0)
		return -1;
	if (!m || m->u.object.len == 0)
		return 0;
	size_t len = m->u.object.len;
	*out = xmalloc0(len * sizeof(struct oci_kv));
	for (size_t i = 0; i < len; i++) {
		yajl_val e = m->u.object.values[i];
		if (!e || e->type != yajl_t_string) {
			size_t m1 = path_push_key(p, key);
			path_push_mapkey(p, m->u.object.keys[i]);
			perr(p, e, "expected a string");
			path_pop(p, m1);
			return -1;
		}
		/* a repeated key replaces the earlier value, as in a Go map */
		size_t j = 0;
		while (j < *n && strcmp((*out)[j].key, m->u.object.keys[i]) != 0)
			j++;
		if (j == *n) {
			(*out)[j].key = xstrdup(m->u.object.keys[i]);
			(*n)++;
		}
		free((*out)[j].value);
		(*out)[j].value = xstrdup(e->u.string);
	}
	return 0;
}

static const char *const int_kind_names[] = {
	[JI_U16] = "an unsigned 16-bit integer", [JI_U32] = "an unsigned 32-bit integer",
	[JI_U64] = "an unsigned 64-bit integer", [JI_I32] = "a signed 32-bit integer",
	[JI_I64] = "a signed 64-bit integer",	 [JI_ID] = "an integer",
};

/* The raw text of a JSON integer, or NULL for strings, floats, exponents... */
static const char *int_text(yajl_val v)
{
	if (!v || v->type != yajl_t_number)
		return NULL;
	const char *r = v->u.number.r;
	const char *d = (*r == '-') ? r + 1 : r;
	if (*d == '\0' || strspn(d, "0123456789") != strlen(d))
		return NULL;
	return r;
}

int json_to_int(struct oci_parse *p, yajl_val v, enum json_int_kind kind, void *out)
{
	const char *r = int_text(v);
	if (!r)
		return perr(p, v, "expected %s", int_kind_names[kind]);
	errno = 0;
	if (kind == JI_U16 || kind == JI_U32 || kind == JI_U64 || kind == JI_ID) {
		unsigned long long u = (*r == '-') ? 0 : strtoull(r, NULL, 10);
		uint64_t max = kind == JI_U16	? UINT16_MAX
			       : kind == JI_U32 ? UINT32_MAX
			       : kind == JI_ID	? CLEAT_ID_MAX
						: UINT64_MAX;
		if ((*r == '-' || errno != 0 || u > max))
			return kind == JI_ID ? perr(p, v, CLEAT_ID_RANGE_MSG)
					     : perr(p, v, "expected %s", int_kind_names[kind]);
		if (kind == JI_U16)
			*(uint16_t *) out = (uint16_t) u;
		else if (kind == JI_U32 || kind == JI_ID)
			*(uint32_t *) out = (uint32_t) u;
		else
			*(uint64_t *) out = u;
	} else {
		long long x = strtoll(r, NULL, 10);
		if (errno != 0 || (kind == JI_I32 && (x < INT32_MIN || x > INT32_MAX)))
			return perr(p, v, "expected %s", int_kind_names[kind]);
		if (kind == JI_I32)
			*(int32_t *) out = (int32_t) x;
		else
			*(int64_t *) out = x;
	}
	return 0;
}

int get_int(struct oci_parse *p, yajl_val obj, const char *key, bool required,
	    enum json_int_kind kind, void *out, bool *has)
{
	yajl_val v = json_member(obj, key);
	if (has)
		*has = false;
	if (!v)
		return required ? perr_missing(p, key) : 0;
	size_t m = path_push_key(p, key);
	int r = json_to_int(p, v, kind, out);
	path_pop(p, m);
	if (r < 0)
		return -1;
	if (has)
		*has = true;
	return 0;
}

int get_int_range(struct oci_parse *p, yajl_val obj, const char *key, bool required, int64_t min,
		  int64_t max, int64_t *out, bool *has)
{
	yajl_val v = json_member(obj, key);
	if (has)
		*has = false;
	if (!v)
		return required ? perr_missing(p, key) : 0;
	const char *r = int_text(v);
	errno = 0;
	long long x = r ? strtoll(r, NULL, 10) : 0;
	if (!r || errno != 0 || x < min || x > max)
		return perr_at(p, key, v, "expected an integer between %" PRId64 " and %" PRId64,
			       min, max);
	*out = x;
	if (has)
		*has = true;
	return 0;
}

bool str_in(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

int check_enum(struct oci_parse *p, const char *key, yajl_val v, const char *s,
	       const char *const *allowed)
{
	if (!s || str_in(s, allowed))
		return 0;
	size_t need = 1;
	for (const char *const *a = allowed; *a; a++)
		need += strlen(*a) + 2;
	_cleanup_free_ char *list = xmalloc0(need);
	for (const char *const *a = allowed; *a; a++) {
		if (a != allowed)
			strcat(list, ", ");
		strcat(list, *a);
	}
	return key ? perr_at(p, key, v, "expected one of %s", list)
		   : perr(p, v, "expected one of %s", list);
}

int get_obj_array(struct oci_parse *p, yajl_val obj, const char *key, size_t elem_size, void **out,
		  size_t *n, elem_parse_fn fn)
{
	yajl_val a;
	if (get_array(p, obj, key, false, &a) < 0)
		return -1;
	if (!a || a->u.array.len == 0)
		return 0;
	size_t len = a->u.array.len;
	*out = xmalloc0(len * elem_size);
	*n = len;
	size_t m1 = path_push_key(p, key);
	for (size_t i = 0; i < len; i++) {
		yajl_val e = a->u.array.values[i];
		size_t mi = path_push_index(p, i);
		if (!e || e->type != yajl_t_object) {
			perr(p, e, "expected an object");
			path_pop(p, m1);
			return -1;
		}
		if (fn(p, e, (char *) *out + i * elem_size) < 0) {
			path_pop(p, m1);
			return -1;
		}
		path_pop(p, mi);
	}
	path_pop(p, m1);
	return 0;
}
