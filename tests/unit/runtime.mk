# unit tests for runtime
RUNTIME_TEST_LIBS = libcleat.a liboci.a libcleatcommon.a $(YAJL_LIBS) $(SECCOMP_LIBS) $(CAP_LIBS) $(SYSTEMD_LIBS) \
	$(PROTOBUF_C_LIBS)
RUNTIME_TESTS = tests/unit/test-runtime-state tests/unit/test-runtime-sync tests/unit/test-runtime-config \
	tests/unit/test-runtime-launch tests/unit/test-close-fds
check_PROGRAMS += $(RUNTIME_TESTS)
TESTS += $(RUNTIME_TESTS)

tests_unit_test_runtime_state_SOURCES = %reldir%/test-runtime-state.c %reldir%/test-runtime-tap.h
tests_unit_test_runtime_state_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)
tests_unit_test_runtime_state_LDADD = $(RUNTIME_TEST_LIBS)

tests_unit_test_runtime_sync_SOURCES = %reldir%/test-runtime-sync.c %reldir%/test-runtime-tap.h
tests_unit_test_runtime_sync_CFLAGS = $(AM_CFLAGS)
tests_unit_test_runtime_sync_LDADD = $(RUNTIME_TEST_LIBS)

tests_unit_test_runtime_config_SOURCES = %reldir%/test-runtime-config.c %reldir%/test-runtime-tap.h
tests_unit_test_runtime_config_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)
tests_unit_test_runtime_config_LDADD = $(RUNTIME_TEST_LIBS)

tests_unit_test_runtime_launch_SOURCES = %reldir%/test-runtime-launch.c %reldir%/test-runtime-tap.h
tests_unit_test_runtime_launch_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)
tests_unit_test_runtime_launch_CPPFLAGS = $(AM_CPPFLAGS) -DOCI_TESTDATA=\"$(top_srcdir)/tests/unit/data/oci\"
tests_unit_test_runtime_launch_LDADD = $(RUNTIME_TEST_LIBS)

tests_unit_test_close_fds_SOURCES = %reldir%/test-close-fds.c %reldir%/test-runtime-tap.h
tests_unit_test_close_fds_CFLAGS = $(AM_CFLAGS)
tests_unit_test_close_fds_LDADD = $(RUNTIME_TEST_LIBS)

# The help renderer and the parser reading the same flag tables.
check_PROGRAMS += tests/unit/test-cli-help
TESTS += tests/unit/test-cli-help
tests_unit_test_cli_help_SOURCES = %reldir%/test-cli-help.c %reldir%/test-runtime-tap.h
tests_unit_test_cli_help_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS) $(SECCOMP_CFLAGS)
tests_unit_test_cli_help_LDADD = libcleatcli.a $(RUNTIME_TEST_LIBS)

# runc's checkpoint/restore flags as fields of criu's RPC request.
check_PROGRAMS += tests/unit/test-criu-opts
TESTS += tests/unit/test-criu-opts
tests_unit_test_criu_opts_SOURCES = %reldir%/test-criu-opts.c %reldir%/test-runtime-tap.h
tests_unit_test_criu_opts_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS) \
	-I$(top_builddir)/src/runtime/criu/proto
tests_unit_test_criu_opts_LDADD = $(RUNTIME_TEST_LIBS)
