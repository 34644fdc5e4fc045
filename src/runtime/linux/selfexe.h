/* CVE-2019-5736 helpers beyond security.h (for the unit tests). */
#ifndef CLEAT_RUNTIME_LINUX_SELFEXE_H
#define CLEAT_RUNTIME_LINUX_SELFEXE_H

#include <stdbool.h>

/* Set in the environment of the re-executed copy so a copy that somehow is
 * not sealed fails instead of re-executing forever. */
#define CLEAT_SELFEXE_ENV "_CLEAT_CLONED_BINARY"

/* Whether fd is a memfd carrying every seal we add. */
bool cleat_selfexe_fd_is_sealed(int fd);
/* Whether this command line must re-execute from the copy first thing (exec). */
bool cleat_selfexe_needed(int argc, char **argv);
/* Whether /proc/self/exe is the sealed copy. */
bool cleat_selfexe_is_sealed(void);

#endif
