# unit tests for rootfs (owner: rootfs helper)
