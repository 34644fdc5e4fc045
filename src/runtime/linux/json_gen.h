/* yajl_gen helpers shared by the hooks (state with another status) and the
 * seccomp agent message (the state nested in the process state). */
#ifndef CLEAT_RUNTIME_LINUX_JSON_GEN_H
#define CLEAT_RUNTIME_LINUX_JSON_GEN_H

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

/* A NUL-terminated string as a JSON string (or map key). */
void cleat_json_gen_str(yajl_gen g, const char *s);
/* Re-emit a parsed value as it was: numbers keep their original text, so the
 * container state's pid and timestamps pass through unchanged. */
void cleat_json_gen_value(yajl_gen g, yajl_val v);

#endif
