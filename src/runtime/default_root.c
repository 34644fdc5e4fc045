/* The default state directory (--root not given). */
#include "runtime/default_root.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "runtime/context.h"

bool cleat_in_user_namespace(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/uid_map", "re");
	if (f == NULL)
		return false;
	unsigned long inside, outside, count;
	if (fscanf(f, "%lu %lu %lu", &inside, &outside, &count) != 3)
		return false;
	return !(inside == 0 && outside == 0 && count == 4294967295UL);
}

static bool honor_xdg_runtime_dir(void)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	if (xdg == NULL || *xdg == '\0')
		return false;
	if (geteuid() != 0)
		return true;
	if (!cleat_in_user_namespace())
		return false;
	const char *user = getenv("USER");
	return user == NULL || strcmp(user, "root") != 0;
}

char *cleat_default_root(void)
{
	if (honor_xdg_runtime_dir())
		return xasprintf("%s/cleat", getenv("XDG_RUNTIME_DIR"));
	return xstrdup(CLEAT_DEFAULT_ROOT);
}
