# loop, ttrpc framing, protos (owner: ttrpc helper)
libshim_a_SOURCES += %reldir%/ttrpc.h %reldir%/../loop.h
