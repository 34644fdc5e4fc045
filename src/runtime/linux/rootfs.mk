# rootfs, mounts, devices
libcleat_a_SOURCES += \
	%reldir%/rootfs.c %reldir%/rootfs_internal.h \
	%reldir%/mounts.c %reldir%/mount_cgroup.c %reldir%/mountinfo.c \
	%reldir%/mount_options.c %reldir%/mount_options.h \
	%reldir%/safe_path.c %reldir%/safe_path.h \
	%reldir%/devices.c %reldir%/masked.c %reldir%/sysctl.c \
	%reldir%/procfs.c %reldir%/procfs.h \
	%reldir%/idmap.c %reldir%/idmap.h \
	%reldir%/mount_source.c %reldir%/mount_source.h \
	%reldir%/tmpcopy.c %reldir%/tmpcopy.h
