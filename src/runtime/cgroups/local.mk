# cgroup drivers (owner: cgroups helper)
libcleat_a_SOURCES += %reldir%/cgroups_stub.c
