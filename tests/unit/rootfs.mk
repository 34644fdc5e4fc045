# unit tests for rootfs
check_PROGRAMS += tests/unit/test-mount-options
TESTS += tests/unit/test-mount-options
tests_unit_test_mount_options_SOURCES = tests/unit/test-mount-options.c
tests_unit_test_mount_options_LDADD = $(CLEAT_LIBS)
