# libcleat (container lifecycle) + the `cleat` CLI (owner: runtime lifecycle helper).
# Other owners append to libcleat_a_SOURCES from linux/rootfs.mk, linux/security.mk,
# cgroups/local.mk.
noinst_LIBRARIES += libcleat.a
libcleat_a_SOURCES += %reldir%/linux/rootfs.h %reldir%/linux/security.h %reldir%/cgroups/cgroups.h
libcleat_a_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS) $(SECCOMP_CFLAGS) $(CAP_CFLAGS) $(SYSTEMD_CFLAGS)
CLEAT_LIBS = libcleat.a liboci.a libcleatcommon.a $(YAJL_LIBS) $(SECCOMP_LIBS) $(CAP_LIBS) $(SYSTEMD_LIBS)
