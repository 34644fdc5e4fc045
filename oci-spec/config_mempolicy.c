/* config.json .linux.memoryPolicy (runtime-spec 1.3): the mode, flags and
 * node list of set_mempolicy(2), checked and resolved to the syscall's
 * arguments here so a bad policy is refused with its JSON path before
 * anything is created.  The numbers are the kernel's uapi values
 * (<linux/mempolicy.h>); older libc headers lack the newer ones. */
#include <config.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "oci-spec/json.h"

/* Sorted, as `runc features` prints them. */
const char *const oci_mpol_modes[] = {
	"MPOL_BIND",	  "MPOL_DEFAULT",	 "MPOL_INTERLEAVE",	     "MPOL_LOCAL",
	"MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_WEIGHTED_INTERLEAVE", NULL,
};
enum {
	MODE_DEFAULT = 0,
	MODE_PREFERRED = 1,
	MODE_LOCAL = 4
};
static const int mode_values[] = { 2, MODE_DEFAULT, 3, MODE_LOCAL, MODE_PREFERRED, 5, 6 };

const char *const oci_mpol_flags[] = {
	"MPOL_F_NUMA_BALANCING",
	"MPOL_F_RELATIVE_NODES",
	"MPOL_F_STATIC_NODES",
	NULL,
};
static const unsigned flag_values[] = { 1u << 13, 1u << 14, 1u << 15 };

static size_t index_of(const char *s, const char *const *list)
{
	size_t i = 0;
	while (list[i] && strcmp(list[i], s) != 0)
		i++;
	return i;
}

static int parse_node(const char *s, size_t len, unsigned *out)
{
	if (len == 0 || len > 9)
		return -1;
	unsigned v = 0;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char) s[i]))
			return -1;
		v = v * 10 + (unsigned) (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* "0-3,7" into mp->nodemask.  Like runc: blanks around an element and empty
 * elements (",," or a trailing comma) are allowed. */
static int parse_nodes(struct oci_parse *p, yajl_val v, struct oci_memory_policy *mp)
{
	const char *s = mp->nodes;
	while (*s) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t) (e - s) : strlen(s);
		while (len > 0 && isspace((unsigned char) *s))
			s++, len--;
		while (len > 0 && isspace((unsigned char) s[len - 1]))
			len--;
		if (len > 0) {
			const char *dash = memchr(s, '-', len);
			unsigned a, b;
			size_t alen = dash ? (size_t) (dash - s) : len;
			if (parse_node(s, alen, &a) < 0 ||
			    (dash && parse_node(dash + 1, len - alen - 1, &b) < 0))
				return perr_at(p, "nodes", v,
					       "expected a node list such as \"0-3,7\" (bad "
					       "element \"%.*s\")",
					       (int) len, s);
			if (!dash)
				b = a;
			if (b < a)
				return perr_at(p, "nodes", v,
					       "range \"%.*s\" ends before it starts", (int) len,
					       s);
			if (b >= OCI_MPOL_MAX_NODES)
				return perr_at(p, "nodes", v, "node %u is above the maximum %d", b,
					       OCI_MPOL_MAX_NODES - 1);
			for (unsigned n = a; n <= b; n++)
				mp->nodemask[n / 64] |= UINT64_C(1) << (n % 64);
		}
		s += len;
		while (*s && *s != ',')
			s++; /* trailing blanks */
		if (*s == ',')
			s++;
	}
	mp->n_nodes = 0;
	for (size_t i = 0; i < OCI_MPOL_MAX_NODES / 64; i++)
		mp->n_nodes += (size_t) __builtin_popcountll(mp->nodemask[i]);
	return 0;
}

int oci_parse_memory_policy_obj(struct oci_parse *p, yajl_val v, struct oci_memory_policy *mp)
{
	if (get_string(p, v, "mode", true, &mp->mode) < 0 ||
	    check_enum(p, "mode", json_member(v, "mode"), mp->mode, oci_mpol_modes) < 0 ||
	    get_string(p, v, "nodes", false, &mp->nodes) < 0 ||
	    get_strv(p, v, "flags", &mp->flags, &mp->n_flags, NULL) < 0)
		return -1;
	mp->mode_value = mode_values[index_of(mp->mode, oci_mpol_modes)];
	for (size_t i = 0; i < mp->n_flags; i++) {
		size_t m = path_push_key(p, "flags");
		path_push_index(p, i);
		yajl_val e = json_member(v, "flags")->u.array.values[i];
		int r = check_enum(p, NULL, e, mp->flags[i], oci_mpol_flags);
		path_pop(p, m);
		if (r < 0)
			return -1;
		mp->flags_value |= flag_values[index_of(mp->flags[i], oci_mpol_flags)];
	}
	unsigned both = flag_values[1] | flag_values[2];
	if ((mp->flags_value & both) == both)
		return perr_at(p, "flags", json_member(v, "flags"),
			       "MPOL_F_RELATIVE_NODES and MPOL_F_STATIC_NODES exclude each other");
	yajl_val nv = json_member(v, "nodes");
	if (mp->nodes && parse_nodes(p, nv, mp) < 0)
		return -1;
	/* set_mempolicy(2): DEFAULT and LOCAL take an empty node set, PREFERRED
	 * either, the others at least one node. */
	bool no_nodes = mp->mode_value == MODE_DEFAULT || mp->mode_value == MODE_LOCAL;
	if (no_nodes && mp->n_nodes > 0)
		return perr_at(p, "nodes", nv, "mode %s takes no nodes (%zu given)", mp->mode,
			       mp->n_nodes);
	if (!no_nodes && mp->mode_value != MODE_PREFERRED && mp->n_nodes == 0)
		return perr_at(p, "nodes", nv, "mode %s needs at least one node", mp->mode);
	return 0;
}
