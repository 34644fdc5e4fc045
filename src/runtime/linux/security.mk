# caps, seccomp, LSM, sched, self-exe, hooks (owner: security helper)
libcleat_a_SOURCES += %reldir%/security_stub.c %reldir%/hooks.c %reldir%/hooks.h
