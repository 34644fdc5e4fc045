/* The systemd driver: the container's cgroup is a transient scope unit
 * (Delegate=yes, so we may write its files), created and stopped over D-Bus
 * with sd-bus.  libsystemd is loaded on first use: linked, it (and libgcrypt,
 * lz4, zstd, lzma it links) would cost every cleat command its loading time.  Resources go both into unit properties (so a daemon-reload
 * keeps them) and, through the cgroupfs code, into the files directly. */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>

#include "common/util.h"
#include "runtime/cgroups/internal.h"

/* clang-format reflows this list differently on every pass. */
// clang-format off
#define SD_SYMS(X) \
	X(sd_bus_new) \
	X(sd_bus_set_address) \
	X(sd_bus_start) \
	X(sd_bus_unref) \
	X(sd_bus_open_system) \
	X(sd_bus_flush_close_unref) \
	X(sd_bus_message_unref) \
	X(sd_bus_message_append) \
	X(sd_bus_message_append_array) \
	X(sd_bus_message_open_container) \
	X(sd_bus_message_close_container) \
	X(sd_bus_message_new_method_call) \
	X(sd_bus_call) \
	X(sd_bus_call_method) \
	X(sd_bus_error_free) \
	X(sd_bus_error_has_name)
// clang-format on

static struct {
#define X(f) __typeof__(f) *f;
	SD_SYMS(X)
#undef X
} sdl;

bool cleat_glibc_banner_matches(const char *buf, size_t len, const char *version)
{
	static const char tag[] = "release version ";
	size_t n = strlen(version);
	for (const char *v = buf; (v = memmem(v, len - (size_t) (v - buf), tag, sizeof tag - 1));) {
		v += sizeof tag - 1;
		if ((size_t) (buf + len - v) > n && strncmp(v, version, n) == 0 &&
		    (v[n] == '.' || v[n] == ' ' || v[n] == '\n' || v[n] == '\0'))
			return true;
	}
	return false;
}

#ifdef CLEAT_STATIC_GLIBC
#include <gnu/libc-version.h>

/* This cleat carries its own glibc (a static PIE, configure.ac): dlopen brings in the
 * system's libc.so.6 for libsystemd, which works only when it is the same release as
 * ours. */
static int check_shared_glibc(cleat_error_t *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	if (read_file(CLEAT_SHARED_LIBC, &buf, &len, err) < 0)
		return cleat_error_wrap(err, "systemd cgroup driver");
	if (cleat_glibc_banner_matches(buf, len, gnu_get_libc_version()))
		return 0;
	return cleat_error_msg(
		err,
		"systemd cgroup driver: cleat is linked statically with glibc %s and "
		"cannot load libsystemd with \"%s\" of another release: rebuild cleat "
		"(or configure it with --disable-static-libs)",
		gnu_get_libc_version(), CLEAT_SHARED_LIBC);
}
#endif

static int sd_load(cleat_error_t *err)
{
	static void *lib;
	if (lib)
		return 0;
#ifdef CLEAT_STATIC_GLIBC
	if (check_shared_glibc(err) < 0)
		return -1;
#endif
	void *h = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return cleat_error_msg(err, "systemd cgroup driver: %s", dlerror());
#define X(f)                                                                                \
	if (!(sdl.f = (__typeof__(sdl.f)) dlsym(h, #f))) {                                  \
		dlclose(h);                                                                 \
		return cleat_error_msg(err, "systemd cgroup driver: libsystemd lacks " #f); \
	}
	SD_SYMS(X)
#undef X
	lib = h;
	return 0;
}

static void busp(sd_bus **b)
{
	if (*b)
		sdl.sd_bus_flush_close_unref(*b);
}
static void msgp(sd_bus_message **m)
{
	if (*m)
		sdl.sd_bus_message_unref(*m);
}
#define _cleanup_bus_ __attribute__((cleanup(busp)))
#define _cleanup_msg_ __attribute__((cleanup(msgp)))

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MGR "org.freedesktop.systemd1.Manager"

static int bus_open(sd_bus **out, cleat_error_t *err)
{
	/* systemd's private socket works without a dbus-daemon (minimal
	 * systems have none); fall back to the system bus. */
	if (sd_load(err) < 0)
		return -1;
	sd_bus *b = NULL;
	int r = sdl.sd_bus_new(&b);
	if (r >= 0)
		r = sdl.sd_bus_set_address(b, "unix:path=/run/systemd/private");
	if (r >= 0)
		r = sdl.sd_bus_start(b);
	if (r >= 0) {
		*out = b;
		return 0;
	}
	sdl.sd_bus_unref(b);
	b = NULL;
	r = sdl.sd_bus_open_system(&b);
	if (r < 0)
		return cleat_error_errno(err, -r, "connect to systemd (is systemd PID 1?)");
	*out = b;
	return 0;
}

static int append_props(sd_bus_message *m, const struct cg_unit_prop *p, size_t n)
{
	int r = 0;
	for (size_t i = 0; i < n && r >= 0; i++) {
		switch (p[i].type) {
		case 't': r = sdl.sd_bus_message_append(m, "(sv)", p[i].name, "t", p[i].u); break;
		case 'b':
			r = sdl.sd_bus_message_append(m, "(sv)", p[i].name, "b", (int) p[i].u);
			break;
		case 's': r = sdl.sd_bus_message_append(m, "(sv)", p[i].name, "s", p[i].s); break;
		case 'A':
			r = sdl.sd_bus_message_open_container(m, 'r', "sv");
			if (r >= 0)
				r = sdl.sd_bus_message_append(m, "s", p[i].name);
			if (r >= 0)
				r = sdl.sd_bus_message_open_container(m, 'v', "a(ss)");
			if (r >= 0)
				r = sdl.sd_bus_message_open_container(m, 'a', "(ss)");
			for (size_t j = 0; r >= 0 && j + 1 < p[i].n_pairs; j += 2)
				r = sdl.sd_bus_message_append(m, "(ss)", p[i].pairs[j],
							      p[i].pairs[j + 1]);
			for (int k = 0; k < 3 && r >= 0; k++)
				r = sdl.sd_bus_message_close_container(m);
			break;
		case 'y':
			r = sdl.sd_bus_message_open_container(m, 'r', "sv");
			if (r >= 0)
				r = sdl.sd_bus_message_append(m, "s", p[i].name);
			if (r >= 0)
				r = sdl.sd_bus_message_open_container(m, 'v', "ay");
			if (r >= 0)
				r = sdl.sd_bus_message_append_array(m, 'y', p[i].bytes,
								    p[i].n_bytes);
			if (r >= 0)
				r = sdl.sd_bus_message_close_container(m);
			if (r >= 0)
				r = sdl.sd_bus_message_close_container(m);
			break;
		}
	}
	return r;
}

static int call(sd_bus *b, sd_bus_message *m, const char *what, cleat_error_t *err)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	_cleanup_msg_ sd_bus_message *reply = NULL;
	int r = sdl.sd_bus_call(b, m, 30 * 1000000ULL, &e, &reply);
	if (r < 0) {
		cleat_error_errno(err, -r, "systemd %s: %s", what,
				  e.message ? e.message
				  : e.name  ? e.name
					    : "");
		sdl.sd_bus_error_free(&e);
		return -1;
	}
	return 0;
}

static bool pid_in_unit(pid_t pid, const char *unit)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/cgroup", (int) pid);
	_cleanup_free_ char *s = NULL;
	_cleanup_error_ cleat_error_t e = NULL;
	if (read_file(path, &s, NULL, &e) < 0)
		return false;
	_cleanup_free_ char *needle = xasprintf("/%s\n", unit);
	return strstr(s, needle) != NULL;
}

/* The device rules as unit properties too, so a daemon-reload (which makes
 * systemd rewrite the unit's cgroup) keeps them, as runc does. */
static int device_props(const struct cleat_cgroup_opts *o, struct cg_unit_prop **props, size_t *np,
			cleat_error_t *err)
{
	_cleanup_free_ struct cg_dev_rule *rules = NULL;
	size_t n;
	if (cg_dev_rules_build(o->resources, o->config, true, &rules, &n, err) < 0)
		return -1;
	struct cg_dev_emu e = { .default_allow = true };
	for (size_t i = 0; i < n; i++)
		cg_dev_emu_apply(&e, &rules[i]);
	_cleanup_free_ char *devs = NULL;
	_cleanup_error_ cleat_error_t e2 = NULL;
	if (read_file("/proc/devices", &devs, NULL, &e2) < 0)
		devs = xstrdup("");
	cg_systemd_device_props(&e, devs, props, np);
	cg_dev_emu_free(&e);
	return 0;
}

int cg_systemd_start(struct cleat_cgroup *cg, const struct cleat_cgroup_opts *o, pid_t pid,
		     cleat_error_t *err)
{
	_cleanup_bus_ sd_bus *b = NULL;
	if (bus_open(&b, err) < 0)
		return -1;
	struct cg_unit_prop *props = NULL;
	size_t np = 0;
	if (cg_systemd_props(o->resources, cg->mode == CLEAT_CGROUP_V2, &props, &np, err) < 0)
		return -1;
	if (device_props(o, &props, &np, err) < 0) {
		cg_unit_props_free(props, np);
		return -1;
	}
	_cleanup_msg_ sd_bus_message *m = NULL;
	_cleanup_free_ char *desc = xasprintf("cleat container %s", o->id);
	bool v2 = cg->mode == CLEAT_CGROUP_V2;
	int r = sdl.sd_bus_message_new_method_call(b, &m, SD_DEST, SD_PATH, SD_MGR,
						   "StartTransientUnit");
	if (r >= 0)
		r = sdl.sd_bus_message_append(m, "ss", cg->unit, "replace");
	if (r >= 0)
		r = sdl.sd_bus_message_open_container(m, 'a', "(sv)");
	if (r >= 0)
		r = sdl.sd_bus_message_append(m, "(sv)(sv)(sv)(sv)(sv)(sv)(sv)", "Description", "s",
					      desc, "Slice", "s", cg->slice, "Delegate", "b", 1,
					      "MemoryAccounting", "b", 1, "CPUAccounting", "b", 1,
					      v2 ? "IOAccounting" : "BlockIOAccounting", "b", 1,
					      "TasksAccounting", "b", 1);
	if (r >= 0)
		r = sdl.sd_bus_message_append(m, "(sv)", "DefaultDependencies", "b", 0);
	if (r >= 0 && pid > 0)
		r = sdl.sd_bus_message_append(m, "(sv)", "PIDs", "au", 1, (uint32_t) pid);
	if (r >= 0)
		r = append_props(m, props, np);
	cg_unit_props_free(props, np);
	if (r >= 0)
		r = sdl.sd_bus_message_close_container(m);
	if (r >= 0)
		r = sdl.sd_bus_message_append(m, "a(sa(sv))", 0);
	if (r < 0)
		return cleat_error_errno(err, -r, "build the StartTransientUnit message");
	if (call(b, m, "StartTransientUnit", err) < 0)
		return cleat_error_wrap(err, "start unit \"%s\"", cg->unit);
	/* The job runs asynchronously: wait until the scope holds the pid. */
	for (int i = 0; pid > 0 && i < 3000; i++) {
		if (pid_in_unit(pid, cg->unit))
			return 0;
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	if (pid > 0)
		return cleat_error_msg(err, "timeout waiting for systemd to create \"%s\"",
				       cg->unit);
	return 0;
}

int cg_systemd_update(struct cleat_cgroup *cg, const struct oci_resources *r, cleat_error_t *err)
{
	struct cg_unit_prop *props = NULL;
	size_t np = 0;
	if (cg_systemd_props(r, cg->mode == CLEAT_CGROUP_V2, &props, &np, err) < 0)
		return -1;
	if (np == 0)
		return 0;
	_cleanup_bus_ sd_bus *b = NULL;
	if (bus_open(&b, err) < 0) {
		cg_unit_props_free(props, np);
		return -1;
	}
	_cleanup_msg_ sd_bus_message *m = NULL;
	int rc = sdl.sd_bus_message_new_method_call(b, &m, SD_DEST, SD_PATH, SD_MGR,
						    "SetUnitProperties");
	if (rc >= 0)
		rc = sdl.sd_bus_message_append(m, "sb", cg->unit, 1);
	if (rc >= 0)
		rc = sdl.sd_bus_message_open_container(m, 'a', "(sv)");
	if (rc >= 0)
		rc = append_props(m, props, np);
	if (rc >= 0)
		rc = sdl.sd_bus_message_close_container(m);
	cg_unit_props_free(props, np);
	if (rc < 0)
		return cleat_error_errno(err, -rc, "build the SetUnitProperties message");
	return call(b, m, "SetUnitProperties", err);
}

int cg_systemd_attach(struct cleat_cgroup *cg, pid_t pid, cleat_error_t *err)
{
	_cleanup_bus_ sd_bus *b = NULL;
	if (bus_open(&b, err) < 0)
		return -1;
	_cleanup_msg_ sd_bus_message *m = NULL;
	uint32_t p = (uint32_t) pid;
	int rc = sdl.sd_bus_message_new_method_call(b, &m, SD_DEST, SD_PATH, SD_MGR,
						    "AttachProcessesToUnit");
	/* "/": the unit's own cgroup. */
	if (rc >= 0)
		rc = sdl.sd_bus_message_append(m, "ss", cg->unit, "/");
	if (rc >= 0)
		rc = sdl.sd_bus_message_append_array(m, 'u', &p, sizeof p);
	if (rc < 0)
		return cleat_error_errno(err, -rc, "build the AttachProcessesToUnit message");
	return call(b, m, "AttachProcessesToUnit", err);
}

int cg_systemd_stop(struct cleat_cgroup *cg, cleat_error_t *err)
{
	if (!cg->unit)
		return 0;
	_cleanup_bus_ sd_bus *b = NULL;
	if (bus_open(&b, err) < 0)
		return -1;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	_cleanup_msg_ sd_bus_message *reply = NULL;
	int r = sdl.sd_bus_call_method(b, SD_DEST, SD_PATH, SD_MGR, "StopUnit", &e, &reply, "ss",
				       cg->unit, "replace");
	if (r < 0 && !sdl.sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit")) {
		cleat_error_errno(err, -r, "systemd StopUnit \"%s\": %s", cg->unit,
				  e.message ? e.message : "");
		sdl.sd_bus_error_free(&e);
		return -1;
	}
	sdl.sd_bus_error_free(&e);
	/* A failed scope lingers until reset; don't let it block the name. */
	_cleanup_msg_ sd_bus_message *r2 = NULL;
	sdl.sd_bus_call_method(b, SD_DEST, SD_PATH, SD_MGR, "ResetFailedUnit", &e, &r2, "s",
			       cg->unit);
	sdl.sd_bus_error_free(&e);
	return 0;
}
