# Man pages, in scdoc.  cleat(8) and cleat-COMMAND(8) are generated at build time by
# cleat-man-gen from the command and flag tables that `cleat --help` prints (so they
# list what the parser accepts); containerd-shim-cleat-v2(8) is written by hand.
noinst_PROGRAMS += cleat-man-gen
cleat_man_gen_SOURCES = src/runtime/cli/mangen.c
cleat_man_gen_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS) $(SECCOMP_CFLAGS)
cleat_man_gen_LDADD = libcleatcli.a $(CLEAT_LIBS)
cleat_man_gen_LDFLAGS = $(AM_LDFLAGS) $(RUNTIME_LDFLAGS)

# One page per command of src/runtime/cli/commands.c (tests/integration/cli-help.bats
# checks that every command has its page installed).
CLEAT_MAN_GENERATED = man/cleat.scd \
	man/cleat-checkpoint.scd man/cleat-create.scd man/cleat-delete.scd man/cleat-events.scd \
	man/cleat-exec.scd man/cleat-kill.scd man/cleat-list.scd man/cleat-pause.scd \
	man/cleat-ps.scd man/cleat-restore.scd man/cleat-resume.scd man/cleat-run.scd \
	man/cleat-spec.scd man/cleat-start.scd man/cleat-state.scd man/cleat-update.scd \
	man/cleat-features.scd
man8_MANS = $(CLEAT_MAN_GENERATED:.scd=.8) man/containerd-shim-cleat-v2.8
EXTRA_DIST += man/containerd-shim-cleat-v2.scd
CLEANFILES += $(CLEAT_MAN_GENERATED) $(man8_MANS)

$(CLEAT_MAN_GENERATED): cleat-man-gen$(EXEEXT)
	$(AM_V_GEN)$(MKDIR_P) man && ./cleat-man-gen $$(basename $@ .scd) > $@.tmp && mv $@.tmp $@

SUFFIXES = .scd .8
.scd.8:
	$(AM_V_GEN)$(MKDIR_P) man && $(SCDOC) < $< > $@.tmp && mv $@.tmp $@
