# caps, seccomp, LSM, sched, personality, self-exe, hooks
libcleat_a_SOURCES += \
	%reldir%/caps.c %reldir%/caps.h \
	%reldir%/seccomp.c %reldir%/seccomp.h %reldir%/seccomp_enosys.c \
	%reldir%/seccomp_cache.c %reldir%/seccomp_cache.h \
	%reldir%/lsm.c %reldir%/lsm.h \
	%reldir%/sched.c %reldir%/sched.h \
	%reldir%/personality.c %reldir%/personality.h \
	%reldir%/mempolicy.c %reldir%/resctrl.c %reldir%/resctrl.h \
	%reldir%/selfexe.c %reldir%/selfexe.h \
	%reldir%/hooks.c %reldir%/hooks.h \
	%reldir%/json_gen.c %reldir%/json_gen.h
