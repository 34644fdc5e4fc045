/* Global options of the `cleat` command line, passed to every verb
 * (no process-wide mutable globals: see docs/style.md). */
#ifndef CLEAT_RUNTIME_CONTEXT_H
#define CLEAT_RUNTIME_CONTEXT_H

#include <stdbool.h>

#define CLEAT_DEFAULT_ROOT "/run/cleat"

struct cleat_ctx {
	const char *root;       /* --root: state directory, default /run/cleat */
	bool root_given; /* --root was on the command line */
	const char *log;        /* --log, NULL for stderr */
	bool log_json;          /* --log-format json */
	bool debug;             /* --debug */
	bool systemd_cgroup;    /* --systemd-cgroup */
	const char *rootless;   /* --rootless true|false|auto, NULL when not given */
	const char *argv0;
};

#endif
