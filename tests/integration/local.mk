# tests/integration.
# The bats suites need root and start their own containerd/dockerd, so they are not part of
# `make check`; run them with `make check-integration` or tests/run-all.sh (which also runs
# the unit tests, sanitizers and fuzzers).
EXTRA_DIST += tests/run-all.sh .ci/run .clang-format

# Every area's suites, helpers and test data ship in the tarball without being listed here:
# copied from the source tree by pattern, so build products (logs, .trs, objects, helper
# binaries) never reach it. (A directory in EXTRA_DIST would also take a VPATH build
# directory's copy of it, test logs included.)
INTEGRATION_DIST_PATTERNS = -name '*.bats' -o -name '*.bash' -o -name '*.sh' -o -name '*.c' \
	-o -name '*.h' -o -name '*.json' -o -name '*.toml' -o -name '*.yaml' -o -name '*.txt' \
	-o -name '*.md' -o -name '.keep' -o -name '*.mk' -o -name '*.py'
dist-hook: dist-integration
dist-integration:
	dest=$$(cd '$(distdir)' && pwd) && cd '$(srcdir)' && \
	find tests/integration -type f \( $(INTEGRATION_DIST_PATTERNS) \) \
		! -name '*.log' ! -name '*.trs' -print | while read -r f; do \
		$(MKDIR_P) "$$dest/$$(dirname "$$f")" && cp -p "$$f" "$$dest/$$f" || exit 1; \
	done
.PHONY: dist-integration

BATS_FLAGS = --tap
check-integration: all
	CLEAT_BUILDDIR='$(abs_top_builddir)' bats -r $(BATS_FLAGS) '$(abs_top_srcdir)/tests/integration'
.PHONY: check-integration
