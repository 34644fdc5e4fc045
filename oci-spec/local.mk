# oci-spec: the OCI model on yajl
noinst_LIBRARIES += liboci.a
liboci_a_SOURCES = \
	%reldir%/config.h %reldir%/state.h %reldir%/json_gen.h %reldir%/default_spec.h %reldir%/json.h \
	%reldir%/parse_helpers.c %reldir%/gen_helpers.c \
	%reldir%/config.c %reldir%/config_process.c %reldir%/config_linux.c %reldir%/config_mempolicy.c \
	%reldir%/config_resources.c %reldir%/config_seccomp.c \
	%reldir%/emit.c %reldir%/emit_linux.c %reldir%/free.c %reldir%/walk.c %reldir%/walk.h \
	%reldir%/state.c %reldir%/features.c %reldir%/default_spec.c
liboci_a_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)
