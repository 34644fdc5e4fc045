/* criu's RPC: `criu swrk <fd>` on one end of a SOCK_SEQPACKET socketpair, as
 * libcriu and runc run it.  cleat sends one request (criu_req with criu_opts
 * from criu's rpc.proto) and answers the notifications criu sends while it
 * works, which the command line cannot deliver: "setup-namespaces" (the
 * restored tree's namespaces exist, its processes not yet resumed: runc runs
 * the prestart and createRuntime hooks there), "orphan-pts-master" (the master
 * of a pty criu made for a terminal whose master was outside the image, as an
 * SCM_RIGHTS fd) and "post-restore" (the restored init's pid). */
#ifndef CLEAT_RUNTIME_CRIU_RPC_H
#define CLEAT_RUNTIME_CRIU_RPC_H

#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"
#include "rpc.pb-c.h"
#include "runtime/criu/criu_run.h"

/* A request and everything it points to (strings, repeated fields), owned here. */
struct cleat_criu_req {
	CriuReq req;
	CriuOpts opts;
	/* The image and work directories of opts (criu opens them through /proc/<us>/fd). */
	int dir_fds[2];
	void **owned;
	size_t n_owned;
};

void cleat_criu_req_init(struct cleat_criu_req *r, CriuReqType type);
void cleat_criu_req_free(struct cleat_criu_req *r);
/* p, which the request now owns (freed with it). */
void *cleat_criu_req_own(struct cleat_criu_req *r, void *p);
/* A string the request owns. */
char *cleat_criu_req_str(struct cleat_criu_req *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* opts.external += the formatted string ("mnt[key]:value", "net[ino]:key"). */
void cleat_criu_req_external(struct cleat_criu_req *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* opts.inherit_fd += {key, fd}: criu's fd (the same number in criu, see keep) is
 * what the image calls key ("pipe:[123]", "extRootNetNS"). */
void cleat_criu_req_inherit_fd(struct cleat_criu_req *r, const char *key, int fd);

struct cleat_criu_notify {
	/* "setup-namespaces", pid: the restored init (a host pid). */
	int (*setup_namespaces)(void *data, pid_t pid, cleat_error_t *err);
	/* "orphan-pts-master": master is closed after the call. */
	int (*orphan_pts_master)(void *data, int master, cleat_error_t *err);
	/* "status-ready": the page server or lazy-pages daemon listens. */
	int (*status_ready)(void *data, cleat_error_t *err);
	void *data;
};

/* Run `criu swrk` (c->argv is set here; c's stdio, kept fds and cgroup as
 * cleat_criu_spawn takes them), send the request (with opts.cg_root from criu's
 * /proc/<pid>/cgroup when c->cgroup is set), answer the notifications until
 * the final response, wait for criu.  pid, when not NULL (restore), gets the
 * restored init.  A failure of criu names `criu check`'s output or criu's
 * errors (cleat_criu_failed); a failing callback's error is returned as it is. */
int cleat_criu_swrk(const char *criu, struct cleat_criu_cmd *c, struct cleat_criu_req *r,
		    const char *action, const struct cleat_criu_notify *n, pid_t *pid,
		    cleat_error_t *err);

#endif
