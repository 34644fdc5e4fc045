# libcleat (container lifecycle) + the `cleat` CLI.
# Other owners append to libcleat_a_SOURCES from linux/rootfs.mk, linux/security.mk,
# cgroups/local.mk.
noinst_LIBRARIES += libcleat.a
libcleat_a_SOURCES += %reldir%/linux/rootfs.h %reldir%/linux/security.h %reldir%/cgroups/cgroups.h
libcleat_a_SOURCES += \
	%reldir%/context.h \
	%reldir%/container.c %reldir%/container.h %reldir%/bundle.c %reldir%/bundle.h \
	%reldir%/container_create.c %reldir%/container_ops.c \
	%reldir%/container_setup.c %reldir%/container_setup.h \
	%reldir%/state_dir.c %reldir%/state_dir.h \
	%reldir%/default_root.c %reldir%/default_root.h \
	%reldir%/linux/setup_helper.c %reldir%/linux/setup_helper.h \
	%reldir%/linux/container_process.c %reldir%/linux/container_process.h \
	%reldir%/linux/namespaces.c %reldir%/linux/namespaces.h \
	%reldir%/linux/netdev.c %reldir%/linux/netdev.h \
	%reldir%/linux/userns.c %reldir%/linux/userns.h \
	%reldir%/linux/sync.c %reldir%/linux/sync.h \
	%reldir%/linux/clone_vm.c %reldir%/linux/clone_vm.h \
	%reldir%/linux/process.c %reldir%/linux/process.h \
	%reldir%/linux/terminal.c %reldir%/linux/terminal.h \
	%reldir%/linux/exec.c %reldir%/linux/exec.h %reldir%/container_exec.c
# Checkpoint/restore: only these two verbs run criu, as `criu swrk`, talking to it
# in the messages of criu's rpc.proto, compiled by protoc-c into
# $(top_builddir)/src/runtime/criu/proto at build time.
libcleat_a_SOURCES += %reldir%/criu/criu.h \
	%reldir%/criu/criu_run.c %reldir%/criu/criu_run.h \
	%reldir%/criu/criu_args.c %reldir%/criu/criu_args.h \
	%reldir%/criu/criu_rpc.c %reldir%/criu/criu_rpc.h \
	%reldir%/criu/checkpoint.c %reldir%/criu/restore.c
CRIU_PROTO_C = src/runtime/criu/proto/rpc.pb-c.c
CRIU_PROTO_H = src/runtime/criu/proto/rpc.pb-c.h
nodist_libcleat_a_SOURCES = $(CRIU_PROTO_C) $(CRIU_PROTO_H)
BUILT_SOURCES += $(CRIU_PROTO_C) $(CRIU_PROTO_H)
CLEANFILES += $(CRIU_PROTO_C) $(CRIU_PROTO_H) src/runtime/criu/proto/protoc.stamp
src/runtime/criu/proto/protoc.stamp: $(CRIU_RPC_PROTO)
	@$(MKDIR_P) src/runtime/criu/proto
	$(AM_V_GEN)$(PROTOC_C) --proto_path=$(CRIU_RPC_PROTO_DIR) \
		--c_out=src/runtime/criu/proto $(CRIU_RPC_PROTO) && touch $@
$(CRIU_PROTO_C) $(CRIU_PROTO_H): src/runtime/criu/proto/protoc.stamp
$(libcleat_a_OBJECTS): $(CRIU_PROTO_H)
libcleat_a_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS) $(SECCOMP_CFLAGS) $(CAP_CFLAGS) $(SYSTEMD_CFLAGS) \
	$(PROTOBUF_C_CFLAGS) -I$(top_builddir)/src/runtime/criu/proto
CLEAT_LIBS = libcleat.a liboci.a libcleatcommon.a $(RUNTIME_LIBS)

# The commands, their flag tables and the help renderer: linked into cleat
# and into the man page generator (man/local.mk), which print the same tables.
noinst_LIBRARIES += libcleatcli.a
libcleatcli_a_SOURCES = \
	%reldir%/cli/cli.h %reldir%/cli/common.c %reldir%/cli/commands.c %reldir%/cli/help.c \
	%reldir%/cli/create.c %reldir%/cli/start.c %reldir%/cli/run.c %reldir%/cli/state.c \
	%reldir%/cli/kill.c %reldir%/cli/delete.c %reldir%/cli/list.c %reldir%/cli/spec.c \
	%reldir%/cli/features.c %reldir%/cli/exec.c \
	%reldir%/cli/update.c %reldir%/cli/pause.c %reldir%/cli/ps.c %reldir%/cli/events.c
libcleatcli_a_SOURCES += %reldir%/cli/checkpoint.c
libcleatcli_a_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS) $(SECCOMP_CFLAGS)

bin_PROGRAMS += cleat
cleat_SOURCES = %reldir%/main.c
cleat_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS) $(SECCOMP_CFLAGS)
cleat_LDADD = libcleatcli.a $(CLEAT_LIBS)
cleat_LDFLAGS = $(AM_LDFLAGS) $(RUNTIME_LDFLAGS)
