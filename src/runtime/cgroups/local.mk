# cgroup drivers
libcleat_a_SOURCES += %reldir%/internal.h %reldir%/detect.c %reldir%/path.c %reldir%/io.c \
	%reldir%/convert.c %reldir%/bpf_devices.c %reldir%/resources_v1.c %reldir%/resources_v2.c \
	%reldir%/manager.c %reldir%/stats.c %reldir%/systemd_props.c %reldir%/systemd.c \
	%reldir%/verbs.h %reldir%/verbs.c %reldir%/join.c \
	%reldir%/precheck.c %reldir%/exec_sub.c
