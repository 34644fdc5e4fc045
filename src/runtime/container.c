#include "config.h"
#include "runtime/container.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "common/passwd.h"
#include "common/util.h"
#include "oci-spec/state.h"
#include "runtime/state_dir.h"

/* The runtime-spec version cleat implements (reported in state output). */
#define CLEAT_OCI_VERSION OCI_SPEC_VERSION_MAX

const char *cleat_status_name(enum cleat_status s)
{
	switch (s) {
	case CLEAT_STATUS_CREATING: return "creating";
	case CLEAT_STATUS_CREATED: return "created";
	case CLEAT_STATUS_RUNNING: return "running";
	case CLEAT_STATUS_PAUSED: return "paused";
	default: return "stopped";
	}
}

int cleat_container_validate_id(const char *id, cleat_error_t *err)
{
	if (id == NULL || *id == '\0')
		return cleat_error_msg(err, "container id cannot be empty");
	if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0 || strlen(id) > 1024)
		return cleat_error_msg(err, "invalid container ID format");
	for (const char *p = id; *p; p++) {
		char ch = *p;
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '_' || ch == '+' || ch == '-' ||
			  ch == '.';
		if (!ok)
			return cleat_error_msg(err, "invalid container ID format");
	}
	return 0;
}

bool cleat_container_init_alive(const struct cleat_container *c)
{
	if (c->init_pid <= 0)
		return false;
	unsigned long long st = cleat_proc_start_time(c->init_pid);
	return st != 0 && st == c->init_start_time;
}

int cleat_container_cgroup(struct cleat_container *c, struct cleat_cgroup **out, cleat_error_t *err)
{
	if (c->cgroup == NULL &&
	    cleat_cgroup_from_string(c->cgroup_str ? c->cgroup_str : "", &c->cgroup, err) < 0)
		return -1;
	*out = c->cgroup;
	return 0;
}

/* No init pid recorded: a create still running holds the lock; a create
 * that died (SIGKILL) left a stale directory, which is stopped. */
static enum cleat_status creating_or_dead(const struct cleat_container *c)
{
	if (c->lock_fd >= 0)
		return CLEAT_STATUS_STOPPED;
	_cleanup_close_ int fd = openat(c->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || flock(fd, LOCK_SH | LOCK_NB) < 0)
		return CLEAT_STATUS_CREATING;
	return CLEAT_STATUS_STOPPED;
}

int cleat_container_refresh(struct cleat_container *c, cleat_error_t *err)
{
	if (c->init_pid == 0) {
		c->status = creating_or_dead(c);
		return 0;
	}
	if (!cleat_container_init_alive(c)) {
		c->status = CLEAT_STATUS_STOPPED;
		return 0;
	}
	if (faccessat(c->dir_fd, CLEAT_EXEC_FIFO, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		c->status = CLEAT_STATUS_CREATED;
		return 0;
	}
	c->status = CLEAT_STATUS_RUNNING;
	struct cleat_cgroup *cg;
	bool frozen = false;
	if (cleat_container_cgroup(c, &cg, err) < 0 || cleat_cgroup_is_frozen(cg, &frozen, err) < 0)
		return -1;
	if (frozen)
		c->status = CLEAT_STATUS_PAUSED;
	return 0;
}

int cleat_container_load(const char *root, const char *id, struct cleat_container **out,
			 cleat_error_t *err)
{
	return cleat_container_open(root, id, true, out, err);
}

int cleat_container_open(const char *root, const char *id, bool lock, struct cleat_container **out,
			 cleat_error_t *err)
{
	if (cleat_container_validate_id(id, err) < 0)
		return -1;
	_cleanup_container_ struct cleat_container *c = xmalloc0(sizeof *c);
	c->lock_fd = -1;
	c->dir_fd = -1;
	c->id = xstrdup(id);
	c->root = xstrdup(root);
	c->state_dir = xasprintf("%s/%s", root, id);
	if (cleat_state_dir_open(root, id, &c->dir_fd, lock ? &c->lock_fd : NULL, err) < 0)
		return -1;
	if (cleat_state_load(c, err) < 0) {
		/* A create that died before writing state.json: nothing is running. */
		if ((*err)->errnum != ENOENT)
			return -1;
		cleat_error_free(err);
		c->status = CLEAT_STATUS_STOPPED;
		*out = TAKE_PTR(c);
		return 0;
	}
	_cleanup_free_ char *cfg = xasprintf("%s/%s", c->state_dir, CLEAT_CONFIG_FILE);
	if (oci_config_load(cfg, &c->config, err) < 0)
		return -1;
	if (cleat_container_refresh(c, err) < 0)
		return -1;
	*out = TAKE_PTR(c);
	return 0;
}

void cleat_container_free(struct cleat_container *c)
{
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	if (c->dir_fd >= 0)
		close(c->dir_fd);
	if (c->config)
		oci_config_free(c->config);
	if (c->cgroup)
		cleat_cgroup_free(c->cgroup);
	free(c->id);
	free(c->root);
	free(c->state_dir);
	free(c->bundle);
	free(c->rootfs);
	free(c->created);
	free(c->cgroup_str);
	free(c);
}

static pid_t visible_pid(const struct cleat_container *c)
{
	return c->status == CLEAT_STATUS_STOPPED ? 0 : c->init_pid;
}

#define GEN_STR(g, s) yajl_gen_string((g), (const unsigned char *) (s), strlen(s))

/* runc's state/list object: ociVersion id pid status bundle rootfs created owner [annotations]. */
static char *gen_container(const struct cleat_container *c, bool pretty, bool owner_named)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	if (pretty) {
		yajl_gen_config(g, yajl_gen_beautify, 1);
		yajl_gen_config(g, yajl_gen_indent_string, "  ");
	}
	yajl_gen_map_open(g);
	GEN_STR(g, "ociVersion");
	GEN_STR(g, CLEAT_OCI_VERSION);
	GEN_STR(g, "id");
	GEN_STR(g, c->id);
	GEN_STR(g, "pid");
	yajl_gen_integer(g, visible_pid(c));
	GEN_STR(g, "status");
	GEN_STR(g, cleat_status_name(c->status));
	GEN_STR(g, "bundle");
	GEN_STR(g, c->bundle ? c->bundle : "");
	GEN_STR(g, "rootfs");
	GEN_STR(g, c->rootfs ? c->rootfs : "");
	GEN_STR(g, "created");
	GEN_STR(g, c->created ? c->created : "0001-01-01T00:00:00Z");
	GEN_STR(g, "owner");
	if (owner_named) {
		_cleanup_free_ char *o = cleat_passwd_owner_name(c->owner);
		GEN_STR(g, o);
	} else {
		GEN_STR(g, "");
	}
	if (c->config && c->config->n_annotations) {
		GEN_STR(g, "annotations");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < c->config->n_annotations; i++) {
			GEN_STR(g, c->config->annotations[i].key);
			GEN_STR(g, c->config->annotations[i].value ? c->config->annotations[i].value
								   : "");
		}
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
	const unsigned char *buf;
	size_t len;
	yajl_gen_get_buf(g, &buf, &len);
	/* beautify ends with a newline; runc prints none. */
	while (len > 0 && buf[len - 1] == '\n')
		len--;
	char *out = xstrndup((const char *) buf, len);
	yajl_gen_free(g);
	return out;
}

char *cleat_container_state_json(const struct cleat_container *c)
{
	return gen_container(c, true, false);
}

char *cleat_container_list_json(const struct cleat_container *c)
{
	return gen_container(c, false, true);
}

char *cleat_container_spec_state_json(const struct cleat_container *c)
{
	struct oci_state s = {
		.oci_version = (char *) CLEAT_OCI_VERSION,
		.id = c->id,
		.status = (char *) cleat_status_name(c->status),
		.pid = visible_pid(c),
		.bundle = c->bundle,
		.annotations = c->config ? c->config->annotations : NULL,
		.n_annotations = c->config ? c->config->n_annotations : 0,
	};
	return oci_state_to_json(&s);
}
