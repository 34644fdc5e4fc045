#include "config.h"
#include "runtime/linux/json_gen.h"

#include <string.h>

void cleat_json_gen_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *) s, strlen(s));
}
