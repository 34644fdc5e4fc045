#!/bin/sh
# A CNI plugin that creates nothing: containerd's CRI wants an interface with an address in
# every pod's CNI result, and pods here must stay off any real network. The pod's netns keeps
# only its loopback (containerd's internal loopback brings it up); the result reports eth0 with
# 127.0.0.2, so the pod "has" an address that leads nowhere but this machine.
case $CNI_COMMAND in
ADD)
	cat >/dev/null
	printf '{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"%s"}],' "$CNI_NETNS"
	printf '"ips":[{"address":"127.0.0.2/8","interface":0}]}\n'
	;;
VERSION)
	echo '{"cniVersion":"1.0.0","supportedVersions":["0.4.0","1.0.0"]}'
	;;
*)
	cat >/dev/null
	;;
esac
