# unit tests for oci
OCI_TEST_CPPFLAGS = $(AM_CPPFLAGS) -DOCI_TESTDATA=\"$(top_srcdir)/tests/unit/data/oci\"
OCI_TEST_LIBS = liboci.a libcleatcommon.a $(YAJL_LIBS)

check_PROGRAMS += tests/unit/test-oci-config tests/unit/test-oci-errors tests/unit/test-oci-state
TESTS += tests/unit/test-oci-config tests/unit/test-oci-errors tests/unit/test-oci-state

tests_unit_test_oci_config_SOURCES = %reldir%/test-oci-config.c %reldir%/test-oci-tap.h
tests_unit_test_oci_config_CPPFLAGS = $(OCI_TEST_CPPFLAGS)
tests_unit_test_oci_config_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)
tests_unit_test_oci_config_LDADD = $(OCI_TEST_LIBS)

tests_unit_test_oci_errors_SOURCES = %reldir%/test-oci-errors.c %reldir%/test-oci-tap.h
tests_unit_test_oci_errors_CPPFLAGS = $(OCI_TEST_CPPFLAGS)
tests_unit_test_oci_errors_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)
tests_unit_test_oci_errors_LDADD = $(OCI_TEST_LIBS)

tests_unit_test_oci_state_SOURCES = %reldir%/test-oci-state.c %reldir%/test-oci-tap.h
tests_unit_test_oci_state_CPPFLAGS = $(OCI_TEST_CPPFLAGS)
tests_unit_test_oci_state_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)
tests_unit_test_oci_state_LDADD = $(OCI_TEST_LIBS)

EXTRA_DIST += \
	%reldir%/data/oci/runc-spec.json %reldir%/data/oci/runc-spec-rootless.json \
	%reldir%/data/oci/docker-seccomp.json %reldir%/data/oci/cri.json \
	%reldir%/data/oci/full.json %reldir%/data/oci/containerd-spec.json \
	%reldir%/data/oci/fuzz-corpus \
	%reldir%/data/oci/oci.dict

# libFuzzer over the parsers: the oci-spec sources are compiled into the
# target itself so they get the fuzzer's coverage instrumentation.
if ENABLE_FUZZING
noinst_PROGRAMS += tests/unit/fuzz-oci-config
tests_unit_fuzz_oci_config_SOURCES = %reldir%/fuzz-oci-config.c $(liboci_a_SOURCES)
tests_unit_fuzz_oci_config_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS) -fsanitize=fuzzer,address
tests_unit_fuzz_oci_config_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer,address
tests_unit_fuzz_oci_config_LDADD = libcleatcommon.a $(YAJL_LIBS)

# `make fuzz-oci [FUZZ_SECONDS=60]`: a bounded run for CI, on a scratch copy
# of the seed corpus so the checked-in seeds stay small.
FUZZ_SECONDS = 60
fuzz-oci: tests/unit/fuzz-oci-config
	rm -rf tests/unit/fuzz-oci-corpus
	mkdir -p tests/unit/fuzz-oci-corpus
	cp $(top_srcdir)/tests/unit/data/oci/fuzz-corpus/* tests/unit/fuzz-oci-corpus/
	./tests/unit/fuzz-oci-config -max_total_time=$(FUZZ_SECONDS) -max_len=16384 \
		-dict=$(top_srcdir)/tests/unit/data/oci/oci.dict tests/unit/fuzz-oci-corpus
else
fuzz-oci:
	@echo "fuzz-oci: configure with CC=clang --enable-fuzzing" >&2; exit 1
endif
.PHONY: fuzz-oci
