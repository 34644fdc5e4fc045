#include "config.h"
#include "runtime/cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "oci-spec/default_spec.h"

const struct cli_flag cli_spec_flags[] = {
	{ "bundle", 'b', 'b', true, NULL, "path to the root of the bundle directory", false },
	{ "rootless", 0, 'r', false, NULL, "generate a configuration for a rootless container",
	  false },
	CLI_FLAGS_END,
};

int cli_spec(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	const char *bundle = ".";
	bool rootless = false;
	int c;
	optind = 0;
	while ((c = cli_getopt(argc, argv, cli_spec_flags, "spec", err)) != -1) {
		if (c == 'b')
			bundle = optarg;
		else if (c == 'r')
			rootless = true;
		else
			return -1;
	}
	if (cli_require_args(argc, "spec", 0, err) < 0)
		return -1;
	_cleanup_close_ int dir = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return cleat_error_errno(err, errno, "bundle \"%s\"", bundle);
	if (faccessat(dir, "config.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return cleat_error_msg(err, "File config.json exists. Remove it first");
	_cleanup_free_ char *json = oci_default_spec_json(rootless);
	if (write_file_at(dir, "config.json", json, strlen(json), 0666, err) < 0)
		return -1;
	return 0;
}
