/* libFuzzer target for the shim's JSON scanner (config.json annotations,
 * runtime log lines, `ps --format json`, exec specs from containerd). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "shim/bootstrap.h"
#include "shim/json.h"
#include "shim/runtime.h"
#include "shim/task.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *doc = xstrndup((const char *) data, size);
	const char *it = doc, *k, *v, *e;
	while (json_object_next(&it, &k, &v, &e))
		free(json_string_dup(k));
	it = doc;
	while ((v = json_array_next(&it))) {
		long long n;
		(void) json_int(v, &n);
		free(json_string_dup(v));
	}
	free(shim_group_key(doc, "id"));
	free(runtime_log_last_error(doc));
	free(task_exec_spec((const char *) data, size, true));
	free(doc);
	return 0;
}
