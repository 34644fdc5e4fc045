/* A process's stdio as containerd hands it over: fifos (plain path or
 * fifo://), file:// log files, binary:// logging programs, or a terminal whose
 * pty master the runtime sends over a console socket.  Copies run on the loop
 * without threads (splice between pipes, read/write for a pty). */
#ifndef CLEAT_SHIM_STDIO_H
#define CLEAT_SHIM_STDIO_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

struct shim;
struct stdio;

struct stdio_cfg {
	const char *in, *out, *err; /* as received; "" means none */
	bool terminal;
	uint32_t uid, gid; /* owner of the pipes handed to the container */
	const char *id, *ns; /* for binary:// loggers' environment */
};

enum stdio_kind {
	STDIO_NONE,
	STDIO_FIFO,
	STDIO_FILE,
	STDIO_BINARY
};

struct stdio_uri {
	enum stdio_kind kind;
	char *path;
	char **args; /* binary:// query as argv words: k1 v1 k2 ... (NULL-terminated) */
};

/* Parse the stdout/stderr string of a Create/Exec request. */
int stdio_parse_uri(const char *s, struct stdio_uri *out, cleat_error_t *err);
void stdio_uri_clear(struct stdio_uri *u);

/* Before the runtime runs: open fifos (never blocking on an absent peer),
 * make the container's pipes, start a logger, or listen on a console socket.
 * A logger may not be ready yet: see stdio_when_ready. */
int stdio_prepare(struct shim *s, const struct stdio_cfg *cfg, struct stdio **out,
		  cleat_error_t *err);
/* err is NULL when the stdio is ready, else why it never will be (borrowed). */
typedef void (*stdio_ready_fn)(void *data, cleat_error_t err);
/* fn runs once the stdio can be handed to the runtime: at once, or on the loop
 * when a binary:// logger has said it is ready (closed or written to its fd 5),
 * with an error if it has not within 10 s.  The loop keeps serving meanwhile.
 * Not run at all if io is freed first. */
void stdio_when_ready(struct stdio *io, stdio_ready_fn fn, void *data);
/* fds for the runtime's 0/1/2 (RUNTIME_FD_NULL / RUNTIME_FD_CAPTURE allowed). */
void stdio_child_fds(const struct stdio *io, int fds[3]);
/* Path to pass as --console-socket, or NULL. */
const char *stdio_console_socket(const struct stdio *io);
/* After the runtime succeeded: drop the container's ends, take the pty
 * master, start copying. */
int stdio_started(struct stdio *io, cleat_error_t *err);
/* CloseIO: release the held stdin writer so stdin reaches EOF. */
void stdio_close_stdin(struct stdio *io);
int stdio_resize(struct stdio *io, uint32_t width, uint32_t height, cleat_error_t *err);
/* True once every output stream reached EOF. */
bool stdio_drained(const struct stdio *io);
/* fn runs once when the output is drained (at once if it already is). */
void stdio_on_drained(struct stdio *io, void (*fn)(void *data), void *data);
/* Stop copying output and close the output fifos (after exit + drain). */
void stdio_close_output(struct stdio *io);
/* Close everything; a logger gets SIGTERM, then SIGKILL 12 s later. */
void stdio_free(struct stdio *io);

#endif
