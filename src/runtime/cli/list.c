#include "config.h"
#include "runtime/cli/cli.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/passwd.h"
#include "common/util.h"
#include "runtime/container.h"

/* Go's text/tabwriter as runc configures it (minwidth 12, padding 3): every
 * tab-terminated cell is padded to its column's width; the last is not. */
#define NCOLS 6
struct table {
	char **cells; /* rows * NCOLS */
	size_t rows;
};

static void table_add(struct table *t, char *cols[NCOLS])
{
	t->cells = xrealloc(t->cells, (t->rows + 1) * NCOLS * sizeof(char *));
	for (int i = 0; i < NCOLS; i++)
		t->cells[t->rows * NCOLS + i] = cols[i];
	t->rows++;
}

static void table_print(struct table *t)
{
	size_t width[NCOLS] = { 0 };
	for (size_t r = 0; r < t->rows; r++)
		for (int i = 0; i < NCOLS - 1; i++) {
			size_t w = strlen(t->cells[r * NCOLS + i]) + 3;
			if (w > width[i])
				width[i] = w;
		}
	for (int i = 0; i < NCOLS - 1; i++)
		if (width[i] < 12)
			width[i] = 12;
	for (size_t r = 0; r < t->rows; r++) {
		for (int i = 0; i < NCOLS - 1; i++)
			printf("%-*s", (int) width[i], t->cells[r * NCOLS + i]);
		printf("%s\n", t->cells[r * NCOLS + NCOLS - 1]);
	}
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->rows * NCOLS; i++)
		free(t->cells[i]);
	free(t->cells);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Sorted container ids under root.  As runc 1.5: a missing default root lists
 * nothing (no container made yet), a missing --root is an error. */
static int list_ids(const char *root, bool root_set, char ***ids, size_t *n, cleat_error_t *err)
{
	*ids = NULL;
	*n = 0;
	_cleanup_closedir_ DIR *d = opendir(root);
	if (d == NULL) {
		if (errno == ENOENT && !root_set)
			return 0;
		return cleat_error_errno(err, errno, "open root \"%s\"", root);
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		*ids = xrealloc(*ids, (*n + 2) * sizeof(char *));
		(*ids)[(*n)++] = xstrdup(de->d_name);
		(*ids)[*n] = NULL;
	}
	if (*n)
		qsort(*ids, *n, sizeof(char *), cmp_str);
	return 0;
}

const struct cli_flag cli_list_flags[] = {
	{ "format", 'f', 'f', true, "\"table\"", "select one of: table or json", false },
	{ "quiet", 'q', 'q', false, NULL, "display only container IDs", false },
	CLI_FLAGS_END,
};

int cli_list(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	const char *format = "table";
	bool quiet = false;
	int c;
	optind = 0;
	while ((c = cli_getopt(argc, argv, cli_list_flags, "list", err)) != -1) {
		if (c == 'f')
			format = optarg;
		else if (c == 'q')
			quiet = true;
		else
			return -1;
	}
	bool json = strcmp(format, "json") == 0;
	if (!json && strcmp(format, "table") != 0)
		return cleat_error_msg(err, "invalid format option");
	char **ids;
	size_t n;
	if (list_ids(ctx->root, ctx->root_set, &ids, &n, err) < 0)
		return -1;
	struct table t = { 0 };
	table_add(&t, (char *[]){ xstrdup("ID"), xstrdup("PID"), xstrdup("STATUS"),
				  xstrdup("BUNDLE"), xstrdup("CREATED"), xstrdup("OWNER") });
	size_t shown = 0;
	for (size_t i = 0; i < n; i++) {
		_cleanup_container_ struct cleat_container *ct = NULL;
		_cleanup_error_ cleat_error_t e = NULL;
		/* A container deleted or half-created meanwhile is skipped, as runc does. */
		if (cleat_container_open(ctx->root, ids[i], false, &ct, &e) < 0)
			continue;
		if (quiet) {
			printf("%s\n", ct->id);
		} else if (json) {
			_cleanup_free_ char *obj = cleat_container_list_json(ct);
			printf("%s%s", shown ? "," : "[", obj);
		} else {
			pid_t pid = ct->status == CLEAT_STATUS_STOPPED ? 0 : ct->init_pid;
			table_add(&t, (char *[]){ xstrdup(ct->id), xasprintf("%d", (int) pid),
						  xstrdup(cleat_status_name(ct->status)),
						  xstrdup(ct->bundle ? ct->bundle : ""),
						  xstrdup(ct->created ? ct->created : ""),
						  cleat_passwd_owner_name(ct->owner) });
		}
		shown++;
	}
	if (json && !quiet)
		printf("%s\n", shown ? "]" : "null");
	else if (!quiet)
		table_print(&t);
	table_free(&t);
	if (ids)
		strv_free(ids);
	return 0;
}
