/* Global options of the `cleat` command line, passed to every verb
 * (no process-wide mutable globals). */
#ifndef CLEAT_RUNTIME_CONTEXT_H
#define CLEAT_RUNTIME_CONTEXT_H

#include <stdbool.h>

#define CLEAT_DEFAULT_ROOT "/run/cleat"

struct cleat_ctx {
	const char *root; /* --root: state directory, default /run/cleat */
	bool root_set; /* --root was given */
	const char *log; /* --log, NULL for stderr */
	bool log_json; /* --log-format json */
	bool debug; /* --debug */
	bool systemd_cgroup; /* --systemd-cgroup */
	const char *rootless; /* --rootless true|false|auto, NULL when not given */
	const char *argv0;
};

#endif
