# unit tests for ttrpc
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

# libFuzzer target (configure --enable-fuzzing CC=clang).  The ttrpc sources
# are compiled into it so libFuzzer's coverage instrumentation sees them.
EXTRA_DIST += tests/unit/fuzz-ttrpc-frames.c
if ENABLE_FUZZING
noinst_PROGRAMS += tests/unit/fuzz-ttrpc-frames
tests_unit_fuzz_ttrpc_frames_SOURCES = tests/unit/fuzz-ttrpc-frames.c \
	src/shim/loop.c src/shim/ttrpc/conn.c src/shim/ttrpc/server.c src/shim/ttrpc/client.c
nodist_tests_unit_fuzz_ttrpc_frames_SOURCES = src/shim/proto/ttrpc.pb-c.c \
	src/shim/proto/rpc_status.pb-c.c src/shim/proto/google_types.pb-c.c \
	src/shim/proto/shim.pb-c.c src/shim/proto/mount.pb-c.c src/shim/proto/task_types.pb-c.c \
	src/shim/proto/events_ttrpc.pb-c.c
tests_unit_fuzz_ttrpc_frames_CFLAGS = $(TTRPC_TEST_CFLAGS) -fsanitize=fuzzer
tests_unit_fuzz_ttrpc_frames_LDFLAGS = -fsanitize=fuzzer
tests_unit_fuzz_ttrpc_frames_LDADD = libcleatcommon.a $(PROTOBUF_C_LIBS)
$(tests_unit_fuzz_ttrpc_frames_OBJECTS): $(SHIM_PROTO_H)
endif

# The transport and the events publisher against a private real containerd.
EXTRA_DIST += tests/unit/test-ttrpc-containerd.sh
TESTS += tests/unit/test-ttrpc-containerd.sh
