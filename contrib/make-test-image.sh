#!/bin/bash
# Build cleat's test image from busybox-static, with no registry involved.
#
# There is no registry on the machines cleat is tested on, and a daemon asked to pull would
# resolve a registry's name through the machine's resolver, so
# every image the tests and the README use is made here from /bin/busybox.
#
# Usage:
#   make-test-image.sh rootfs DIR                 busybox + applet links, /etc/passwd, /etc/group
#   make-test-image.sh bundle DIR [ARG...]        DIR/rootfs + DIR/config.json (args ARG..., default sh)
#   make-test-image.sh docker-tar FILE            rootfs tarball for `docker import FILE busybox:cleat-test`
#   make-test-image.sh oci-image FILE [REF]       OCI image layout tar for `ctr images import FILE`;
#                                                 also a docker-archive, so `docker load -i FILE` works
#   make-test-image.sh all DIR                    all of the above under DIR
#
# Options (before the verb):
#   -b BUSYBOX    the static busybox to use (default: /bin/busybox, which must be static)
#   -x FILE       also install FILE (a static binary) as /bin/$(basename FILE); repeatable
#   -s RUNTIME    runtime whose `spec` writes config.json (default: cleat from PATH, else runc)
#
# The default image reference is docker.io/library/busybox:cleat-test.
set -euo pipefail

BUSYBOX=/bin/busybox
EXTRA=()
SPEC_RUNTIME=
DEFAULT_REF=docker.io/library/busybox:cleat-test
# The PATH runc's default spec uses; the image config carries the same one.
IMAGE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

die() {
	echo "make-test-image.sh: $*" >&2
	exit 1
}

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
	exit 2
}

# Write the rootfs: busybox with one symlink per applet, the users the tests switch to,
# and the empty mount points every runtime expects to find.
make_rootfs() {
	local dir=$1 applet f
	[ -x "$BUSYBOX" ] || die "$BUSYBOX not found: install the Debian package busybox-static"
	# A dynamic busybox would need the host's libc inside the container.
	if LC_ALL=C file -L "$BUSYBOX" 2>/dev/null | grep -q 'dynamically linked'; then
		die "$BUSYBOX is dynamically linked: install the Debian package busybox-static"
	fi
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc,root,tmp,var/tmp,run,proc,sys,dev,home/user,mnt}
	chmod 1777 "$dir/tmp" "$dir/var/tmp"
	chmod 0700 "$dir/root"
	install -m 0755 "$BUSYBOX" "$dir/bin/busybox"
	for applet in $("$BUSYBOX" --list); do
		[ "$applet" = busybox ] && continue
		ln -sfn busybox "$dir/bin/$applet"
	done
	for f in "${EXTRA[@]}"; do
		install -m 0755 "$f" "$dir/bin/$(basename "$f")"
	done
	cat >"$dir/etc/passwd" <<-'EOF'
		root:x:0:0:root:/root:/bin/sh
		daemon:x:1:1:daemon:/usr/sbin:/bin/false
		user:x:1000:1000:test user:/home/user:/bin/sh
		nobody:x:65534:65534:nobody:/nonexistent:/bin/false
	EOF
	cat >"$dir/etc/group" <<-'EOF'
		root:x:0:
		daemon:x:1:
		tty:x:5:
		user:x:1000:
		extra:x:1001:user
		nogroup:x:65534:
	EOF
	echo cleat-test >"$dir/etc/hostname"
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$dir/etc/hosts"
	: >"$dir/etc/resolv.conf"
	chown 1000:1000 "$dir/home/user"
}

# Write a runc-style default config.json for a bundle, with terminal off (tests have no tty)
# and the given process args.
make_config() {
	local bundle=$1
	shift
	local args_json rt=$SPEC_RUNTIME tmp
	if [ -z "$rt" ]; then
		if command -v cleat >/dev/null; then rt=cleat; else rt=runc; fi
	fi
	tmp=$(mktemp -d)
	# `spec` refuses to overwrite, so write it into an empty directory first.
	if ! (cd "$tmp" && "$rt" spec >/dev/null 2>&1) && [ "$rt" != runc ]; then
		(cd "$tmp" && runc spec) || { rm -rf "$tmp"; die "neither $rt spec nor runc spec works"; }
	fi
	[ -s "$tmp/config.json" ] || { rm -rf "$tmp"; die "$rt spec wrote no config.json"; }
	[ $# -gt 0 ] || set -- sh
	args_json=$(jq -nc '$ARGS.positional' --args "$@")
	jq --argjson args "$args_json" '.process.terminal = false | .process.args = $args' \
		"$tmp/config.json" >"$bundle/config.json"
	rm -rf "$tmp"
}

make_bundle() {
	local dir=$1
	shift
	mkdir -p "$dir"
	make_rootfs "$dir/rootfs"
	make_config "$dir" "$@"
}

# A deterministic tar of a rootfs: same input, same digest.
tar_rootfs() {
	local rootfs=$1 out=$2
	tar -C "$rootfs" --sort=name --mtime=@0 --numeric-owner --format=posix \
		--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
		-cf "$out" .
}

make_docker_tar() {
	local out=$1 tmp
	tmp=$(mktemp -d)
	make_rootfs "$tmp/rootfs"
	tar_rootfs "$tmp/rootfs" "$out"
	rm -rf "$tmp"
}

sha256() {
	sha256sum "$1" | cut -d' ' -f1
}

# Store FILE as a content-addressed blob; print its digest's hex.
put_blob() {
	local layout=$1 file=$2 hex
	hex=$(sha256 "$file")
	mv "$file" "$layout/blobs/sha256/$hex"
	echo "$hex"
}

# An OCI image layout (index.json, oci-layout, blobs/sha256/*) in a tar, as
# `ctr images import` reads it. The index entry names the image with both annotations
# containerd knows (io.containerd.image.name is what ctr 1.6 uses without --base-name).
# A manifest.json in docker-archive form rides along so `docker load` accepts the same file.
make_oci_image() {
	local out=$1 ref=${2:-$DEFAULT_REF} tmp layout layer_tar diff_id layer_hex layer_size
	local config_hex config_size manifest_hex manifest_size tag
	tmp=$(mktemp -d)
	layout=$tmp/layout
	mkdir -p "$layout/blobs/sha256"
	make_rootfs "$tmp/rootfs"
	layer_tar=$tmp/layer.tar
	tar_rootfs "$tmp/rootfs" "$layer_tar"
	diff_id=$(sha256 "$layer_tar")
	gzip -n -6 "$layer_tar"
	layer_size=$(stat -c %s "$layer_tar.gz")
	layer_hex=$(put_blob "$layout" "$layer_tar.gz")

	jq -n --arg diff "sha256:$diff_id" --arg path "PATH=$IMAGE_PATH" '{
		architecture: "amd64", os: "linux", created: "1970-01-01T00:00:00Z",
		config: {Env: [$path], Cmd: ["sh"], WorkingDir: "/"},
		rootfs: {type: "layers", diff_ids: [$diff]},
		history: [{created: "1970-01-01T00:00:00Z",
			created_by: "contrib/make-test-image.sh (busybox-static)"}]
	}' >"$tmp/config.json"
	config_size=$(stat -c %s "$tmp/config.json")
	config_hex=$(put_blob "$layout" "$tmp/config.json")

	jq -n --arg c "sha256:$config_hex" --argjson cs "$config_size" \
		--arg l "sha256:$layer_hex" --argjson ls "$layer_size" '{
		schemaVersion: 2,
		mediaType: "application/vnd.oci.image.manifest.v1+json",
		config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
		layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $l,
			size: $ls}]
	}' >"$tmp/manifest.json"
	manifest_size=$(stat -c %s "$tmp/manifest.json")
	manifest_hex=$(put_blob "$layout" "$tmp/manifest.json")

	tag=${ref##*/}
	[[ $tag == *:* ]] && tag=${tag##*:} || tag=latest
	jq -n --arg m "sha256:$manifest_hex" --argjson ms "$manifest_size" --arg ref "$ref" \
		--arg tag "$tag" '{
		schemaVersion: 2,
		mediaType: "application/vnd.oci.image.index.v1+json",
		manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m,
			size: $ms, platform: {architecture: "amd64", os: "linux"},
			annotations: {"io.containerd.image.name": $ref,
				"org.opencontainers.image.ref.name": $tag}}]
	}' >"$layout/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
	# docker load wants the short name for docker.io/library images.
	jq -n --arg c "blobs/sha256/$config_hex" --arg l "blobs/sha256/$layer_hex" \
		--arg ref "${ref#docker.io/library/}" \
		'[{Config: $c, RepoTags: [$ref], Layers: [$l]}]' >"$layout/manifest.json"

	tar -C "$layout" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
		-cf "$out" oci-layout index.json manifest.json blobs
	rm -rf "$tmp"
}

while getopts b:x:s:h opt; do
	case $opt in
	b) BUSYBOX=$OPTARG ;;
	x) [ -x "$OPTARG" ] || die "$OPTARG is not an executable"; EXTRA+=("$(realpath "$OPTARG")") ;;
	s) SPEC_RUNTIME=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || usage
command -v jq >/dev/null || die "jq not found: install the Debian package jq"

verb=$1
shift
case $verb in
rootfs) make_rootfs "$1" ;;
bundle) make_bundle "$@" ;;
docker-tar) make_docker_tar "$1" ;;
oci-image) make_oci_image "$@" ;;
all)
	mkdir -p "$1"
	make_rootfs "$1/rootfs"
	make_bundle "$1/bundle"
	make_docker_tar "$1/busybox-rootfs.tar"
	make_oci_image "$1/busybox-oci.tar"
	;;
*) usage ;;
esac
