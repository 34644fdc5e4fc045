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
/* Whether /proc/self/exe is the sealed copy (a sealed memfd or a file of a
 * read-only overlayfs, see selfexe.c). */
bool cleat_selfexe_is_sealed(void);
/* Whether fd is a file of a read-only overlayfs. */
bool cleat_selfexe_fd_is_overlay_sealed(int fd);
/* The lowerdir option for the overlay seal: our binary's directory over
 * other_dir (an existing directory of ours, e.g. the state root), and in *name
 * (inside the returned allocation) the binary's name.  NULL when there is no
 * usable path (the binary was replaced or removed). */
char *cleat_selfexe_overlay_layers(const char *other_dir, const char **name);
/* The same for the binary at path exe (pure: for the unit tests). */
char *cleat_selfexe_layers_for(const char *exe, const char *other_dir, const char **name);
/* System calls only (for the CLONE_VM helper): our binary opened sealed, through
 * that overlay (layers NULL: none) or else as a sealed memfd copy; the fd, or
 * -errno with *what naming the step of the copy that failed. */
int cleat_selfexe_open_sealed_raw(const char *layers, const char *name, const char **what);

#endif
