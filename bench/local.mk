# bench: side-by-side timings against runc, crun and
# containerd-shim-runc-v2. Not part of any test target: timings are reported, never asserted.
EXTRA_DIST += %reldir%/run-phases.sh
EXTRA_DIST += %reldir%/runtime-bench.sh %reldir%/shim-bench.sh %reldir%/docker-bench.sh \
	%reldir%/podman-bench.sh %reldir%/docker-phases.awk %reldir%/mem-floor.sh \
	%reldir%/common.sh %reldir%/capture-docker-config.sh %reldir%/capture-cri-config.sh %reldir%/floor.c \
	%reldir%/container-trace.sh %reldir%/container-trace.awk
