/* The range of user and group ids cleat passes to set*id(2), setgroups(2) and chown(2).
 *
 * uid_t is 32 bits, but (uid_t)-1 = 4294967295 means "leave unchanged" to setresuid,
 * setresgid and chown: a process asked to run as that uid would silently stay root.  runc's
 * user package (runc 1.1, moby/sys/user) refuses every id above INT32_MAX, and so does
 * cleat, wherever the id comes from (config.json, process.json, flags). */
#ifndef CLEAT_COMMON_IDS_H
#define CLEAT_COMMON_IDS_H

#include <stdbool.h>
#include <stdint.h>

#define CLEAT_ID_MAX INT32_MAX
/* The reason given for an id out of range (runc's wording). */
#define CLEAT_ID_RANGE_MSG "uids and gids must be in range 0-2147483647"

static inline bool cleat_id_valid(long long id) { return id >= 0 && id <= CLEAT_ID_MAX; }

/* A decimal uid or gid such as a command line gives it.  Returns 0, or -1 with errno
 * EINVAL when s is not an integer and ERANGE when it is one outside 0-CLEAT_ID_MAX. */
int cleat_parse_id(const char *s, uint32_t *out);

#endif
