/* Unit tests: how linux.mountLabel becomes mount data (go-selinux's
 * FormatMountLabel, runc's choice of mounts) and how mount data is split for
 * fsconfig(2) when a quoted MLS label holds commas; the session keyring's
 * label (attr/keycreate) is only touched for a selinuxLabel. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "runtime/linux/lsm.h"
#include "security-tap.h"

static void expect_format(const char *data, const char *label, const char *want)
{
	char *got = cleat_lsm_format_mount_label(data, label);
	ok(strcmp(got, want) == 0, "format(%s%s%s, %s%s%s) = %s", data ? "\"" : "",
	   data ? data : "NULL", data ? "\"" : "", label ? "\"" : "", label ? label : "NULL",
	   label ? "\"" : "", want);
	if (strcmp(got, want) != 0)
		printf("#   got: %s\n", got);
	free(got);
}

static void test_format(void)
{
	expect_format("", "system_u:object_r:container_file_t:s0",
		      "context=\"system_u:object_r:container_file_t:s0\"");
	expect_format(NULL, "lbl", "context=\"lbl\"");
	expect_format(
		"mode=755,size=65536k", "system_u:object_r:container_file_t:s0:c1,c2",
		"mode=755,size=65536k,context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
	expect_format("mode=755", NULL, "mode=755");
	expect_format("mode=755", "", "mode=755");
	expect_format(NULL, NULL, "");
}

static void test_types(void)
{
	static const char *const labeled[] = { "tmpfs", "devpts", "overlay", "shm", "ramfs" };
	static const char *const unlabeled[] = { "proc",    "sysfs", "mqueue", "cgroup",
						 "cgroup2", "bind",  "",       NULL };
	for (size_t i = 0; i < sizeof(labeled) / sizeof(*labeled); i++)
		ok(cleat_lsm_mount_type_labeled(labeled[i]), "%s gets context=", labeled[i]);
	for (size_t i = 0; i < sizeof(unlabeled) / sizeof(*unlabeled); i++)
		ok(!cleat_lsm_mount_type_labeled(unlabeled[i]),
		   "%s gets no context=", unlabeled[i] ? unlabeled[i] : "NULL");
}

static void test_selinux_gate(void)
{
	/* This decides per host; both answers are checked against the detector. */
	bool on = cleat_lsm_selinux_enabled();
	char *d = cleat_lsm_fs_mount_data("tmpfs", "mode=755", "lbl");
	ok(strcmp(d, on ? "mode=755,context=\"lbl\"" : "mode=755") == 0,
	   "tmpfs data %s the label (SELinux %s)", on ? "has" : "lacks", on ? "on" : "off");
	free(d);
	d = cleat_lsm_fs_mount_data("proc", NULL, "lbl");
	ok(strcmp(d, "") == 0, "proc never gets the label");
	free(d);
	d = cleat_lsm_fs_mount_data("devpts", "newinstance", NULL);
	ok(strcmp(d, "newinstance") == 0, "no mountLabel: data unchanged");
	free(d);
	cleat_error_t err = NULL;
	ok(cleat_lsm_label_mount_root(-1, "tmpfs", "lbl", &err) == 0 && err == NULL,
	   "only mqueue is labelled by xattr");
	if (!on)
		ok(cleat_lsm_label_mount_root(-1, "mqueue", "lbl", &err) == 0 && err == NULL,
		   "no mqueue xattr without SELinux");
}

static void test_keycreate(void)
{
	cleat_error_t err = NULL;
	ok(cleat_lsm_set_keycreate_label(NULL, &err) == 0 && err == NULL,
	   "no selinuxLabel: the keyring label is left alone");
	ok(cleat_lsm_set_keycreate_label("", &err) == 0 && err == NULL,
	   "an empty selinuxLabel is no label");
	if (cleat_lsm_selinux_enabled()) {
		ok(1, "# SKIP SELinux is enabled here (tests/integration/selinux-vm covers it)");
		return;
	}
	/* Without SELinux the label is refused with runc's message, before any write. */
	ok(cleat_lsm_set_keycreate_label("system_u:system_r:svirt_t:s0", &err) < 0 &&
		   err_has(&err, "selinux is disabled"),
	   "a selinuxLabel without SELinux fails clearly");
}

/* Split `data` and join the options with '|' to compare in one string. */
static char *split(const char *data)
{
	char *copy = strdup(data), *cursor = copy, *opt;
	size_t cap = strlen(data) * 2 + 2;
	char *out = calloc(1, cap);
	bool first = true;
	while ((opt = cleat_lsm_mount_opt_next(&cursor)) != NULL) {
		if (!first)
			strcat(out, "|");
		strcat(out, opt);
		first = false;
	}
	free(copy);
	return out;
}

static void expect_split(const char *data, const char *want)
{
	char *got = split(data);
	ok(strcmp(got, want) == 0, "split '%s' -> '%s'", data, want);
	if (strcmp(got, want) != 0)
		printf("#   got: '%s'\n", got);
	free(got);
}

static void test_split(void)
{
	expect_split("mode=755,size=65536k", "mode=755|size=65536k");
	expect_split("mode=755,context=\"system_u:object_r:container_file_t:s0:c1,c2\"",
		     "mode=755|context=system_u:object_r:container_file_t:s0:c1,c2");
	expect_split("context=\"a,b\",ro", "context=a,b|ro");
	expect_split("nosuid", "nosuid");
	expect_split("", "");
	expect_split("a,,b,", "a||b|");
	char *null_cursor = NULL;
	ok(cleat_lsm_mount_opt_next(&null_cursor) == NULL, "a NULL cursor ends the split");
}

int main(void)
{
	test_format();
	test_types();
	test_selinux_gate();
	test_keycreate();
	test_split();
	return tap_done();
}
