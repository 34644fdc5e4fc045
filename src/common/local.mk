noinst_LIBRARIES += libcleatcommon.a
libcleatcommon_a_SOURCES = \
	%reldir%/cleanup.h \
	%reldir%/scm_fd.h \
	%reldir%/error.c %reldir%/error.h \
	%reldir%/log.c %reldir%/log.h \
	%reldir%/util.c %reldir%/util.h
# sha256 for the shim's socket name
libcleatcommon_a_SOURCES += %reldir%/sha256.c %reldir%/sha256.h
# mount(8) flag words for the runtime and the shim
libcleatcommon_a_SOURCES += %reldir%/mount_flags.c %reldir%/mount_flags.h
# wait status -> exit code, for the runtime and the shim
libcleatcommon_a_SOURCES += %reldir%/exit_status.c %reldir%/exit_status.h
# UTC timestamps without loading a time zone file
libcleatcommon_a_SOURCES += %reldir%/utc_time.c %reldir%/utc_time.h
# the uid and gid range, and ids given as text
libcleatcommon_a_SOURCES += %reldir%/ids.c %reldir%/ids.h
# long user-supplied text cut for messages
libcleatcommon_a_SOURCES += %reldir%/cut.c %reldir%/cut.h
# users by uid from a passwd file, without NSS
libcleatcommon_a_SOURCES += %reldir%/passwd.c %reldir%/passwd.h
# user namespaces that carry an idmapping, for idmapped mounts
libcleatcommon_a_SOURCES += %reldir%/userns.c %reldir%/userns.h
