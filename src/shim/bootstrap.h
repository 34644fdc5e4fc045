/* Pure pieces of the shim's bootstrap (argv, grouping, socket naming), kept
 * apart from the side effects so they can be unit-tested. */
#ifndef CLEAT_SHIM_BOOTSTRAP_H
#define CLEAT_SHIM_BOOTSTRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* Where containerd 1.6/1.7 expect shim sockets, whatever its state dir. */
#define SHIM_SOCKET_DIR "/run/containerd/s"

struct shim_flags {
	char *ns, *address, *publish_binary, *id, *bundle, *socket;
	bool debug, version;
	bool info; /* -info: print a RuntimeInfo for containerd 2.x and exit */
	char *action; /* "start", "delete", or NULL for the daemon */
};

/* Go `flag` package syntax: -name value, -name=value, --name; booleans take
 * no value unless written -name=true|false; parsing stops at the first
 * non-flag argument, which is the action. */
int shim_flags_parse(int argc, char **argv, struct shim_flags *f, cleat_error_t *err);
void shim_flags_clear(struct shim_flags *f);

/* The name containerd finds the shim under in the drop-in mode (dockerd before 23 can only
 * ask for io.containerd.runc.v2). */
#define SHIM_DROPIN_NAME "containerd-shim-runc-v2"
/* The runtime binary for a container with no BinaryName, by the name the shim was run as
 * (the basename of argv[0]): runc under SHIM_DROPIN_NAME, as the shim it stands in for
 * would run, else cleat (SHIM_DEFAULT_RUNTIME). */
const char *shim_default_runtime(const char *invoked_as);

/* Grouping key: annotation io.containerd.runc.v2.group, else
 * io.kubernetes.cri.sandbox-id, else the container id. */
char *shim_group_key(const char *config_json, const char *id);
/* DIR (NULL: SHIM_SOCKET_DIR) + "/" + hex(sha256("<address>/<ns>/<group>")). */
char *shim_socket_path(const char *dir, const char *address, const char *ns, const char *group);

/* What `start` reads on stdin. containerd 2.x writes a BootstrapParams
 * (containerd.runtime.bootstrap.v1) whose instance_id and namespace repeat
 * -id and -namespace, the runtime options as its first extension; it then
 * wants a BootstrapResult back. containerd 1.6/1.7 write the runtime options
 * Any alone (or nothing) and read the bare address. */
struct shim_start_input {
	bool bootstrap; /* containerd 2.x: answer with shim_bootstrap_result */
	char *opts_type_url; /* runtime options, NULL when none */
	uint8_t *opts_value;
	size_t opts_len;
	char *socket_dir; /* NULL: SHIM_SOCKET_DIR */
};
void shim_start_input_parse(const uint8_t *buf, size_t len, const char *id, const char *ns,
			    struct shim_start_input *in);
void shim_start_input_clear(struct shim_start_input *in);
/* A BootstrapResult: version 3 (task API containerd.task.v3.Task), ttrpc, ADDRESS. */
uint8_t *shim_bootstrap_result(const char *address, size_t *len);

#endif
