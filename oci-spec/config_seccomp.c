/* config.json .linux.seccomp. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "oci-spec/json.h"

static const char *const actions[] = {
	"SCMP_ACT_KILL",	"SCMP_ACT_KILL_PROCESS",
	"SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
	"SCMP_ACT_ERRNO",	"SCMP_ACT_TRACE",
	"SCMP_ACT_ALLOW",	"SCMP_ACT_LOG",
	"SCMP_ACT_NOTIFY",	NULL,
};

static const char *const operators[] = {
	"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",	    "SCMP_CMP_EQ",
	"SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL,
};

static const char *const archs[] = {
	"SCMP_ARCH_X86",      "SCMP_ARCH_X86_64",      "SCMP_ARCH_X32",
	"SCMP_ARCH_ARM",      "SCMP_ARCH_AARCH64",     "SCMP_ARCH_MIPS",
	"SCMP_ARCH_MIPS64",   "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",
	"SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
	"SCMP_ARCH_PPC64",    "SCMP_ARCH_PPC64LE",     "SCMP_ARCH_S390",
	"SCMP_ARCH_S390X",    "SCMP_ARCH_PARISC",      "SCMP_ARCH_PARISC64",
	"SCMP_ARCH_RISCV64",  "SCMP_ARCH_LOONGARCH64", NULL,
};

static const char *const filter_flags[] = {
	"SECCOMP_FILTER_FLAG_TSYNC",
	"SECCOMP_FILTER_FLAG_LOG",
	"SECCOMP_FILTER_FLAG_SPEC_ALLOW",
	"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
	NULL,
};

/* Every element of the string array obj[key] (already parsed into v/n) must be in allowed. */
static int check_enum_list(struct oci_parse *p, yajl_val obj, const char *key, char **v, size_t n,
			   const char *const *allowed)
{
	for (size_t i = 0; i < n; i++) {
		if (str_in(v[i], allowed))
			continue;
		size_t m = path_push_key(p, key);
		path_push_index(p, i);
		check_enum(p, NULL, json_member(obj, key)->u.array.values[i], v[i], allowed);
		path_pop(p, m);
		return -1;
	}
	return 0;
}

static int parse_arg(struct oci_parse *p, yajl_val v, void *out)
{
	struct oci_seccomp_arg *a = out;
	int64_t idx;
	/* a syscall has at most six arguments */
	if (get_int_range(p, v, "index", true, 0, 5, &idx, NULL) < 0 ||
	    get_int(p, v, "value", true, JI_U64, &a->value, NULL) < 0 ||
	    get_int(p, v, "valueTwo", false, JI_U64, &a->value_two, &a->has_value_two) < 0 ||
	    get_string(p, v, "op", true, &a->op) < 0 ||
	    check_enum(p, "op", json_member(v, "op"), a->op, operators) < 0)
		return -1;
	a->index = (uint32_t) idx;
	return 0;
}

static int parse_syscall(struct oci_parse *p, yajl_val v, void *out)
{
	struct oci_seccomp_syscall *s = out;
	bool has_names;
	if (get_strv(p, v, "names", &s->names, &s->n_names, &has_names) < 0)
		return -1;
	if (!has_names)
		return perr_missing(p, "names");
	if (s->n_names == 0)
		return perr_at(p, "names", json_member(v, "names"), "expected a non-empty array");
	if (get_string(p, v, "action", true, &s->action) < 0 ||
	    check_enum(p, "action", json_member(v, "action"), s->action, actions) < 0 ||
	    get_int(p, v, "errnoRet", false, JI_U32, &s->errno_ret, &s->has_errno_ret) < 0 ||
	    get_obj_array(p, v, "args", sizeof(struct oci_seccomp_arg), (void **) &s->args,
			  &s->n_args, parse_arg) < 0)
		return -1;
	return 0;
}

int oci_parse_seccomp_obj(struct oci_parse *p, yajl_val v, struct oci_seccomp *s)
{
	if (get_string(p, v, "defaultAction", true, &s->default_action) < 0 ||
	    check_enum(p, "defaultAction", json_member(v, "defaultAction"), s->default_action,
		       actions) < 0 ||
	    get_int(p, v, "defaultErrnoRet", false, JI_U32, &s->default_errno_ret,
		    &s->has_default_errno_ret) < 0 ||
	    get_strv(p, v, "architectures", &s->architectures, &s->n_architectures, NULL) < 0 ||
	    check_enum_list(p, v, "architectures", s->architectures, s->n_architectures, archs) <
		    0 ||
	    get_strv(p, v, "flags", &s->flags, &s->n_flags, NULL) < 0 ||
	    check_enum_list(p, v, "flags", s->flags, s->n_flags, filter_flags) < 0 ||
	    get_string(p, v, "listenerPath", false, &s->listener_path) < 0 ||
	    get_string(p, v, "listenerMetadata", false, &s->listener_metadata) < 0 ||
	    get_obj_array(p, v, "syscalls", sizeof(struct oci_seccomp_syscall),
			  (void **) &s->syscalls, &s->n_syscalls, parse_syscall) < 0)
		return -1;
	return 0;
}
