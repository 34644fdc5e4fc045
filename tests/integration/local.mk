# tests/integration (owner: test infrastructure).
# The bats suites need root and start their own containerd/dockerd, so they are not part of
# `make check`; run them with `make check-integration` or tests/run-all.sh (which also runs
# the unit tests, sanitizers and fuzzers). The whole directory ships in the tarball, so
# every area's .bats files, helpers and testdata are included without listing them here.
EXTRA_DIST += %reldir% tests/run-all.sh .ci/run .clang-format

BATS_FLAGS = --tap
check-integration: all
	CLEAT_BUILDDIR='$(abs_top_builddir)' bats -r $(BATS_FLAGS) '$(abs_top_srcdir)/tests/integration'
.PHONY: check-integration
