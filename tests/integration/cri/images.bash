# shellcheck shell=bash
# A registry on 127.0.0.1 holding the images critest pulls, every one made here from
# busybox-static (the suite's test rootfs); loaded after helpers (`load cri/images`).
# containerd's CRI always asks a registry when asked to pull, and nothing may leave the
# machine, so every registry name critest uses is mapped onto this one by hosts.toml files.
#
#   cri_registry_start DIR   start Debian's docker-registry on a free 127.0.0.1 port with its
#                            storage under DIR; sets CRI_REGISTRY (host:port), CRI_REGISTRY_PID
#   cri_registry_stop        stop it by the PID started
#   cri_hosts_dir DIR        write DIR/<registry>/hosts.toml for every registry critest names,
#                            each pointing at CRI_REGISTRY only (no fallback to the real one)
#   cri_push_images DIR      build and push critest's images (DIR: scratch space)
#   CRI_SANDBOX_IMAGE        the pause image the CRI plugin is pinned to (pushed too)

CRI_SANDBOX_IMAGE=registry.k8s.io/pause:3.10.2
# The registries critest's image names use.
CRI_REGISTRY_NAMES=(registry.k8s.io k8s.gcr.io gcr.io docker.io)

cri_registry_start() {
	local dir=$1 port i
	mkdir -p "$dir/storage"
	# A free port: ask the kernel for one, then give it to the registry (a race with another
	# listener is possible but shows as a start failure, not as a wrong registry).
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat >"$dir/config.yml" <<-EOF
		version: 0.1
		log:
		  level: warn
		storage:
		  filesystem:
		    rootdirectory: $dir/storage
		  delete:
		    enabled: true
		http:
		  addr: 127.0.0.1:$port
	EOF
	docker-registry serve "$dir/config.yml" </dev/null >"$dir/registry.log" 2>&1 3>&- &
	CRI_REGISTRY_PID=$!
	CRI_REGISTRY=127.0.0.1:$port
	export CRI_REGISTRY CRI_REGISTRY_PID
	for ((i = 0; i < 100; i++)); do
		curl -fsS "http://$CRI_REGISTRY/v2/" >/dev/null 2>&1 && return 0
		kill -0 "$CRI_REGISTRY_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "cri_registry_start: the registry did not answer; its log:" >&2
	tail -n 20 "$dir/registry.log" >&2
	cri_registry_stop
	return 1
}

cri_registry_stop() {
	[ -n "${CRI_REGISTRY_PID:-}" ] || return 0
	kill "$CRI_REGISTRY_PID" 2>/dev/null || true
	wait "$CRI_REGISTRY_PID" 2>/dev/null || true
	CRI_REGISTRY_PID=
}

# containerd (1.6 and 2.x alike) falls back to the named registry itself when a hosts.toml
# has only `server`; a [host] table with pull and resolve keeps every request on ours.
cri_hosts_dir() {
	local dir=$1 name
	for name in "${CRI_REGISTRY_NAMES[@]}"; do
		mkdir -p "$dir/$name"
		cat >"$dir/$name/hosts.toml" <<-EOF
			server = "http://$CRI_REGISTRY"
			[host."http://$CRI_REGISTRY"]
			  capabilities = ["pull", "resolve"]
			  skip_verify = true
		EOF
	done
}

# _cri_blob REPO FILE: upload FILE as a blob of REPO (monolithic upload); prints its digest.
_cri_blob() {
	local repo=$1 file=$2 digest loc
	digest=sha256:$(sha256sum "$file" | cut -d' ' -f1)
	if curl -fsS -o /dev/null -I "http://$CRI_REGISTRY/v2/$repo/blobs/$digest" 2>/dev/null; then
		echo "$digest"
		return 0
	fi
	loc=$(curl -fsS -X POST -D - -o /dev/null "http://$CRI_REGISTRY/v2/$repo/blobs/uploads/" |
		tr -d '\r' | sed -n 's/^[Ll]ocation: //p') || return 1
	[ -n "$loc" ] || return 1
	case $loc in http*) ;; *) loc=http://$CRI_REGISTRY$loc ;; esac
	[[ $loc == *\?* ]] && loc+="&digest=$digest" || loc+="?digest=$digest"
	curl -fsS -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$file" "$loc" \
		-o /dev/null || return 1
	echo "$digest"
}

# _cri_push WORK REF CONFIG_JQ [LAYER_DIR]: push REF (registry/repo:tag; the registry part is
# dropped, every name maps to ours) made of the base layer, LAYER_DIR as a second layer if
# given, and an image config that the jq filter CONFIG_JQ edits. Each REF gets an image of its
# own (a label naming it), so no two critest images share an ID unless a filter says so.
_cri_push() {
	local work=$1 ref=$2 filter=$3 extra=${4:-} repo tag path layers diffs cfg man
	path=${ref#*/}
	repo=${path%:*}
	tag=${path##*:}
	layers=$(jq -n '[]')
	diffs=$(jq -n '[]')
	local tgz d
	for tgz in "$work/base.tar.gz" ${extra:+"$work/layer-$(basename "$extra").tar.gz"}; do
		if [ ! -e "$tgz" ]; then
			tar -C "$extra" --sort=name --mtime=@0 --numeric-owner --format=posix -cf "${tgz%.gz}" . &&
				gzip -n -6 "${tgz%.gz}" || return 1
		fi
		d=$(_cri_blob "$repo" "$tgz") || return 1
		layers=$(jq --arg d "$d" --argjson s "$(stat -c %s "$tgz")" \
			'. + [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $d, size: $s}]' <<<"$layers")
		diffs=$(jq --arg d "sha256:$(gzip -dc "$tgz" | sha256sum | cut -d' ' -f1)" '. + [$d]' <<<"$diffs")
	done
	cfg=$work/config.json
	jq -n --argjson diffs "$diffs" --arg path "$path" '{
		architecture: "amd64", os: "linux", created: "1970-01-01T00:00:00Z",
		config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
			Cmd: ["sh"], WorkingDir: "/", Labels: {"cleat.test.image": $path}},
		rootfs: {type: "layers", diff_ids: $diffs}
	}' | jq "$filter" >"$cfg" || return 1
	d=$(_cri_blob "$repo" "$cfg") || return 1
	man=$work/manifest.json
	jq -n --arg d "$d" --argjson s "$(stat -c %s "$cfg")" --argjson layers "$layers" '{
		schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
		config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $d, size: $s},
		layers: $layers
	}' >"$man"
	curl -fsS -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
		--data-binary "@$man" "http://$CRI_REGISTRY/v2/$repo/manifests/$tag" -o /dev/null
}

# _cri_web_layer DIR NAME PORT: a layer whose /usr/sbin/NAME serves a page on PORT with busybox
# httpd, logs a line naming itself and writes its PID to /var/run/nginx.pid, as the images
# critest expects do. It is a shell script, so its process is named NAME (pidof finds it)
# and its command line holds the arguments the image gives it ("master process", which
# critest looks for in /proc/1/cmdline).
_cri_web_layer() {
	local dir=$1 name=$2 port=$3
	mkdir -p "$dir/www" "$dir/var/run" "$dir/usr/sbin"
	echo '<html><body>Welcome to nginx!</body></html>' >"$dir/www/index.html"
	cat >"$dir/usr/sbin/$name" <<-EOF
		#!/bin/sh
		echo \$\$ >/var/run/nginx.pid
		echo "$name: serving on port $port" >&2
		httpd -f -p $port -h /www &
		trap 'kill \$!; exit 0' TERM INT
		wait
	EOF
	chmod 755 "$dir/usr/sbin/$name"
}

cri_push_images() {
	local work=$1 e2e=registry.k8s.io/e2e-test-images k=gcr.io/k8s-staging-cri-tools n
	mkdir -p "$work"
	ensure_test_image || return 1
	# The suite's rootfs with busybox's applets as hard links, as in the busybox images
	# critest expects: a masked path (/bin/ls) then masks that name, not busybox itself.
	cp -a "$TEST_ROOTFS" "$work/rootfs" || return 1
	find "$work/rootfs" -type l -lname busybox -exec ln -f "$work/rootfs/bin/busybox" {} \; || return 1
	tar -C "$work/rootfs" --sort=name --mtime=@0 --numeric-owner --format=posix -cf "$work/base.tar" . &&
		gzip -n -6 "$work/base.tar" || return 1

	# Extra layers: users and groups the user images name, web servers, the setuid helper.
	mkdir -p "$work/users/etc"
	{ cat "$TEST_ROOTFS/etc/passwd"; echo 'www-data:x:33:33:www-data:/var/www:/bin/false'; } >"$work/users/etc/passwd"
	{ cat "$TEST_ROOTFS/etc/group"; echo 'www-data:x:33:'; } >"$work/users/etc/group"
	_cri_web_layer "$work/nginx" nginx 80
	_cri_web_layer "$work/httpd" httpd-foreground 80
	_cri_web_layer "$work/hostnet" nginx 12003
	# The image that predefines a group for uid 1000: that group only.
	mkdir -p "$work/predefined/etc"
	cp "$work/users/etc/passwd" "$work/predefined/etc/passwd"
	sed '/^extra:/d' "$TEST_ROOTFS/etc/group" >"$work/predefined/etc/group"
	echo 'predefined:x:50000:user' >>"$work/predefined/etc/group"
	# Debian's busybox-static has neither ipcs nor pgrep, which critest runs in its busybox
	# image: `ipcs -m` (HostIpc specs look for a segment's id, which /proc/sysvipc/shm lists)
	# and `pgrep NAME` (the PIDs of the processes named NAME).
	mkdir -p "$work/tools/usr/bin"
	printf '#!/bin/sh\ncat /proc/sysvipc/shm\n' >"$work/tools/usr/bin/ipcs"
	cat >"$work/tools/usr/bin/pgrep" <<-'EOF'
		#!/bin/sh
		rc=1
		for p in /proc/[0-9]*; do
			[ "$(cat "$p/comm" 2>/dev/null)" = "$1" ] && echo "${p#/proc/}" && rc=0
		done
		exit $rc
	EOF
	chmod 755 "$work/tools/usr/bin/ipcs" "$work/tools/usr/bin/pgrep"
	mkdir -p "$work/nnp/bin"
	${CC_FOR_TESTS:-cc} -static -O2 -Wall -Wextra -o "$work/nnp/bin/euid" "$INTEGRATION_DIR/cri/euid.c" || return 1
	chmod 4755 "$work/nnp/bin/euid"

	_cri_push "$work" "$e2e/busybox:1.29-2" . "$work/tools" || return 1
	_cri_push "$work" "$CRI_SANDBOX_IMAGE" '.config.Cmd = ["/bin/pause"]' || return 1
	_cri_push "$work" registry.k8s.io/pause:3.9 '.config.Cmd = ["/bin/pause"]' || return 1
	_cri_push "$work" "$e2e/nginx:1.14-2" '.config.Cmd = ["/usr/sbin/nginx", "-g", "master process"]' "$work/nginx" || return 1
	_cri_push "$work" "$e2e/httpd:2.4.39-4" '.config.Cmd = ["/usr/sbin/httpd-foreground", "master process"]' "$work/httpd" || return 1
	_cri_push "$work" "$k/hostnet-nginx-amd64:latest" '.config.Cmd = ["/usr/sbin/nginx", "-g", "master process"]' "$work/hostnet" || return 1
	_cri_push "$work" "$e2e/nonewprivs:1.3" '.config.Cmd = ["/bin/euid"]' "$work/nnp" || return 1
	_cri_push "$work" "$k/test-image-user-uid:latest" '.config.User = "1002"' "$work/users" || return 1
	_cri_push "$work" "$k/test-image-user-username:latest" '.config.User = "www-data"' "$work/users" || return 1
	_cri_push "$work" "$k/test-image-user-uid-group:latest" '.config.User = "1003:33"' "$work/users" || return 1
	_cri_push "$work" "$k/test-image-user-username-group:latest" '.config.User = "www-data:www-data"' "$work/users" || return 1
	_cri_push "$work" "$k/test-image-predefined-group:latest" '.config.User = "1000"' "$work/predefined" || return 1
	for n in test-image-latest:latest test-image-tag:test test-image-tag:all test-image-1:latest \
		test-image-2:latest test-image-3:latest; do
		_cri_push "$work" "$k/$n" . || return 1
	done
	# One image under three tags; pause:3.9 from two registries is one image too (both names
	# map to this registry's one repository).
	for n in 1 2 3; do
		_cri_push "$work" "$k/test-image-tags:$n" '.config.Labels["cleat.test.image"] = "tags"' || return 1
	done
}
