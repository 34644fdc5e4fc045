# containerd-shim-cleat-v2.  ttrpc/local.mk appends the loop, the ttrpc
# framing and the protos to libshim_a_SOURCES.
noinst_LIBRARIES += libshim.a
libshim_a_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS)
SHIM_LIBS = libshim.a libcleatcommon.a $(PROTOBUF_C_LIBS)

# The Task service and everything but the transport; in the library so unit
# tests link the same objects as the binary.
libshim_a_SOURCES += \
	%reldir%/shim.h \
	%reldir%/bootstrap.c %reldir%/bootstrap.h \
	%reldir%/checkpoint.c %reldir%/checkpoint.h \
	%reldir%/container.c %reldir%/container.h \
	%reldir%/daemon.c %reldir%/daemon.h \
	%reldir%/events.c %reldir%/events.h \
	%reldir%/failpoint.c %reldir%/failpoint.h \
	%reldir%/info.c %reldir%/info.h \
	%reldir%/json.c %reldir%/json.h \
	%reldir%/metrics.c %reldir%/metrics.h \
	%reldir%/mount.c %reldir%/mount.h \
	%reldir%/mount_idmap.c %reldir%/mount_idmap.h \
	%reldir%/options.c %reldir%/options.h \
	%reldir%/process.c %reldir%/process.h \
	%reldir%/reaper.c %reldir%/reaper.h \
	%reldir%/runtime.c %reldir%/runtime.h \
	%reldir%/status.c %reldir%/status.h \
	%reldir%/stdio.c %reldir%/stdio.h \
	%reldir%/memtrim.c %reldir%/memtrim.h \
	%reldir%/task.c %reldir%/task.h %reldir%/task_lifecycle.c

bin_PROGRAMS += containerd-shim-cleat-v2
containerd_shim_cleat_v2_SOURCES = %reldir%/main.c
containerd_shim_cleat_v2_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS)
containerd_shim_cleat_v2_LDFLAGS = $(AM_LDFLAGS) $(SHIM_LDFLAGS)
containerd_shim_cleat_v2_LDADD = libshim.a libcleatcommon.a $(SHIM_PROTOBUF_C_LIBS)
$(containerd_shim_cleat_v2_OBJECTS): $(SHIM_PROTO_H)
EXTRA_DIST += %reldir%/README.md
