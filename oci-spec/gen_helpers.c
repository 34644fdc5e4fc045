/* Small wrappers around yajl_gen used by every emitter in oci-spec/. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "oci-spec/json.h"

yajl_gen oci_gen_new(const char *indent)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	if (!g)
		abort();
	if (indent) {
		yajl_gen_config(g, yajl_gen_beautify, 1);
		yajl_gen_config(g, yajl_gen_indent_string, indent);
	}
	return g;
}

/* yajl's beautifier writes an empty array as "[\n\n<indent>]"; Go's
 * encoding/json, whose output runc users compare against, writes "[]". */
static void collapse_empty(char *s)
{
	char *w = s;
	bool in_str = false, esc = false;
	for (const char *r = s; *r; r++) {
		*w++ = *r;
		if (in_str) {
			if (esc)
				esc = false;
			else if (*r == '\\')
				esc = true;
			else if (*r == '"')
				in_str = false;
			continue;
		}
		if (*r == '"') {
			in_str = true;
			continue;
		}
		if (*r != '[' && *r != '{')
			continue;
		const char *q = r + 1;
		while (*q == '\n' || *q == ' ' || *q == '\t')
			q++;
		if ((*r == '[' && *q == ']') || (*r == '{' && *q == '}')) {
			*w++ = *q;
			r = q;
		}
	}
	*w = '\0';
}

char *oci_gen_finish(yajl_gen g, bool trailing_newline)
{
	const unsigned char *buf;
	size_t len;
	yajl_gen_get_buf(g, &buf, &len);
	char *s = xmalloc(len + 2);
	memcpy(s, buf, len);
	s[len] = '\0';
	yajl_gen_free(g);
	collapse_empty(s);
	len = strlen(s);
	while (len > 0 && s[len - 1] == '\n')
		s[--len] = '\0';
	if (trailing_newline) {
		s[len++] = '\n';
		s[len] = '\0';
	}
	return s;
}

void gen_key(yajl_gen g, const char *k)
{
	yajl_gen_string(g, (const unsigned char *) k, strlen(k));
}

void gen_str(yajl_gen g, const char *s)
{
	if (!s)
		s = "";
	yajl_gen_string(g, (const unsigned char *) s, strlen(s));
}

void gen_kstr(yajl_gen g, const char *k, const char *s)
{
	if (!s)
		return;
	gen_key(g, k);
	gen_str(g, s);
}

void gen_kbool(yajl_gen g, const char *k, bool b)
{
	gen_key(g, k);
	yajl_gen_bool(g, b);
}

void gen_i64(yajl_gen g, int64_t v)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%" PRId64, v);
	yajl_gen_number(g, buf, (size_t) n);
}

void gen_u64(yajl_gen g, uint64_t v)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%" PRIu64, v);
	yajl_gen_number(g, buf, (size_t) n);
}

void gen_ki64(yajl_gen g, const char *k, int64_t v)
{
	gen_key(g, k);
	gen_i64(g, v);
}

void gen_ku64(yajl_gen g, const char *k, uint64_t v)
{
	gen_key(g, k);
	gen_u64(g, v);
}

void gen_kstrv_always(yajl_gen g, const char *k, char *const *v, size_t n)
{
	gen_key(g, k);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++)
		gen_str(g, v[i]);
	yajl_gen_array_close(g);
}

void gen_kstrv(yajl_gen g, const char *k, char *const *v, size_t n)
{
	if (n > 0)
		gen_kstrv_always(g, k, v, n);
}

void gen_kkv(yajl_gen g, const char *k, const struct oci_kv *kv, size_t n)
{
	if (n == 0)
		return;
	gen_key(g, k);
	yajl_gen_map_open(g);
	for (size_t i = 0; i < n; i++) {
		gen_key(g, kv[i].key);
		gen_str(g, kv[i].value);
	}
	yajl_gen_map_close(g);
}

void gen_idmaps(yajl_gen g, const char *k, const struct oci_idmap *m, size_t n)
{
	if (n == 0)
		return;
	gen_key(g, k);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		gen_ku64(g, "containerID", m[i].container_id);
		gen_ku64(g, "hostID", m[i].host_id);
		gen_ku64(g, "size", m[i].size);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static int kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct oci_kv *) a)->key, ((const struct oci_kv *) b)->key);
}

void gen_kkv_sorted(yajl_gen g, const char *k, const struct oci_kv *kv, size_t n)
{
	if (n == 0)
		return;
	_cleanup_free_ struct oci_kv *copy = xmalloc(n * sizeof *copy);
	memcpy(copy, kv, n * sizeof *copy);
	qsort(copy, n, sizeof *copy, kv_cmp);
	gen_kkv(g, k, copy, n);
}
