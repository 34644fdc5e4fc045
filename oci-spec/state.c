/* The runtime-spec state object: hooks' stdin, state.json, `cleat state`. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "oci-spec/json.h"
#include "oci-spec/state.h"

static const char *const statuses[] = {
	"creating", "created", "running", "stopped", "paused", NULL,
};

char *oci_state_to_json(const struct oci_state *s)
{
	yajl_gen g = oci_gen_new(NULL);
	yajl_gen_map_open(g);
	gen_key(g, "ociVersion");
	gen_str(g, s->oci_version);
	gen_key(g, "id");
	gen_str(g, s->id);
	gen_key(g, "status");
	gen_str(g, s->status);
	/* the schema requires pid only while the process exists */
	if (s->pid > 0)
		gen_ki64(g, "pid", s->pid);
	gen_key(g, "bundle");
	gen_str(g, s->bundle);
	gen_kkv_sorted(g, "annotations", s->annotations, s->n_annotations);
	yajl_gen_map_close(g);
	return oci_gen_finish(g, false);
}

char *oci_state_to_runc_json(const struct oci_state *s)
{
	yajl_gen g = oci_gen_new("  ");
	yajl_gen_map_open(g);
	gen_key(g, "ociVersion");
	gen_str(g, s->oci_version);
	gen_key(g, "id");
	gen_str(g, s->id);
	gen_ki64(g, "pid", s->pid > 0 ? s->pid : 0);
	gen_key(g, "status");
	gen_str(g, s->status);
	gen_key(g, "bundle");
	gen_str(g, s->bundle);
	gen_key(g, "rootfs");
	gen_str(g, s->rootfs);
	gen_key(g, "created");
	/* Go's zero time.Time, which runc would print for an unknown creation */
	gen_str(g, s->created ? s->created : "0001-01-01T00:00:00Z");
	gen_kkv_sorted(g, "annotations", s->annotations, s->n_annotations);
	gen_key(g, "owner");
	gen_str(g, s->owner);
	yajl_gen_map_close(g);
	return oci_gen_finish(g, false);
}

static int parse_state_obj(struct oci_parse *p, yajl_val v, struct oci_state *s)
{
	if (v->type != yajl_t_object)
		return perr(p, v, "expected an object");
	int64_t pid = 0;
	if (get_string(p, v, "ociVersion", true, &s->oci_version) < 0 ||
	    get_string(p, v, "id", true, &s->id) < 0 ||
	    get_string(p, v, "status", true, &s->status) < 0 ||
	    check_enum(p, "status", json_member(v, "status"), s->status, statuses) < 0 ||
	    get_int_range(p, v, "pid", false, 0, INT32_MAX, &pid, NULL) < 0 ||
	    get_string(p, v, "bundle", true, &s->bundle) < 0 ||
	    get_kv_map(p, v, "annotations", &s->annotations, &s->n_annotations) < 0 ||
	    get_string(p, v, "rootfs", false, &s->rootfs) < 0 ||
	    get_string(p, v, "created", false, &s->created) < 0 ||
	    get_string(p, v, "owner", false, &s->owner) < 0)
		return -1;
	s->pid = (pid_t) pid;
	return 0;
}

int oci_state_parse(const char *json, size_t len, const char *origin, struct oci_state **out,
		    cleat_error_t *err)
{
	_cleanup_yajl_val_ yajl_val doc = NULL;
	if (oci_json_parse_tree(json, len, origin, &doc, err) < 0)
		return -1;
	struct oci_state *s = xmalloc0(sizeof *s);
	struct oci_parse p;
	oci_parse_init(&p, origin, err);
	int r = parse_state_obj(&p, doc, s);
	oci_parse_fini(&p);
	if (r < 0) {
		oci_state_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

void oci_state_free(struct oci_state *s)
{
	if (!s)
		return;
	free(s->oci_version);
	free(s->id);
	free(s->status);
	free(s->bundle);
	oci_kv_free(s->annotations, s->n_annotations);
	free(s->rootfs);
	free(s->created);
	free(s->owner);
	free(s);
}
