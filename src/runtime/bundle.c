/* Reading a bundle for create and restore. */
#include "config.h"
#include "runtime/bundle.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "common/cleanup.h"
#include "common/util.h"

int cleat_bundle_load(const char *bundle, char **config_text, size_t *config_len,
		      struct cleat_container **out, cleat_error_t *err)
{
	if (bundle == NULL || *bundle == '\0')
		bundle = ".";
	char abs[PATH_MAX];
	if (realpath(bundle, abs) == NULL)
		return cleat_error_errno(err, errno, "bundle \"%s\"", bundle);
	_cleanup_free_ char *cfg_path = xasprintf("%s/config.json", abs);
	if (read_file(cfg_path, config_text, config_len, err) < 0)
		return -1;
	struct oci_config *cfg = NULL;
	if (oci_config_parse(*config_text, *config_len, "config.json", &cfg, err) < 0)
		return -1;
	struct cleat_container *c = xmalloc0(sizeof *c);
	*out = c;
	c->dir_fd = c->lock_fd = -1;
	c->config = cfg;
	c->bundle = xstrdup(abs);
	if (!cfg->has_root || cfg->root.path == NULL)
		return cleat_error_msg(err, "config.json: root must be specified");
	if (cfg->process == NULL)
		return cleat_error_msg(err, "config.json: process must be specified");
	_cleanup_free_ char *rootfs = cfg->root.path[0] == '/'
					      ? xstrdup(cfg->root.path)
					      : xasprintf("%s/%s", abs, cfg->root.path);
	char rabs[PATH_MAX];
	if (realpath(rootfs, rabs) == NULL)
		return cleat_error_errno(err, errno, "rootfs (\"%s\") does not exist", rootfs);
	c->rootfs = xstrdup(rabs);
	return 0;
}
