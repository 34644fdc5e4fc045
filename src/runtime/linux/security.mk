# caps, seccomp, LSM, sched, self-exe (owner: security helper)
libcleat_a_SOURCES += %reldir%/security_stub.c
