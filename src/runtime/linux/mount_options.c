/* The table of mount options (mount(8) names plus the OCI extensions) and
 * its parser.  Semantics follow runc's so the same config.json yields the
 * same mount table: a later option overrides an earlier one ("ro,rw" is rw),
 * unknown words are fs data in their original order. */
#include "config.h"
#include "runtime/linux/mount_options.h"

#include <fcntl.h>
#include <string.h>

#include "common/mount_flags.h"
#include "common/util.h"

struct attr_option {
	const char *name;
	bool clear;
	uint64_t attr; /* MOUNT_ATTR_* */
	bool atime; /* a value of the MOUNT_ATTR__ATIME enum, not a bit */
};

static const struct attr_option attr_options[] = {
	{ "rro", false, MOUNT_ATTR_RDONLY, false },
	{ "rrw", true, MOUNT_ATTR_RDONLY, false },
	{ "rnosuid", false, MOUNT_ATTR_NOSUID, false },
	{ "rsuid", true, MOUNT_ATTR_NOSUID, false },
	{ "rnodev", false, MOUNT_ATTR_NODEV, false },
	{ "rdev", true, MOUNT_ATTR_NODEV, false },
	{ "rnoexec", false, MOUNT_ATTR_NOEXEC, false },
	{ "rexec", true, MOUNT_ATTR_NOEXEC, false },
	{ "rnodiratime", false, MOUNT_ATTR_NODIRATIME, false },
	{ "rdiratime", true, MOUNT_ATTR_NODIRATIME, false },
	{ "rrelatime", false, MOUNT_ATTR_RELATIME, true },
	{ "rnorelatime", true, MOUNT_ATTR_RELATIME, true },
	{ "rnoatime", false, MOUNT_ATTR_NOATIME, true },
	{ "ratime", true, MOUNT_ATTR_NOATIME, true },
	{ "rstrictatime", false, MOUNT_ATTR_STRICTATIME, true },
	{ "rnostrictatime", true, MOUNT_ATTR_STRICTATIME, true },
	{ "rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW, false },
	{ "rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW, false },
};

static const struct {
	const char *name;
	unsigned long flag;
} propagation_options[] = {
	{ "private", MS_PRIVATE },
	{ "shared", MS_SHARED },
	{ "slave", MS_SLAVE },
	{ "unbindable", MS_UNBINDABLE },
	{ "rprivate", MS_PRIVATE | MS_REC },
	{ "rshared", MS_SHARED | MS_REC },
	{ "rslave", MS_SLAVE | MS_REC },
	{ "runbindable", MS_UNBINDABLE | MS_REC },
};

unsigned long cleat_mount_propagation_flag(const char *word)
{
	for (size_t i = 0; i < ARRAY_SIZE(propagation_options); i++)
		if (strcmp(word, propagation_options[i].name) == 0)
			return propagation_options[i].flag;
	return 0;
}

static const struct attr_option *find_attr(const char *word)
{
	for (size_t i = 0; i < ARRAY_SIZE(attr_options); i++)
		if (strcmp(word, attr_options[i].name) == 0)
			return &attr_options[i];
	return NULL;
}

static void apply_attr(struct cleat_mount_flags *f, const struct attr_option *a)
{
	if (!a->atime) {
		if (a->clear) {
			f->rec_attr_clr |= a->attr;
			f->rec_attr_set &= ~a->attr;
		} else {
			f->rec_attr_set |= a->attr;
			f->rec_attr_clr &= ~a->attr;
		}
		return;
	}
	/* The atime values are an enum: the kernel wants the whole mask in
	 * attr_clr whenever it changes, and clearing one setting means going
	 * back to the default, relatime. */
	f->rec_attr_clr |= MOUNT_ATTR__ATIME;
	if (a->clear) {
		if ((f->rec_attr_set & MOUNT_ATTR__ATIME) == a->attr)
			f->rec_attr_set &= ~(uint64_t) MOUNT_ATTR__ATIME;
	} else {
		f->rec_attr_set = (f->rec_attr_set & ~(uint64_t) MOUNT_ATTR__ATIME) | a->attr;
	}
}

static void append_data(char **data, const char *word)
{
	if (*data == NULL) {
		*data = xstrdup(word);
		return;
	}
	char *n = xasprintf("%s,%s", *data, word);
	free(*data);
	*data = n;
}

int cleat_mount_options_parse(char *const *options, size_t n, struct cleat_mount_flags *out,
			      cleat_error_t *err)
{
	struct cleat_mount_flags f = { 0 };

	for (size_t i = 0; i < n; i++) {
		const char *w = options[i];
		const struct cleat_mount_flag *m;
		const struct attr_option *a;
		unsigned long prop;

		if ((m = cleat_mount_flag_find(w, true)) != NULL) {
			if (m->clear) {
				f.flags &= ~m->flag;
				f.cleared |= m->flag;
			} else {
				f.flags |= m->flag;
				f.cleared &= ~m->flag;
			}
		} else if ((a = find_attr(w)) != NULL) {
			apply_attr(&f, a);
		} else if ((prop = cleat_mount_propagation_flag(w)) != 0) {
			if (f.n_propagation == CLEAT_MAX_PROPAGATION) {
				cleat_mount_flags_free(&f);
				return cleat_error_msg(err,
						       "too many propagation options (at most %d)",
						       CLEAT_MAX_PROPAGATION);
			}
			f.propagation[f.n_propagation++] = prop;
		} else if (strcmp(w, "idmap") == 0) {
			f.idmap = true;
		} else if (strcmp(w, "ridmap") == 0) {
			f.ridmap = true;
		} else if (strcmp(w, "tmpcopyup") == 0) {
			f.tmpcopyup = true;
		} else if (*w != '\0') {
			append_data(&f.data, w);
		}
	}
	*out = f;
	return 0;
}

void cleat_mount_flags_free(struct cleat_mount_flags *f)
{
	free(f->data);
	f->data = NULL;
}

uint64_t cleat_mount_ms_to_attr(unsigned long ms)
{
	uint64_t a = 0;
	if (ms & MS_RDONLY)
		a |= MOUNT_ATTR_RDONLY;
	if (ms & MS_NOSUID)
		a |= MOUNT_ATTR_NOSUID;
	if (ms & MS_NODEV)
		a |= MOUNT_ATTR_NODEV;
	if (ms & MS_NOEXEC)
		a |= MOUNT_ATTR_NOEXEC;
	if (ms & MS_NODIRATIME)
		a |= MOUNT_ATTR_NODIRATIME;
	if (ms & MS_NOSYMFOLLOW)
		a |= MOUNT_ATTR_NOSYMFOLLOW;
	/* Same precedence as mount(2): strictatime beats noatime. */
	if (ms & MS_STRICTATIME)
		a |= MOUNT_ATTR_STRICTATIME;
	else if (ms & MS_NOATIME)
		a |= MOUNT_ATTR_NOATIME;
	return a;
}

bool cleat_mount_data_has(const char *data, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = data; p != NULL && *p != '\0';) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t) (end - p) : strlen(p);
		if (len >= kl && strncmp(p, key, kl) == 0 && (len == kl || p[kl] == '='))
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}
