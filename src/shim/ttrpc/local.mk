# loop, ttrpc framing, protos
libshim_a_SOURCES += %reldir%/ttrpc.h src/shim/loop.h src/shim/loop.c \
	%reldir%/conn.h %reldir%/conn.c %reldir%/server.c %reldir%/client.c \
	src/shim/events_client.h src/shim/events_client.c

# Our own .proto files, wire-compatible with containerd 1.6's, compiled by
# protoc-c into $(top_builddir)/src/shim/proto (on the include path, see
# AM_CPPFLAGS).  One stamp rule runs protoc-c once for all of them.
SHIM_PROTOS = \
	src/shim/proto/google_types.proto \
	src/shim/proto/rpc_status.proto \
	src/shim/proto/ttrpc.proto \
	src/shim/proto/mount.proto \
	src/shim/proto/task_types.proto \
	src/shim/proto/shim.proto \
	src/shim/proto/events.proto \
	src/shim/proto/events_ttrpc.proto \
	src/shim/proto/runc_options.proto \
	src/shim/proto/runtimeoptions.proto \
	src/shim/proto/bootstrap.proto \
	src/shim/proto/introspection.proto \
	src/shim/proto/cgroups_v1.proto \
	src/shim/proto/cgroups_v2.proto
SHIM_PROTO_C = $(SHIM_PROTOS:.proto=.pb-c.c)
SHIM_PROTO_H = $(SHIM_PROTOS:.proto=.pb-c.h)
EXTRA_DIST += $(SHIM_PROTOS)
nodist_libshim_a_SOURCES = $(SHIM_PROTO_C) $(SHIM_PROTO_H)
BUILT_SOURCES += $(SHIM_PROTO_C) $(SHIM_PROTO_H)
CLEANFILES += $(SHIM_PROTO_C) $(SHIM_PROTO_H) src/shim/proto/protoc.stamp

src/shim/proto/protoc.stamp: $(SHIM_PROTOS)
	@$(MKDIR_P) src/shim/proto
	$(AM_V_GEN)$(PROTOC_C) --proto_path=$(srcdir)/src/shim/proto \
		--c_out=src/shim/proto $(addprefix $(srcdir)/,$(SHIM_PROTOS)) && touch $@
$(SHIM_PROTO_C) $(SHIM_PROTO_H): src/shim/proto/protoc.stamp
# BUILT_SOURCES only covers `make all/check`; this makes `make libshim.a` work too.
$(libshim_a_OBJECTS): $(SHIM_PROTO_H)
