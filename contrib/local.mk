# contrib: daemon configuration snippets, the test-image
# builder, the quickstart script and the shim's drop-in installer; shipped in the tarball,
# nothing to build.
EXTRA_DIST += %reldir%/make-test-image.sh %reldir%/quickstart.sh %reldir%/cleat-dropin.sh \
	%reldir%/containerd %reldir%/docker %reldir%/kubernetes %reldir%/podman

# The installed shim answering for containerd-shim-runc-v2 (a symlink in
# $(DROPIN_DIR), first on containerd's PATH through a systemd drop-in); never touches
# the distribution's containerd-shim-runc-v2. Run after `make install`.
DROPIN_DIR = $(libexecdir)/cleat/dropin
DROPIN_UNIT_DIR = /etc/systemd/system
install-dropin:
	$(SHELL) $(top_srcdir)/contrib/cleat-dropin.sh --destdir '$(DESTDIR)' \
		--dir '$(DROPIN_DIR)' --unit-dir '$(DROPIN_UNIT_DIR)' \
		--shim '$(bindir)/containerd-shim-cleat-v2' install
uninstall-dropin:
	$(SHELL) $(top_srcdir)/contrib/cleat-dropin.sh --destdir '$(DESTDIR)' \
		--dir '$(DROPIN_DIR)' --unit-dir '$(DROPIN_UNIT_DIR)' uninstall
.PHONY: install-dropin uninstall-dropin
