/* libFuzzer target over the OCI parsers.  Beyond "no crash, no leak" it
 * checks the emitter: whatever parses must emit a document that parses
 * again and emits identically. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci-spec/config.h"
#include "oci-spec/state.h"

static void check_config(const char *data, size_t size)
{
	struct oci_config *c = NULL;
	cleat_error_t err = NULL;
	if (oci_config_parse(data, size, "config.json", &c, &err) < 0) {
		if (!err || !err->msg)
			abort();
		cleat_error_free(&err);
		return;
	}
	char *out1 = oci_config_to_json(c);
	struct oci_config *c2 = NULL;
	if (oci_config_parse(out1, strlen(out1), "emitted", &c2, &err) < 0)
		abort();
	char *out2 = oci_config_to_json(c2);
	if (strcmp(out1, out2) != 0)
		abort();
	(void) oci_config_namespace(c, "pid");
	(void) oci_config_annotation(c, "a");
	free(out1);
	free(out2);
	oci_config_free(c2);
	oci_config_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *) data;
	check_config(s, size);

	cleat_error_t err = NULL;
	struct oci_process *p = NULL;
	if (oci_process_parse(s, size, "process.json", &p, &err) == 0) {
		free(oci_process_to_json(p));
		oci_process_free(p);
	}
	cleat_error_free(&err);
	struct oci_resources *r = NULL;
	if (oci_resources_parse(s, size, "resources.json", &r, &err) == 0) {
		free(oci_resources_to_json(r));
		oci_resources_free(r);
	}
	cleat_error_free(&err);
	struct oci_state *st = NULL;
	if (oci_state_parse(s, size, "state.json", &st, &err) == 0) {
		free(oci_state_to_json(st));
		free(oci_state_to_runc_json(st));
		oci_state_free(st);
	}
	cleat_error_free(&err);
	return 0;
}
