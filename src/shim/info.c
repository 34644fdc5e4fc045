/* -info: the RuntimeInfo containerd 2.x reads from a shim binary (see info.h). */
#include "config.h"
#include "shim/info.h"
#include "shim/container.h"
#include "shim/options.h"
#include "shim/runtime.h"
#include "common/cleanup.h"
#include "common/util.h"
#include "google_types.pb-c.h"
#include "introspection.pb-c.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The type containerd registers for runtime-spec's features.Features, sent as JSON. */
#define FEATURES_TYPE_URL "types.containerd.io/opencontainers/runtime-spec/1/features/Features"

/* BINARY features: its stdout when it exits 0, else NULL (a runtime without
 * the command: the info then has no features, as with runc-v2). */
static char *runtime_features(const char *binary, size_t *len)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return NULL;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return NULL;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		if (null < 0 || dup2(null, 0) < 0 || dup2(p[1], 1) < 0 || dup2(null, 2) < 0)
			_exit(127);
		execl(binary, binary, "features", (char *) NULL);
		_exit(127);
	}
	close(p[1]);
	_cleanup_free_ char *out = NULL;
	cleat_error_t err = NULL;
	int r = read_all_fd(p[0], "features", &out, len, &err);
	close(p[0]);
	cleat_error_free(&err);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || *len == 0)
		return NULL;
	return TAKE_PTR(out);
}

int shim_info(const char *shim_name, cleat_error_t *err)
{
	_cleanup_free_ char *in = NULL;
	size_t in_len = 0;
	if (read_all_fd(0, "stdin", &in, &in_len, err) < 0)
		return -1;
	Google__Protobuf__Any *opts = NULL;
	if (in_len > 0) {
		opts = google__protobuf__any__unpack(NULL, in_len, (uint8_t *) in);
		if (!opts)
			return cleat_error_msg(err, "-info: stdin is not a protobuf Any");
	}
	struct shim_options o = { 0 };
	if (opts)
		shim_options_from_any(opts->type_url, opts->value.data, opts->value.len, &o);
	_cleanup_free_ char *binary = runtime_resolve_binary(container_runtime_name(o.binary_name));
	shim_options_clear(&o);

	Containerd__Types__RuntimeVersion v = CONTAINERD__TYPES__RUNTIME_VERSION__INIT;
	v.version = (char *) PACKAGE_VERSION;
	Containerd__Types__RuntimeInfo info = CONTAINERD__TYPES__RUNTIME_INFO__INIT;
	info.name = (char *) shim_name;
	info.version = &v;
	info.options = opts;
	Google__Protobuf__Any features = GOOGLE__PROTOBUF__ANY__INIT;
	size_t flen = 0;
	_cleanup_free_ char *json = binary ? runtime_features(binary, &flen) : NULL;
	if (json) {
		features.type_url = (char *) FEATURES_TYPE_URL;
		features.value.data = (uint8_t *) json;
		features.value.len = flen;
		info.features = &features;
	}
	size_t len = containerd__types__runtime_info__get_packed_size(&info);
	_cleanup_free_ uint8_t *buf = xmalloc(len + 1);
	containerd__types__runtime_info__pack(&info, buf);
	if (opts)
		google__protobuf__any__free_unpacked(opts, NULL);
	if (write_all(1, buf, len) < 0)
		return cleat_error_errno(err, errno, "-info: write RuntimeInfo");
	return 0;
}
