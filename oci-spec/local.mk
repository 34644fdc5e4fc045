# oci-spec: the OCI model on yajl (owner: oci-spec helper)
noinst_LIBRARIES += liboci.a
liboci_a_SOURCES = %reldir%/config.h %reldir%/state.h %reldir%/stub.c
liboci_a_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)
