#include "config.h"
#include "shim/bootstrap.h"
#include "shim/json.h"
#include "common/cleanup.h"
#include "common/sha256.h"
#include "common/util.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct flag_def {
	const char *name;
	size_t off; /* offset of the char * or bool in struct shim_flags */
	bool is_bool;
};

#define STR_FLAG(n, field)                                   \
	{                                                    \
		n, offsetof(struct shim_flags, field), false \
	}
#define BOOL_FLAG(n, field)                                 \
	{                                                   \
		n, offsetof(struct shim_flags, field), true \
	}

static const struct flag_def defs[] = {
	STR_FLAG("namespace", ns),
	STR_FLAG("address", address),
	STR_FLAG("publish-binary", publish_binary),
	STR_FLAG("id", id),
	STR_FLAG("bundle", bundle),
	STR_FLAG("socket", socket),
	BOOL_FLAG("debug", debug),
	BOOL_FLAG("v", version),
};

void shim_flags_clear(struct shim_flags *f)
{
	free(f->ns);
	free(f->address);
	free(f->publish_binary);
	free(f->id);
	free(f->bundle);
	free(f->socket);
	free(f->action);
	memset(f, 0, sizeof *f);
}

int shim_flags_parse(int argc, char **argv, struct shim_flags *f, cleat_error_t *err)
{
	memset(f, 0, sizeof *f);
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		a += a[1] == '-' ? 2 : 1;
		const char *eq = strchr(a, '=');
		size_t nlen = eq ? (size_t) (eq - a) : strlen(a);
		const struct flag_def *d = NULL;
		for (size_t k = 0; k < ARRAY_SIZE(defs); k++)
			if (strlen(defs[k].name) == nlen && strncmp(defs[k].name, a, nlen) == 0)
				d = &defs[k];
		if (!d)
			return cleat_error_msg(err, "flag provided but not defined: -%.*s",
					       (int) nlen, a);
		char *field = (char *) f + d->off;
		if (d->is_bool) {
			bool v = true;
			if (eq) {
				if (strcmp(eq + 1, "true") == 0 || strcmp(eq + 1, "1") == 0)
					v = true;
				else if (strcmp(eq + 1, "false") == 0 || strcmp(eq + 1, "0") == 0)
					v = false;
				else
					return cleat_error_msg(
						err, "invalid boolean value \"%s\" for -%s", eq + 1,
						d->name);
			}
			*(bool *) field = v;
			continue;
		}
		const char *val = eq ? eq + 1 : NULL;
		if (!val) {
			if (i + 1 >= argc)
				return cleat_error_msg(err, "flag needs an argument: -%s", d->name);
			val = argv[++i];
		}
		free(*(char **) field);
		*(char **) field = xstrdup(val);
	}
	if (i < argc)
		f->action = xstrdup(argv[i]);
	return 0;
}

char *shim_group_key(const char *config_json, const char *id)
{
	static const char *const keys[] = { "io.containerd.runc.v2.group",
					    "io.kubernetes.cri.sandbox-id" };
	const char *ann = config_json ? json_get(config_json, "annotations") : NULL;
	for (size_t k = 0; ann && k < ARRAY_SIZE(keys); k++) {
		char *v = json_string_dup(json_get(ann, keys[k]));
		if (v && *v)
			return v;
		free(v);
	}
	return xstrdup(id);
}

char *shim_socket_path(const char *address, const char *ns, const char *group)
{
	_cleanup_free_ char *s = xasprintf("%s/%s/%s", address, ns, group);
	char hex[65];
	sha256_hex(s, strlen(s), hex);
	return xasprintf("%s/%s", SHIM_SOCKET_DIR, hex);
}
