/* Logging for both binaries.  Text lines, or runc-style JSON lines
 * ({"level":"error","msg":"...","time":"..."}) that containerd-shim-runc-v2
 * parses.  The sink is process-wide by design: it is configured once by main()
 * from --log / --log-format / --debug, like runc's logrus. */
#ifndef CLEAT_COMMON_LOG_H
#define CLEAT_COMMON_LOG_H

#include <stdbool.h>

#include "common/error.h"

enum cleat_log_level { CLEAT_LOG_ERROR, CLEAT_LOG_WARNING, CLEAT_LOG_INFO, CLEAT_LOG_DEBUG };
enum cleat_log_format { CLEAT_LOG_TEXT, CLEAT_LOG_JSON };

/* path NULL means stderr.  Returns < 0 and sets err if the log can't be opened. */
int cleat_log_init(const char *path, enum cleat_log_format format, bool debug, cleat_error_t *err);
/* Use an already open fd (takes ownership) as the sink. */
void cleat_log_set_fd(int fd, enum cleat_log_format format, bool debug);
int cleat_log_fd(void);
bool cleat_log_to_stderr(void);
void cleat_log(enum cleat_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define cleat_error_log(...) cleat_log(CLEAT_LOG_ERROR, __VA_ARGS__)
#define cleat_warn(...) cleat_log(CLEAT_LOG_WARNING, __VA_ARGS__)
#define cleat_info(...) cleat_log(CLEAT_LOG_INFO, __VA_ARGS__)
#define cleat_debug(...) cleat_log(CLEAT_LOG_DEBUG, __VA_ARGS__)

/* Append s to buf as a JSON string body (escaped, without quotes). */
char *cleat_json_escape(const char *s);

#endif
