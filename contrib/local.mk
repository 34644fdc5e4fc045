# contrib: daemon configuration snippets, the test-image
# builder and the quickstart script; shipped in the tarball, nothing to build.
EXTRA_DIST += %reldir%/make-test-image.sh %reldir%/quickstart.sh \
	%reldir%/containerd %reldir%/docker %reldir%/kubernetes %reldir%/podman
