#!/bin/bash
# capture-cri-config.sh OUT: write to OUT the config.json that containerd's CRI plugin
# (Debian's containerd 1.6) gives its runtime for a Kubernetes pod's container: a pod
# sandbox (with its own network namespace from CNI, a cgroup parent as the kubelet's
# cgroupfs driver names a BestEffort pod's, RuntimeDefault seccomp) and in it a container
# running /bin/true with RuntimeDefault seccomp and what the kubelet adds to every container
# (masked and read-only paths, termination-log and token mounts, BestEffort resources),
# joining the pause container's network, IPC and UTS namespaces by path, in a pid namespace
# of its own (the kubelet's default).
#
# How: a containerd of our own (own root, state and sockets) with the CRI plugin, whose
# runtime is containerd-shim-runc-v2 with BinaryName a wrapper that copies each bundle's
# config.json on `create` and then runs runc; crictl (cri-tools' CLI, built from its Go
# module into $CLEAT_TEST_CACHE/bench, like the peers) runs the pod and the container.
# Nothing is pulled: the test image is imported, and the sandbox image is the same rootfs
# with /bin/pause as its command. The pod's network is CNI's loopback plus
# tests/integration/cri/cni-loopback-ip.sh (no interface, no traffic). containerd is
# stopped by PID. restrict_oom_score_adj is set (the pause container's -998 becomes the
# caller's score) where root lacks CAP_SYS_RESOURCE and cannot lower a score; the
# container's own score (1000, BestEffort) is not affected.
#
# Bind-mount sources under containerd's own directories (the sandbox's hosts, hostname,
# resolv.conf and /dev/shm) and the kubelet's stand-ins below are written as
# @CAPTURED-FILE@/REL or @CAPTURED-DIR@/REL, for the bench to point at files and
# directories of its own. Used by runtime-bench.sh, which caches the result (per containerd
# version and this script's checksum); not part of the test suite.
set -euo pipefail

OUT=${1:?usage: capture-cri-config.sh OUT}
SRC=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=common.sh
. "$SRC/bench/common.sh"
bench_capture_prologue capture-cri-config.sh

if [ ! -x /usr/lib/cni/loopback ]; then
	echo "capture-cri-config.sh: no /usr/lib/cni/loopback (Debian package" \
		"containernetworking-plugins)" >&2
	exit 1
fi

# crictl, built once per version from the module cache the peers use.
CRICTL_VERSION=${CRICTL_VERSION:-v1.37.0}
CRICTL=${CRICTL:-$CLEAT_TEST_CACHE/bench/crictl-$CRICTL_VERSION}
if [ ! -x "$CRICTL" ]; then
	GO=$(command -v go || echo /usr/local/go/bin/go)
	[ -x "$GO" ] || { echo "capture-cri-config.sh: no Go toolchain to build crictl" >&2; exit 2; }
	build=$(mktemp -d /tmp/cleat-crictl-build.XXXXXX)
	trap 'rm -rf "$build"' EXIT
	printf 'module cleat-crictl-build\n\ngo 1.24\n' >"$build/go.mod"
	echo "capture-cri-config.sh: building crictl $CRICTL_VERSION into $CRICTL" >&2
	(cd "$build" && export GOCACHE=$CLEAT_TEST_CACHE/peers/go/cache \
		GOMODCACHE=$CLEAT_TEST_CACHE/peers/go/mod GOFLAGS=-mod=mod GOTOOLCHAIN=local &&
		"$GO" get "sigs.k8s.io/cri-tools@$CRICTL_VERSION" &&
		"$GO" build -o "$build/crictl" sigs.k8s.io/cri-tools/cmd/crictl) >"$build/log" 2>&1 || {
		tail -n 20 "$build/log" >&2
		exit 1
	}
	mkdir -p "$(dirname "$CRICTL")"
	mv "$build/crictl" "$CRICTL"
	rm -rf "$build"
	trap - EXIT
fi

WORK=$(mktemp -d /tmp/cleat-capture-cri.XXXXXX)
chmod 755 "$WORK"
POD=
cleanup() {
	set +e
	if [ -n "$POD" ]; then
		crictl_ stopp "$POD" >/dev/null 2>&1
		crictl_ rmp -f "$POD" >/dev/null 2>&1
	fi
	stop_containerd
	rm -rf "$WORK"
}
trap cleanup EXIT
crictl_() {
	"$CRICTL" --config "$WORK/crictl.yaml" "$@"
}

# The wrapper saves each bundle's config.json; the CRI annotation
# io.kubernetes.cri.container-type tells the sandbox (pause) from the container.
bench_capture_runtime "$WORK/capture-runtime" \
	'kind=$(jq -r '"'"'.annotations["io.kubernetes.cri.container-type"] // "unknown"'"'"' "$bundle/config.json")
cp "$bundle/config.json" "'"$WORK"'/config-$kind.json"'

mkdir -p "$WORK/cni/bin" "$WORK/cni/net.d" "$WORK/logs"
ln -s /usr/lib/cni/loopback "$WORK/cni/bin/loopback"
cp "$SRC/tests/integration/cri/cni-loopback-ip.sh" "$WORK/cni/bin/cleat-loopback-ip"
cat >"$WORK/cni/net.d/10-cleat.conflist" <<EOF
{"cniVersion": "1.0.0", "name": "cleat-loopback", "plugins": [{"type": "cleat-loopback-ip"}]}
EOF
PAUSE_REF=registry.k8s.io/pause:cleat-bench
cri=plugins.\"io.containerd.grpc.v1.cri\"
CTRD_ENABLE_CRI=1
CTRD_EXTRA_CONFIG="[$cri]
  sandbox_image = \"$PAUSE_REF\"
  restrict_oom_score_adj = true
  stream_server_address = \"127.0.0.1\"
  stream_server_port = \"0\"
[$cri.cni]
  bin_dir = \"$WORK/cni/bin\"
  conf_dir = \"$WORK/cni/net.d\"
[$cri.containerd]
  default_runtime_name = \"capture\"
[$cri.containerd.runtimes.capture]
  runtime_type = \"io.containerd.runc.v2\"
[$cri.containerd.runtimes.capture.options]
  BinaryName = \"$WORK/capture-runtime\""
start_containerd >/dev/null
printf 'runtime-endpoint: unix://%s\nimage-endpoint: unix://%s\ntimeout: 60\n' \
	"$CTR_ADDRESS" "$CTR_ADDRESS" >"$WORK/crictl.yaml"

# The images, in CRI's namespace: the test image, and the sandbox image (the same layer, a
# config whose command is /bin/pause, a manifest and index naming it).
ensure_test_image
CTR_NAMESPACE=k8s.io ctr_ images import "$TEST_IMAGE_OCI_TAR" >/dev/null
mkdir -p "$WORK/pause"
tar -C "$WORK/pause" -xf "$TEST_IMAGE_OCI_TAR"
blob() { echo "$WORK/pause/blobs/sha256/${1#sha256:}"; }
put() {
	local d
	d=$(sha256sum "$1" | cut -d' ' -f1)
	mv "$1" "$WORK/pause/blobs/sha256/$d"
	echo "sha256:$d $(stat -c %s "$WORK/pause/blobs/sha256/$d")"
}
manifest=$(jq -r '.manifests[0].digest' "$WORK/pause/index.json")
config=$(jq -r '.config.digest' "$(blob "$manifest")")
jq -c '.config.Cmd = ["/bin/pause"]' "$(blob "$config")" >"$WORK/cfg.json"
read -r cdig csize < <(put "$WORK/cfg.json")
jq -c --arg d "$cdig" --argjson s "$csize" '.config.digest = $d | .config.size = $s' \
	"$(blob "$manifest")" >"$WORK/man.json"
read -r mdig msize < <(put "$WORK/man.json")
jq -c --arg d "$mdig" --argjson s "$msize" --arg ref "$PAUSE_REF" '.manifests[0] |= (.digest = $d |
	.size = $s | .annotations = {"io.containerd.image.name": $ref,
	"org.opencontainers.image.ref.name": ($ref | sub(".*:"; ""))})' \
	"$WORK/pause/index.json" >"$WORK/index.json"
mv "$WORK/index.json" "$WORK/pause/index.json"
rm -f "$WORK/pause/manifest.json"
tar -C "$WORK/pause" -cf "$WORK/pause.tar" oci-layout index.json blobs
CTR_NAMESPACE=k8s.io ctr_ images import "$WORK/pause.tar" >/dev/null

# The pod and its container, as the kubelet asks for a BestEffort pod (cgroupfs driver):
# RuntimeDefault seccomp (profile_type 0), the kubelet's default masked and read-only paths,
# its /dev/termination-log file and a service account token directory (read-only).
uid=cleat-bench-0000-0000-0000-000000000001
mkdir -p "$WORK/kubelet/token"
: >"$WORK/kubelet/termination-log"
echo token >"$WORK/kubelet/token/token"
seccomp='"seccomp": {"profile_type": 0}'
cat >"$WORK/pod.json" <<EOF
{"metadata": {"name": "bench", "namespace": "default", "uid": "$uid", "attempt": 0},
 "hostname": "bench", "log_directory": "$WORK/logs",
 "linux": {"cgroup_parent": "/kubepods/besteffort/pod$uid",
           "security_context": {"namespace_options": {"network": 0, "pid": 1, "ipc": 0},
                                $seccomp}}}
EOF
cat >"$WORK/container.json" <<EOF
{"metadata": {"name": "true", "attempt": 0},
 "image": {"image": "$TEST_IMAGE_REF"}, "command": ["/bin/true"], "log_path": "true.log",
 "mounts": [{"container_path": "/dev/termination-log", "host_path": "$WORK/kubelet/termination-log"},
            {"container_path": "/var/run/secrets/kubernetes.io/serviceaccount",
             "host_path": "$WORK/kubelet/token", "readonly": true}],
 "linux": {"resources": {"cpu_period": 100000, "cpu_shares": 2, "oom_score_adj": 1000},
           "security_context": {"namespace_options": {"network": 0, "pid": 1, "ipc": 0},
                                $seccomp,
             "masked_paths": ["/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys",
                              "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                              "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
                              "/sys/devices/virtual/powercap"],
             "readonly_paths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                "/proc/sysrq-trigger"]}}}
EOF
POD=$(crictl_ runp "$WORK/pod.json")
# CRI's CreateContainer only records the container: the runtime's create comes with start.
ctr_id=$(crictl_ create --no-pull "$POD" "$WORK/container.json" "$WORK/pod.json")
crictl_ start "$ctr_id" >/dev/null
[ -s "$WORK/config-container.json" ] || {
	echo "capture-cri-config.sh: the runtime wrapper saw no container create" >&2
	exit 1
}
# Sources under containerd's directories and ours become placeholders, by kind.
files=$(jq -r '.mounts[].source // ""' "$WORK/config-container.json" |
	while read -r f; do if [ -f "$f" ]; then echo "$f"; fi; done | jq -R . | jq -s .)
jq --arg ctrd "$CTRD_DIR/" --arg work "$WORK/" --argjson files "$files" '.mounts |= map(
	(.source // "") as $s | if ($s | startswith($ctrd) or startswith($work)) then
		.source = (if ($s | IN($files[])) then "@CAPTURED-FILE@/" else "@CAPTURED-DIR@/" end) +
			($s | ltrimstr($ctrd) | ltrimstr($work))
	else . end)' "$WORK/config-container.json" >"$WORK/out.json"
mkdir -p "$(dirname "$OUT")"
mv "$WORK/out.json" "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
