/* Re-emitting parsed JSON, for code outside oci-spec that rewrites a document it
 * received (the hooks' state with another status, the seccomp agent's message). */
#ifndef CLEAT_OCI_JSON_GEN_H
#define CLEAT_OCI_JSON_GEN_H

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

/* Emit a parsed value as it was: numbers keep their original text, so a pid or a
 * timestamp passes through unchanged. */
void oci_json_gen_value(yajl_gen g, yajl_val v);

#endif
