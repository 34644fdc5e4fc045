/* yajl_gen helpers shared by the hooks (state with another status) and the
 * seccomp agent message (the state nested in the process state). */
#ifndef CLEAT_RUNTIME_LINUX_JSON_GEN_H
#define CLEAT_RUNTIME_LINUX_JSON_GEN_H

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "oci-spec/json_gen.h" /* oci_json_gen_value() re-emits a parsed value */

/* A NUL-terminated string as a JSON string (or map key). */
void cleat_json_gen_str(yajl_gen g, const char *s);

#endif
