/* runc's checkpoint/restore flags as criu_opts fields of criu's RPC: each boolean
 * flag sets its field (and only it), the cgroups modes map to criu's enum, the
 * image and work directories travel as fds, and the request survives packing. */
#include "config.h"

#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/criu/criu_args.h"
#include "test-runtime-tap.h"

/* The request for o, packed and unpacked as criu reads it (NULL on failure). */
static CriuReq *round_trip(const struct cleat_criu_opts *o, const struct cleat_criu_dirs *d,
			   char **log_path)
{
	struct cleat_criu_req r;
	struct cleat_criu_cmd c;
	cleat_criu_req_init(&r, CRIU_REQ_TYPE__DUMP);
	cleat_criu_cmd_init(&c);
	cleat_error_t err = NULL;
	CriuReq *out = NULL;
	if (cleat_criu_common_opts(&r, &c, d, "dump.log", o, &err) == 0) {
		size_t len = criu_req__get_packed_size(&r.req);
		uint8_t *buf = malloc(len + 1);
		criu_req__pack(&r.req, buf);
		out = criu_req__unpack(NULL, len, buf);
		free(buf);
	} else {
		printf("# %s\n", err->msg);
		cleat_error_free(&err);
	}
	*log_path = c.log_path ? strdup(c.log_path) : NULL;
	cleat_criu_cmd_free(&c);
	cleat_criu_req_free(&r);
	return out;
}

static int n_true(const CriuOpts *q)
{
	return q->tcp_established + q->ext_unix_sk + q->shell_job + q->file_locks + q->auto_dedup +
	       q->lazy_pages + q->tcp_skip_in_flight;
}

int main(void)
{
	char tmpl[] = "/tmp/test-criu-opts.XXXXXX";
	if (!mkdtemp(tmpl))
		return 1;
	char *work = NULL;
	if (asprintf(&work, "%s/work", tmpl) < 0 || mkdir(work, 0700) < 0)
		return 1;
	struct cleat_criu_dirs d = { .image = tmpl, .work = work };
	static const struct {
		const char *flag;
		size_t off, field;
	} flags[] = {
		{ "--tcp-established", offsetof(struct cleat_criu_opts, tcp_established),
		  offsetof(CriuOpts, tcp_established) },
		{ "--ext-unix-sk", offsetof(struct cleat_criu_opts, ext_unix_sk),
		  offsetof(CriuOpts, ext_unix_sk) },
		{ "--shell-job", offsetof(struct cleat_criu_opts, shell_job),
		  offsetof(CriuOpts, shell_job) },
		{ "--file-locks", offsetof(struct cleat_criu_opts, file_locks),
		  offsetof(CriuOpts, file_locks) },
		{ "--auto-dedup", offsetof(struct cleat_criu_opts, auto_dedup),
		  offsetof(CriuOpts, auto_dedup) },
		{ "--lazy-pages", offsetof(struct cleat_criu_opts, lazy_pages),
		  offsetof(CriuOpts, lazy_pages) },
		{ "--skip-in-flight", offsetof(struct cleat_criu_opts, tcp_skip_in_flight),
		  offsetof(CriuOpts, tcp_skip_in_flight) },
	};
	struct cleat_criu_opts o;
	char *log = NULL;

	cleat_criu_opts_init(&o);
	CriuReq *q = round_trip(&o, &d, &log);
	ok(q && q->opts, "no flags: the request packs and unpacks");
	if (!q || !q->opts)
		return tap_done();
	ok(n_true(q->opts) == 0, "no flags: no boolean option set");
	ok(q->opts->has_manage_cgroups_mode && q->opts->manage_cgroups_mode == CRIU_CG_MODE__SOFT,
	   "no --manage-cgroups-mode: soft, runc's default");
	ok(q->opts->link_remap && q->opts->notify_scripts && q->opts->log_level == 4,
	   "link_remap, notify_scripts and log level 4 always (as runc)");
	ok_str(q->opts->log_file, "dump.log", "the log file is named, relative to the work dir");
	char want_log[4200];
	snprintf(want_log, sizeof want_log, "%s/dump.log", work);
	ok_str(log, want_log, "the log path read for errors is in the work dir");
	ok(q->opts->images_dir_fd >= 0 && q->opts->has_work_dir_fd && q->opts->work_dir_fd >= 0 &&
		   q->opts->images_dir_fd != q->opts->work_dir_fd,
	   "images_dir_fd and work_dir_fd are set");
	ok(!q->opts->has_empty_ns, "no --empty-ns: empty_ns unset");
	criu_req__free_unpacked(q, NULL);
	free(log);

	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		cleat_criu_opts_init(&o);
		*(bool *) ((char *) &o + flags[i].off) = true;
		q = round_trip(&o, &d, &log);
		ok(q && *(protobuf_c_boolean *) ((char *) q->opts + flags[i].field) &&
			   n_true(q->opts) == 1,
		   "%s sets its criu_opts field and no other", flags[i].flag);
		if (q)
			criu_req__free_unpacked(q, NULL);
		free(log);
	}

	static const struct {
		const char *mode;
		CriuCgMode want;
	} modes[] = { { "soft", CRIU_CG_MODE__SOFT },
		      { "full", CRIU_CG_MODE__FULL },
		      { "strict", CRIU_CG_MODE__STRICT },
		      { "ignore", CRIU_CG_MODE__IGNORE } };
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		cleat_criu_opts_init(&o);
		o.manage_cgroups_mode = modes[i].mode;
		q = round_trip(&o, &d, &log);
		ok(q && q->opts->manage_cgroups && q->opts->has_manage_cgroups_mode &&
			   q->opts->manage_cgroups_mode == modes[i].want,
		   "--manage-cgroups-mode %s", modes[i].mode);
		if (q)
			criu_req__free_unpacked(q, NULL);
		free(log);
	}

	cleat_criu_opts_init(&o);
	o.empty_ns_net = true;
	q = round_trip(&o, &d, &log);
	ok(q && q->opts->has_empty_ns && q->opts->empty_ns == CLONE_NEWNET,
	   "--empty-ns network: empty_ns CLONE_NEWNET");
	if (q)
		criu_req__free_unpacked(q, NULL);
	free(log);

	struct cleat_criu_dirs missing = { .image = "/nonexistent/criu-image", .work = work };
	struct cleat_criu_req r;
	struct cleat_criu_cmd c;
	cleat_criu_req_init(&r, CRIU_REQ_TYPE__RESTORE);
	cleat_criu_cmd_init(&c);
	cleat_error_t err = NULL;
	cleat_criu_opts_init(&o);
	ok(cleat_criu_common_opts(&r, &c, &missing, "restore.log", &o, &err) < 0 && err &&
		   strstr(err->msg, "/nonexistent/criu-image"),
	   "a missing image directory is an error naming it");
	cleat_error_free(&err);
	cleat_criu_cmd_free(&c);
	cleat_criu_req_free(&r);

	rmdir(work);
	rmdir(tmpl);
	free(work);
	return tap_done();
}
