# unit tests for ttrpc (owner: ttrpc helper)
TTRPC_TEST_LDADD = $(SHIM_LIBS)
TTRPC_TEST_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS)
EXTRA_DIST += tests/unit/test-ttrpc-tap.h tests/unit/test-ttrpc-vectors.h

check_PROGRAMS += tests/unit/test-ttrpc-frames
tests_unit_test_ttrpc_frames_SOURCES = tests/unit/test-ttrpc-frames.c
tests_unit_test_ttrpc_frames_CFLAGS = $(TTRPC_TEST_CFLAGS)
tests_unit_test_ttrpc_frames_LDADD = $(TTRPC_TEST_LDADD)
$(tests_unit_test_ttrpc_frames_OBJECTS): $(SHIM_PROTO_H)
TESTS += tests/unit/test-ttrpc-frames

check_PROGRAMS += tests/unit/test-ttrpc-server
tests_unit_test_ttrpc_server_SOURCES = tests/unit/test-ttrpc-server.c
tests_unit_test_ttrpc_server_CFLAGS = $(TTRPC_TEST_CFLAGS)
tests_unit_test_ttrpc_server_LDADD = $(TTRPC_TEST_LDADD)
$(tests_unit_test_ttrpc_server_OBJECTS): $(SHIM_PROTO_H)
TESTS += tests/unit/test-ttrpc-server

check_PROGRAMS += tests/unit/test-ttrpc-loop
tests_unit_test_ttrpc_loop_SOURCES = tests/unit/test-ttrpc-loop.c
tests_unit_test_ttrpc_loop_CFLAGS = $(TTRPC_TEST_CFLAGS)
tests_unit_test_ttrpc_loop_LDADD = $(TTRPC_TEST_LDADD)
TESTS += tests/unit/test-ttrpc-loop

check_PROGRAMS += tests/unit/test-ttrpc-events
tests_unit_test_ttrpc_events_SOURCES = tests/unit/test-ttrpc-events.c
tests_unit_test_ttrpc_events_CFLAGS = $(TTRPC_TEST_CFLAGS)
tests_unit_test_ttrpc_events_LDADD = $(TTRPC_TEST_LDADD)
$(tests_unit_test_ttrpc_events_OBJECTS): $(SHIM_PROTO_H)
TESTS += tests/unit/test-ttrpc-events
