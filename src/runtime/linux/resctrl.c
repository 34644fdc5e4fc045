/* linux.intelRdt: CLOS and monitoring groups in resctrl (see resctrl.h). */
#include "config.h"
#include "runtime/linux/resctrl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"

#define RESCTRL_DEFAULT "/sys/fs/resctrl"
#define RDTGROUP_SUPER_MAGIC 0x7655821

static bool kernel_has_resctrl(void)
{
	_cleanup_free_ char *fs = NULL;
	_cleanup_error_ cleat_error_t e = NULL;
	size_t len;
	return read_file("/proc/filesystems", &fs, &len, &e) == 0 && strstr(fs, "\tresctrl\n");
}

int cleat_resctrl_root(char **root, cleat_error_t *err)
{
	struct statfs st;
	if (statfs(RESCTRL_DEFAULT, &st) == 0 && st.f_type == RDTGROUP_SUPER_MAGIC) {
		*root = xstrdup(RESCTRL_DEFAULT);
		return 0;
	}
	/* mounted elsewhere: field 9 of mountinfo is the filesystem type */
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	while (f && fgets(line, sizeof line, f)) {
		char mnt[4096], type[64];
		const char *sep = strstr(line, " - ");
		if (sep && sscanf(sep, " - %63s", type) == 1 && strcmp(type, "resctrl") == 0 &&
		    sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1) {
			*root = xstrdup(mnt);
			return 0;
		}
	}
	if (!kernel_has_resctrl())
		return cleat_error_msg(err,
				       "linux.intelRdt: Intel RDT is not available: the kernel "
				       "has no resctrl filesystem (not in /proc/filesystems)");
	return cleat_error_msg(
		err, "linux.intelRdt: Intel RDT is not available: no resctrl "
		     "filesystem is mounted (mount -t resctrl resctrl " RESCTRL_DEFAULT ")");
}

char *cleat_resctrl_group(const char *root, const struct oci_intel_rdt *rdt, const char *id)
{
	const char *clos = rdt->clos_id ? rdt->clos_id : id;
	if (strcmp(clos, "/") == 0)
		return xstrdup(root);
	return xasprintf("%s/%s", root, clos);
}

/* Writes to resctrl files fail with EINVAL and a reason in info/last_cmd_status. */
static int resctrl_write(const char *root, const char *path, const char *text, cleat_error_t *err)
{
	_cleanup_error_ cleat_error_t e = NULL;
	if (write_file(path, text, strlen(text), 0600, &e) == 0)
		return 0;
	_cleanup_free_ char *status_path = xasprintf("%s/info/last_cmd_status", root);
	_cleanup_free_ char *status = NULL;
	_cleanup_error_ cleat_error_t e2 = NULL;
	size_t len;
	if (read_file(status_path, &status, &len, &e2) == 0) {
		while (len > 0 && status[len - 1] == '\n')
			status[--len] = '\0';
		return cleat_error_msg(err, "linux.intelRdt: %s, last_cmd_status: %s", e->msg,
				       status);
	}
	return cleat_error_msg(err, "linux.intelRdt: %s", e->msg);
}

/* l3CacheSchema first, memBwSchema, then the schemata lines: one write (none
 * when all are empty). */
static int write_schemata(const char *root, const char *group, const struct oci_intel_rdt *rdt,
			  cleat_error_t *err)
{
	_cleanup_free_ char *text = xstrdup("");
	for (size_t i = 0; i < 2 + rdt->n_schemata; i++) {
		const char *line = i == 0   ? rdt->l3_cache_schema
				   : i == 1 ? rdt->mem_bw_schema
					    : rdt->schemata[i - 2];
		if (!line || !*line)
			continue;
		char *t = xasprintf("%s%s\n", text, line);
		free(text);
		text = t;
	}
	if (!*text)
		return 0;
	_cleanup_free_ char *path = xasprintf("%s/schemata", group);
	return resctrl_write(root, path, text, err);
}

static int add_task(const char *root, const char *dir, pid_t pid, cleat_error_t *err)
{
	_cleanup_free_ char *path = xasprintf("%s/tasks", dir);
	char buf[24];
	snprintf(buf, sizeof buf, "%d", (int) pid);
	return resctrl_write(root, path, buf, err);
}

/* A monitoring group of the container's own: enableMonitoring (1.3), or the pre-1.3
 * enableCMT / enableMBM, which asked for the same per-container monitoring data. */
static bool wants_monitoring(const struct oci_intel_rdt *rdt)
{
	return rdt->enable_monitoring || rdt->enable_cmt || rdt->enable_mbm;
}

int cleat_resctrl_apply(const char *root, const struct oci_intel_rdt *rdt, const char *id,
			pid_t pid, bool *created, cleat_error_t *err)
{
	*created = false;
	_cleanup_free_ char *group = cleat_resctrl_group(root, rdt, id);
	bool any_schema = rdt->l3_cache_schema || rdt->mem_bw_schema || rdt->n_schemata > 0;
	if (rdt->clos_id && !any_schema && access(group, F_OK) < 0)
		return cleat_error_errno(err, errno,
					 "linux.intelRdt.closID: CLOS \"%s\" must exist when no "
					 "schemata are given (%s)",
					 rdt->clos_id, group);
	if (mkdir(group, 0755) == 0)
		*created = true;
	else if (errno != EEXIST)
		return cleat_error_errno(err, errno, "linux.intelRdt: mkdir %s", group);
	if (write_schemata(root, group, rdt, err) < 0 || add_task(root, group, pid, err) < 0)
		goto fail;
	if (wants_monitoring(rdt)) {
		_cleanup_free_ char *mon = xasprintf("%s/mon_groups/%s", group, id);
		if (mkdir(mon, 0755) < 0 && errno != EEXIST) {
			cleat_error_errno(err, errno, "linux.intelRdt.enableMonitoring: mkdir %s",
					  mon);
			goto fail;
		}
		if (add_task(root, mon, pid, err) < 0)
			goto fail;
	}
	return 0;
fail:;
	_cleanup_error_ cleat_error_t e = NULL;
	cleat_resctrl_remove(root, rdt, id, *created, &e);
	*created = false;
	return -1;
}

static bool has_info(const char *root, const char *feature)
{
	_cleanup_free_ char *path = xasprintf("%s/info/%s", root, feature);
	return access(path, F_OK) == 0;
}

int cleat_resctrl_update_check(const char *root, const struct oci_intel_rdt *rdt, const char *l3,
			       const char *mb, cleat_error_t *err)
{
	if (l3 && *l3 && !(root && has_info(root, "L3")))
		return cleat_error_msg(err, "Intel RDT/CAT: l3 cache schema is not enabled");
	if (mb && *mb && !(root && has_info(root, "MB")))
		return cleat_error_msg(err,
				       "Intel RDT/MBA: memory bandwidth schema is not enabled");
	if (((l3 && *l3) || (mb && *mb)) && !rdt)
		return cleat_error_msg(
			err, "updating a non-existent Intel RDT configuration is not supported");
	return 0;
}

static void set_line(char **field, const char *value)
{
	if (value && *value) {
		free(*field);
		*field = xstrdup(value);
	}
}

int cleat_resctrl_update(const char *root, struct oci_intel_rdt *rdt, const char *id,
			 const char *l3, const char *mb, cleat_error_t *err)
{
	set_line(&rdt->l3_cache_schema, l3);
	set_line(&rdt->mem_bw_schema, mb);
	_cleanup_free_ char *group = cleat_resctrl_group(root, rdt, id);
	return write_schemata(root, group, rdt, err);
}

int cleat_resctrl_remove(const char *root, const struct oci_intel_rdt *rdt, const char *id,
			 bool created, cleat_error_t *err)
{
	_cleanup_free_ char *group = cleat_resctrl_group(root, rdt, id);
	/* with the group goes its mon_groups (resctrl removes them with it) */
	_cleanup_free_ char *dir = !rdt->clos_id && created ? xstrdup(group)
				   : wants_monitoring(rdt)
					   ? xasprintf("%s/mon_groups/%s", group, id)
					   : NULL;
	if (dir && rmdir(dir) < 0 && errno != ENOENT)
		return cleat_error_errno(err, errno, "linux.intelRdt: rmdir %s", dir);
	return 0;
}

int cleat_resctrl_cleanup(int state_dir_fd, const struct oci_intel_rdt *rdt, const char *id,
			  cleat_error_t *err)
{
	if (!rdt)
		return 0;
	_cleanup_free_ char *root = NULL;
	if (cleat_resctrl_root(&root, err) < 0) {
		cleat_warn("%s", (*err)->msg);
		cleat_error_free(err);
		return 0;
	}
	bool created = faccessat(state_dir_fd, CLEAT_RESCTRL_CREATED, F_OK, 0) == 0;
	return cleat_resctrl_remove(root, rdt, id, created, err);
}
