# containerd-shim-cleat-v2 (owner: shim service helper).  The ttrpc helper
# appends to libshim_a_SOURCES from ttrpc/local.mk (loop, ttrpc, proto).
noinst_LIBRARIES += libshim.a
libshim_a_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS)
SHIM_LIBS = libshim.a libcleatcommon.a $(PROTOBUF_C_LIBS)
