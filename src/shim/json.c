#include "config.h"
#include "shim/json.h"
#include "common/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 128

const char *json_ws(const char *p)
{
	while (p && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static const char *skip_string(const char *p)
{
	if (*p != '"')
		return NULL;
	for (p++; *p; p++) {
		if (*p == '\\') {
			if (!p[1])
				return NULL;
			p++;
		} else if (*p == '"') {
			return p + 1;
		}
	}
	return NULL;
}

static const char *skip_depth(const char *p, int depth)
{
	p = json_ws(p);
	if (!p || depth > JSON_MAX_DEPTH)
		return NULL;
	switch (*p) {
	case '"': return skip_string(p);
	case '{':
	case '[': {
		char close = *p == '{' ? '}' : ']';
		bool obj = *p == '{';
		p = json_ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (obj) {
				p = skip_string(json_ws(p));
				p = json_ws(p);
				if (!p || *p != ':')
					return NULL;
				p++;
			}
			p = json_ws(skip_depth(p, depth + 1));
			if (!p)
				return NULL;
			if (*p == close)
				return p + 1;
			if (*p != ',')
				return NULL;
			p++;
		}
	}
	default: {
		const char *s = p;
		while (*p && strchr("+-.0123456789eEtruefalsn", *p))
			p++;
		return p == s ? NULL : p;
	}
	}
}

const char *json_skip(const char *p) { return skip_depth(p, 0); }

bool json_key_is(const char *k, const char *s)
{
	_cleanup_free_ char *d = json_string_dup(k);
	return d && strcmp(d, s) == 0;
}

bool json_object_next(const char **it, const char **key, const char **val, const char **val_end)
{
	const char *p = json_ws(*it);
	if (!p || !*p)
		return false;
	if (*p == '{' || *p == ',')
		p = json_ws(p + 1);
	if (*p != '"')
		return false;
	*key = p;
	p = json_ws(skip_string(p));
	if (!p || *p != ':')
		return false;
	*val = json_ws(p + 1);
	*val_end = json_skip(*val);
	if (!*val_end)
		return false;
	p = json_ws(*val_end);
	if (*p != ',' && *p != '}')
		return false;
	*it = *p == '}' ? "" : p;
	return true;
}

const char *json_array_next(const char **it)
{
	const char *p = json_ws(*it);
	if (!p || !*p)
		return NULL;
	if (*p == '[' || *p == ',')
		p = json_ws(p + 1);
	if (*p == ']')
		return NULL;
	const char *v = p, *end = json_skip(p);
	if (!end)
		return NULL;
	end = json_ws(end);
	if (*end != ',' && *end != ']')
		return NULL;
	*it = *end == ']' ? "" : end;
	return v;
}

const char *json_get(const char *obj, const char *key)
{
	obj = json_ws(obj);
	if (!obj || *obj != '{')
		return NULL;
	const char *it = obj, *k, *v, *e;
	while (json_object_next(&it, &k, &v, &e))
		if (json_key_is(k, key))
			return v;
	return NULL;
}

const char *json_get_path(const char *obj, const char *const *path)
{
	for (; obj && *path; path++)
		obj = json_get(obj, *path);
	return obj;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char) cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char) (0xc0 | cp >> 6);
		o[1] = (char) (0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char) (0xe0 | cp >> 12);
		o[1] = (char) (0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char) (0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char) (0xf0 | cp >> 18);
	o[1] = (char) (0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char) (0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char) (0x80 | (cp & 0x3f));
	return 4;
}

static bool read_hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(p[i]);
		if (h < 0)
			return false;
		v = v << 4 | (unsigned) h;
	}
	*out = v;
	return true;
}

char *json_string_dup(const char *p)
{
	p = json_ws(p);
	const char *end = p ? skip_string(p) : NULL;
	if (!end)
		return NULL;
	_cleanup_free_ char *out = xmalloc((size_t) (end - p) + 4);
	size_t n = 0;
	for (p++; p < end - 1; p++) {
		if (*p != '\\') {
			out[n++] = *p;
			continue;
		}
		p++;
		switch (*p) {
		case 'n': out[n++] = '\n'; break;
		case 't': out[n++] = '\t'; break;
		case 'r': out[n++] = '\r'; break;
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'u': {
			unsigned cp, lo;
			if (!read_hex4(p + 1, &cp))
				return NULL;
			p += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && p[1] == '\\' && p[2] == 'u' &&
			    read_hex4(p + 3, &lo) && lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			}
			/* A \u escape expands to at most 4 bytes from 6 input bytes. */
			n += put_utf8(out + n, cp);
			break;
		}
		default: out[n++] = *p; break;
		}
	}
	out[n] = '\0';
	return TAKE_PTR(out);
}

bool json_is_true(const char *p)
{
	p = json_ws(p);
	return p && strncmp(p, "true", 4) == 0;
}

bool json_int(const char *p, long long *out)
{
	p = json_ws(p);
	if (!p || !(*p == '-' || (*p >= '0' && *p <= '9')))
		return false;
	char *end;
	errno = 0;
	long long v = strtoll(p, &end, 10);
	if (errno || end == p || *end == '.' || *end == 'e' || *end == 'E')
		return false;
	*out = v;
	return true;
}
