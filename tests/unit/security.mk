# unit tests for security
SECURITY_TEST_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS) $(SECCOMP_CFLAGS) $(CAP_CFLAGS)

check_PROGRAMS += tests/unit/test-security tests/unit/test-hooks
TESTS += tests/unit/test-security tests/unit/test-hooks
tests_unit_test_security_SOURCES = tests/unit/test-security.c tests/unit/security-tap.h
tests_unit_test_security_CFLAGS = $(SECURITY_TEST_CFLAGS)
tests_unit_test_security_LDADD = $(CLEAT_LIBS)
tests_unit_test_hooks_SOURCES = tests/unit/test-hooks.c tests/unit/security-tap.h
tests_unit_test_hooks_CFLAGS = $(SECURITY_TEST_CFLAGS)
tests_unit_test_hooks_LDADD = $(CLEAT_LIBS)

# The seccomp user-notification listener the integration tests talk to.
check_PROGRAMS += tests/integration/helpers/seccomp-listener
tests_integration_helpers_seccomp_listener_SOURCES = tests/integration/helpers/seccomp-listener.c

# linux.mountLabel data and the quote-aware mount data split (lsm.c)
check_PROGRAMS += tests/unit/test-lsm
TESTS += tests/unit/test-lsm
tests_unit_test_lsm_SOURCES = tests/unit/test-lsm.c tests/unit/security-tap.h
tests_unit_test_lsm_CFLAGS = $(SECURITY_TEST_CFLAGS)
tests_unit_test_lsm_LDADD = $(CLEAT_LIBS)

# linux.intelRdt's resctrl writer against a directory tree that mimics resctrl
check_PROGRAMS += tests/unit/test-resctrl
TESTS += tests/unit/test-resctrl
tests_unit_test_resctrl_SOURCES = tests/unit/test-resctrl.c tests/unit/security-tap.h
tests_unit_test_resctrl_CFLAGS = $(SECURITY_TEST_CFLAGS)
tests_unit_test_resctrl_LDADD = $(CLEAT_LIBS)

# The compiled-seccomp cache: hit/miss identity, entries that must not be trusted, the bound
check_PROGRAMS += tests/unit/test-seccomp-cache
TESTS += tests/unit/test-seccomp-cache
tests_unit_test_seccomp_cache_SOURCES = tests/unit/test-seccomp-cache.c tests/unit/security-tap.h
tests_unit_test_seccomp_cache_CFLAGS = $(SECURITY_TEST_CFLAGS)
tests_unit_test_seccomp_cache_LDADD = $(CLEAT_LIBS)

# The seccomp program's binary-tree layout against libseccomp's default one, verdict by verdict
check_PROGRAMS += tests/unit/test-seccomp-layout
TESTS += tests/unit/test-seccomp-layout
tests_unit_test_seccomp_layout_SOURCES = tests/unit/test-seccomp-layout.c tests/unit/security-tap.h
tests_unit_test_seccomp_layout_CFLAGS = $(SECURITY_TEST_CFLAGS)
tests_unit_test_seccomp_layout_LDADD = $(CLEAT_LIBS)
