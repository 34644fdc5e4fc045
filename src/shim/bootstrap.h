/* Pure pieces of the shim's bootstrap (argv, grouping, socket naming), kept
 * apart from the side effects so they can be unit-tested. */
#ifndef CLEAT_SHIM_BOOTSTRAP_H
#define CLEAT_SHIM_BOOTSTRAP_H

#include <stdbool.h>

#include "common/error.h"

/* Where containerd 1.6/1.7 expect shim sockets, whatever its state dir. */
#define SHIM_SOCKET_DIR "/run/containerd/s"

struct shim_flags {
	char *ns, *address, *publish_binary, *id, *bundle, *socket;
	bool debug, version;
	char *action; /* "start", "delete", or NULL for the daemon */
};

/* Go `flag` package syntax: -name value, -name=value, --name; booleans take
 * no value unless written -name=true|false; parsing stops at the first
 * non-flag argument, which is the action. */
int shim_flags_parse(int argc, char **argv, struct shim_flags *f, cleat_error_t *err);
void shim_flags_clear(struct shim_flags *f);

/* Grouping key: annotation io.containerd.runc.v2.group, else
 * io.kubernetes.cri.sandbox-id, else the container id. */
char *shim_group_key(const char *config_json, const char *id);
/* "/run/containerd/s/" + hex(sha256("<address>/<ns>/<group>")). */
char *shim_socket_path(const char *address, const char *ns, const char *group);

#endif
