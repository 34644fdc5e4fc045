# rootfs, mounts, devices (owner: rootfs helper)
libcleat_a_SOURCES += %reldir%/rootfs_stub.c
