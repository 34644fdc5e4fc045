# unit tests for cgroups
check_PROGRAMS += tests/unit/test-cgroups
TESTS += tests/unit/test-cgroups
tests_unit_test_cgroups_SOURCES = tests/unit/test-cgroups.c
tests_unit_test_cgroups_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS) $(SYSTEMD_CFLAGS)
tests_unit_test_cgroups_LDADD = $(CLEAT_LIBS)

# cgroup v2 for real: a qemu VM with an initramfs (tests/integration/cgroupv2-vm).
TESTS += tests/integration/cgroupv2-vm/run.sh
