# unit tests for shim
SHIM_TEST_LDADD = $(SHIM_LIBS)
SHIM_TEST_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS)
EXTRA_DIST += tests/unit/test-shim-tap.h

check_PROGRAMS += tests/unit/test-shim-logic
tests_unit_test_shim_logic_SOURCES = tests/unit/test-shim-logic.c
tests_unit_test_shim_logic_CFLAGS = $(SHIM_TEST_CFLAGS)
tests_unit_test_shim_logic_LDADD = $(SHIM_TEST_LDADD)
$(tests_unit_test_shim_logic_OBJECTS): $(SHIM_PROTO_H)
TESTS += tests/unit/test-shim-logic

check_PROGRAMS += tests/unit/test-shim-io
tests_unit_test_shim_io_SOURCES = tests/unit/test-shim-io.c
tests_unit_test_shim_io_CFLAGS = $(SHIM_TEST_CFLAGS)
tests_unit_test_shim_io_LDADD = $(SHIM_TEST_LDADD)
$(tests_unit_test_shim_io_OBJECTS): $(SHIM_PROTO_H)
TESTS += tests/unit/test-shim-io

# shim-rpc: a ttrpc client the integration tests use to send what ctr cannot (Update) and to
# see raw gRPC codes. Built with `make check`, not run as a test.
check_PROGRAMS += tests/unit/shim-rpc
tests_unit_shim_rpc_SOURCES = tests/unit/shim-rpc.c
tests_unit_shim_rpc_CFLAGS = $(SHIM_TEST_CFLAGS)
tests_unit_shim_rpc_LDADD = $(SHIM_TEST_LDADD)
$(tests_unit_shim_rpc_OBJECTS): $(SHIM_PROTO_H)

# libFuzzer target for the JSON scanner (configure --enable-fuzzing CC=clang).
EXTRA_DIST += tests/unit/fuzz-shim-json.c
if ENABLE_FUZZING
noinst_PROGRAMS += tests/unit/fuzz-shim-json
tests_unit_fuzz_shim_json_SOURCES = tests/unit/fuzz-shim-json.c src/shim/json.c \
	src/shim/bootstrap.c src/shim/runtime.c src/shim/reaper.c src/shim/task_lifecycle.c
tests_unit_fuzz_shim_json_CFLAGS = $(SHIM_TEST_CFLAGS) -fsanitize=fuzzer
tests_unit_fuzz_shim_json_LDFLAGS = -fsanitize=fuzzer
tests_unit_fuzz_shim_json_LDADD = $(SHIM_LIBS)
$(tests_unit_fuzz_shim_json_OBJECTS): $(SHIM_PROTO_H)
endif

check_PROGRAMS += tests/unit/test-shim-process
tests_unit_test_shim_process_SOURCES = tests/unit/test-shim-process.c
tests_unit_test_shim_process_CFLAGS = $(SHIM_TEST_CFLAGS)
tests_unit_test_shim_process_LDADD = $(SHIM_TEST_LDADD)
$(tests_unit_test_shim_process_OBJECTS): $(SHIM_PROTO_H)
TESTS += tests/unit/test-shim-process

check_PROGRAMS += tests/unit/test-shim-memtrim
tests_unit_test_shim_memtrim_SOURCES = tests/unit/test-shim-memtrim.c
tests_unit_test_shim_memtrim_CFLAGS = $(SHIM_TEST_CFLAGS)
tests_unit_test_shim_memtrim_LDADD = $(SHIM_TEST_LDADD)
TESTS += tests/unit/test-shim-memtrim

check_PROGRAMS += tests/unit/test-shim-log
tests_unit_test_shim_log_SOURCES = tests/unit/test-shim-log.c
tests_unit_test_shim_log_CFLAGS = $(SHIM_TEST_CFLAGS)
tests_unit_test_shim_log_LDADD = $(SHIM_TEST_LDADD)
TESTS += tests/unit/test-shim-log
