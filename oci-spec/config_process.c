/* config.json .process and process.json. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "oci-spec/json.h"

static const char *const rlimit_names[] = {
	"RLIMIT_AS",
	"RLIMIT_CORE",
	"RLIMIT_CPU",
	"RLIMIT_DATA",
	"RLIMIT_FSIZE",
	"RLIMIT_LOCKS",
	"RLIMIT_MEMLOCK",
	"RLIMIT_MSGQUEUE",
	"RLIMIT_NICE",
	"RLIMIT_NOFILE",
	"RLIMIT_NPROC",
	"RLIMIT_RSS",
	"RLIMIT_RTPRIO",
	"RLIMIT_RTTIME",
	"RLIMIT_SIGPENDING",
	"RLIMIT_STACK",
	NULL,
};

static const char *const sched_policies[] = {
	"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",       "SCHED_BATCH",
	"SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE", NULL,
};

static const char *const sched_flags[] = {
	"SCHED_FLAG_RESET_ON_FORK",  "SCHED_FLAG_RECLAIM",
	"SCHED_FLAG_DL_OVERRUN",     "SCHED_FLAG_KEEP_POLICY",
	"SCHED_FLAG_KEEP_PARAMS",    "SCHED_FLAG_UTIL_CLAMP_MIN",
	"SCHED_FLAG_UTIL_CLAMP_MAX", NULL,
};

static const char *const ioprio_classes[] = {
	"IOPRIO_CLASS_RT",
	"IOPRIO_CLASS_BE",
	"IOPRIO_CLASS_IDLE",
	NULL,
};

static int parse_id_array(struct oci_parse *p, yajl_val obj, const char *key, uint32_t **out,
			  size_t *n)
{
	yajl_val a;
	if (get_array(p, obj, key, false, &a) < 0)
		return -1;
	if (!a || a->u.array.len == 0)
		return 0;
	*out = xmalloc0(a->u.array.len * sizeof(uint32_t));
	size_t m = path_push_key(p, key);
	for (size_t i = 0; i < a->u.array.len; i++) {
		size_t mi = path_push_index(p, i);
		if (json_to_int(p, a->u.array.values[i], JI_ID, &(*out)[i]) < 0) {
			path_pop(p, m);
			return -1;
		}
		path_pop(p, mi);
		*n = i + 1;
	}
	path_pop(p, m);
	return 0;
}

static int parse_user(struct oci_parse *p, yajl_val v, struct oci_user *u)
{
	if (get_int(p, v, "uid", true, JI_ID, &u->uid, NULL) < 0 ||
	    get_int(p, v, "gid", true, JI_ID, &u->gid, NULL) < 0 ||
	    get_int(p, v, "umask", false, JI_U32, &u->umask, &u->has_umask) < 0 ||
	    parse_id_array(p, v, "additionalGids", &u->additional_gids, &u->n_additional_gids) <
		    0 ||
	    get_string(p, v, "username", false, &u->username) < 0)
		return -1;
	return 0;
}

static int parse_caps(struct oci_parse *p, yajl_val v, struct oci_capabilities *c)
{
	if (get_strv(p, v, "bounding", &c->bounding, &c->n_bounding, &c->has_bounding) < 0 ||
	    get_strv(p, v, "effective", &c->effective, &c->n_effective, &c->has_effective) < 0 ||
	    get_strv(p, v, "inheritable", &c->inheritable, &c->n_inheritable, &c->has_inheritable) <
		    0 ||
	    get_strv(p, v, "permitted", &c->permitted, &c->n_permitted, &c->has_permitted) < 0 ||
	    get_strv(p, v, "ambient", &c->ambient, &c->n_ambient, &c->has_ambient) < 0)
		return -1;
	return 0;
}

static int parse_rlimit(struct oci_parse *p, yajl_val v, void *out)
{
	struct oci_rlimit *r = out;
	if (get_string(p, v, "type", true, &r->type) < 0 ||
	    check_enum(p, "type", json_member(v, "type"), r->type, rlimit_names) < 0 ||
	    get_int(p, v, "hard", true, JI_U64, &r->hard, NULL) < 0 ||
	    get_int(p, v, "soft", true, JI_U64, &r->soft, NULL) < 0)
		return -1;
	return 0;
}

static int parse_scheduler(struct oci_parse *p, yajl_val v, struct oci_scheduler *s)
{
	if (get_string(p, v, "policy", true, &s->policy) < 0 ||
	    check_enum(p, "policy", json_member(v, "policy"), s->policy, sched_policies) < 0)
		return -1;
	int64_t nice;
	if (get_int_range(p, v, "nice", false, -20, 19, &nice, &s->has_nice) < 0)
		return -1;
	if (s->has_nice)
		s->nice = (int32_t) nice;
	if (get_int(p, v, "priority", false, JI_I32, &s->priority, &s->has_priority) < 0 ||
	    get_strv(p, v, "flags", &s->flags, &s->n_flags, NULL) < 0 ||
	    get_int(p, v, "runtime", false, JI_U64, &s->runtime, &s->has_runtime) < 0 ||
	    get_int(p, v, "deadline", false, JI_U64, &s->deadline, &s->has_deadline) < 0 ||
	    get_int(p, v, "period", false, JI_U64, &s->period, &s->has_period) < 0)
		return -1;
	yajl_val fl = json_member(v, "flags");
	for (size_t i = 0; i < s->n_flags; i++) {
		if (!str_in(s->flags[i], sched_flags)) {
			size_t m = path_push_key(p, "flags");
			path_push_index(p, i);
			check_enum(p, NULL, fl->u.array.values[i], s->flags[i], sched_flags);
			path_pop(p, m);
			return -1;
		}
	}
	return 0;
}

static int parse_io_priority(struct oci_parse *p, yajl_val v, struct oci_io_priority *io)
{
	int64_t prio = 0;
	if (get_string(p, v, "class", true, &io->class) < 0 ||
	    check_enum(p, "class", json_member(v, "class"), io->class, ioprio_classes) < 0 ||
	    /* ioprio_set(2): levels 0 (highest) to 7 (lowest) */
	    get_int_range(p, v, "priority", false, 0, 7, &prio, NULL) < 0)
		return -1;
	io->priority = (int32_t) prio;
	return 0;
}

/* Run parse(p, sub, field) on obj[key] with the path extended by key. */
#define PARSE_SUB(p, obj, key, required, field, alloc, parse)              \
	({                                                                 \
		yajl_val sub_;                                             \
		int r_ = get_object((p), (obj), (key), (required), &sub_); \
		if (r_ == 0 && sub_) {                                     \
			size_t m_ = path_push_key((p), (key));             \
			alloc;                                             \
			r_ = parse((p), sub_, (field));                    \
			path_pop((p), m_);                                 \
		}                                                          \
		r_;                                                        \
	})

static int check_rlimits(struct oci_parse *p, yajl_val v, const struct oci_process *proc)
{
	/* runtime-spec: duplicate rlimit types MUST be an error */
	for (size_t i = 0; i < proc->n_rlimits; i++) {
		for (size_t j = 0; j < i; j++) {
			if (strcmp(proc->rlimits[i].type, proc->rlimits[j].type) != 0)
				continue;
			size_t m = path_push_key(p, "rlimits");
			path_push_index(p, i);
			yajl_val e = json_member(v, "rlimits")->u.array.values[i];
			perr_at(p, "type", json_member(e, "type"), "duplicate rlimit type");
			path_pop(p, m);
			return -1;
		}
	}
	return 0;
}

int oci_parse_process_obj(struct oci_parse *p, yajl_val v, struct oci_process *proc)
{
	if (get_bool(p, v, "terminal", false, &proc->terminal, NULL) < 0)
		return -1;
	yajl_val cs;
	if (get_object(p, v, "consoleSize", false, &cs) < 0)
		return -1;
	if (cs) {
		size_t m = path_push_key(p, "consoleSize");
		int r = get_int(p, cs, "height", true, JI_U32, &proc->console_size.height, NULL);
		if (r == 0)
			r = get_int(p, cs, "width", true, JI_U32, &proc->console_size.width, NULL);
		path_pop(p, m);
		if (r < 0)
			return -1;
		proc->has_console_size = true;
	}
	if (PARSE_SUB(p, v, "user", !p->process_user_optional, &proc->user, (void) 0, parse_user) <
	    0)
		return -1;
	if (get_strv(p, v, "args", &proc->args, &proc->n_args, NULL) < 0 ||
	    get_string(p, v, "commandLine", false, &proc->command_line) < 0 ||
	    get_strv(p, v, "env", &proc->env, &proc->n_env, NULL) < 0 ||
	    get_string(p, v, "cwd", true, &proc->cwd) < 0)
		return -1;
	if (proc->cwd[0] != '/')
		return perr_at(p, "cwd", json_member(v, "cwd"), "expected an absolute path");
	if (PARSE_SUB(p, v, "capabilities", false, &proc->capabilities,
		      proc->has_capabilities = true, parse_caps) < 0)
		return -1;
	if (get_obj_array(p, v, "rlimits", sizeof(struct oci_rlimit), (void **) &proc->rlimits,
			  &proc->n_rlimits, parse_rlimit) < 0 ||
	    check_rlimits(p, v, proc) < 0)
		return -1;
	if (get_bool(p, v, "noNewPrivileges", false, &proc->no_new_privileges, NULL) < 0 ||
	    get_string(p, v, "apparmorProfile", false, &proc->apparmor_profile) < 0)
		return -1;
	int64_t adj;
	/* the kernel's OOM_SCORE_ADJ_MIN .. OOM_SCORE_ADJ_MAX */
	if (get_int_range(p, v, "oomScoreAdj", false, -1000, 1000, &adj, &proc->has_oom_score_adj) <
	    0)
		return -1;
	if (proc->has_oom_score_adj)
		proc->oom_score_adj = (int32_t) adj;
	if (PARSE_SUB(p, v, "scheduler", false, proc->scheduler,
		      proc->scheduler = xmalloc0(sizeof *proc->scheduler), parse_scheduler) < 0)
		return -1;
	if (get_string(p, v, "selinuxLabel", false, &proc->selinux_label) < 0)
		return -1;
	if (PARSE_SUB(p, v, "ioPriority", false, proc->io_priority,
		      proc->io_priority = xmalloc0(sizeof *proc->io_priority),
		      parse_io_priority) < 0)
		return -1;
	yajl_val aff;
	if (get_object(p, v, "execCPUAffinity", false, &aff) < 0)
		return -1;
	if (aff) {
		size_t m = path_push_key(p, "execCPUAffinity");
		proc->exec_cpu_affinity = xmalloc0(sizeof *proc->exec_cpu_affinity);
		int r = get_string(p, aff, "initial", false, &proc->exec_cpu_affinity->initial);
		if (r == 0)
			r = get_string(p, aff, "final", false, &proc->exec_cpu_affinity->final);
		path_pop(p, m);
		if (r < 0)
			return -1;
	}
	return 0;
}
