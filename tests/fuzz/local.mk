# Fuzzing: harnesses that run the real code that reads what the other side
# controls (the backend core, libxenfbfront, xsimd's xenstored) against
# in-memory fakes of the Xen libraries (tests/fuzz/README.md).
#
# replay-NAME (built and run by `make check`): replays every committed
# input of a harness, one TAP line per file, with the suite's compiler and
# sanitizers. fuzz-NAME (built on demand by tests/fuzz/fuzz.sh, in a build
# configured with clang): the same harness under libFuzzer, linked with
# FUZZ_LDFLAGS=-fsanitize=fuzzer.
fuzz_common = tests/fuzz/input.h
fuzz_fake = tests/fuzz/fake_xen.c tests/fuzz/fake_xen.h
fuzz_replay = tests/fuzz/replay.c

# the backend core, built with the fakes
fuzz_core = backend/core/back.h backend/core/private.h \
	backend/core/back.c backend/core/log.c backend/core/xenbus.c \
	backend/core/dev.c backend/core/fb.c backend/core/kbd.c backend/core/cursor.c \
	backend/core/foreign.c backend/core/clip.c backend/core/resreq.c
fuzz_back_sources = tests/fuzz/fuzz_back.c $(fuzz_common) $(fuzz_fake) $(fuzz_core)
fuzz_back_cppflags = $(AM_CPPFLAGS) -I$(top_srcdir)/backend -I$(top_srcdir)/tests/fuzz
fuzz_front_sources = tests/fuzz/fuzz_front.c $(fuzz_common) $(fuzz_fake) \
	xenfb-agent/lib/private.h xenfb-agent/lib/front.c xenfb-agent/lib/log.c \
	xenfb-agent/lib/device.c xenfb-agent/lib/xenbus.c xenfb-agent/lib/timer.c \
	xenfb-agent/lib/grant.c xenfb-agent/lib/fbmem.c xenfb-agent/lib/fbring.c \
	xenfb-agent/lib/kbdring.c xenfb-agent/lib/cursor.c xenfb-agent/lib/clip.c \
	xenfb-agent/lib/resreq.c
fuzz_front_cppflags = $(XFB_FRONT_CPPFLAGS) -I$(top_srcdir)/tests/fuzz
fuzz_xsimd_sources = tests/fuzz/fuzz_xsimd.c $(fuzz_common) $(xs_store_sources) \
	tests/xsim/xsimd/xs_conn.c tests/xsim/xsimd/xs_conn.h \
	tests/xsim/xsimd/xs_req.c tests/xsim/xsimd/xs_watch.c tests/xsim/xsimd/xs_domain.c \
	tests/xsim/xsimd/ctl.h tests/xsim/xsimd/ctl_args.c tests/xsim/xsimd/domain.h \
	tests/xsim/xsimd/loop.h
fuzz_xsimd_cppflags = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/xsim/xsimd -I$(top_srcdir)/tests/fuzz
fuzz_rfb_sources = tests/fuzz/fuzz_rfb.c backend/rfbfilter.c backend/rfbfilter.h
fuzz_rfb_cppflags = $(AM_CPPFLAGS) -I$(top_srcdir)/backend

check_PROGRAMS += tests/fuzz/replay-front tests/fuzz/replay-xsimd
TESTS += tests/fuzz/replay-front tests/fuzz/replay-xsimd
EXTRA_PROGRAMS = tests/fuzz/fuzz-front tests/fuzz/fuzz-xsimd

tests_fuzz_replay_front_SOURCES = $(fuzz_front_sources) $(fuzz_replay)
tests_fuzz_replay_front_CPPFLAGS = $(fuzz_front_cppflags) -DFUZZ_NAME='"front"'
tests_fuzz_replay_front_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
tests_fuzz_replay_front_LDADD = xenfb-agent/proto/libxfbproto.la
tests_fuzz_fuzz_front_SOURCES = $(fuzz_front_sources)
tests_fuzz_fuzz_front_CPPFLAGS = $(fuzz_front_cppflags)
tests_fuzz_fuzz_front_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
tests_fuzz_fuzz_front_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_front_LDADD = xenfb-agent/proto/libxfbproto.la

tests_fuzz_replay_xsimd_SOURCES = $(fuzz_xsimd_sources) $(fuzz_replay)
tests_fuzz_replay_xsimd_CPPFLAGS = $(fuzz_xsimd_cppflags) -DFUZZ_NAME='"xsimd"'
tests_fuzz_fuzz_xsimd_SOURCES = $(fuzz_xsimd_sources)
tests_fuzz_fuzz_xsimd_CPPFLAGS = $(fuzz_xsimd_cppflags)
tests_fuzz_fuzz_xsimd_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)

if BACKEND
check_PROGRAMS += tests/fuzz/replay-back
TESTS += tests/fuzz/replay-back
EXTRA_PROGRAMS += tests/fuzz/fuzz-back
tests_fuzz_replay_back_SOURCES = $(fuzz_back_sources) $(fuzz_replay)
tests_fuzz_replay_back_CPPFLAGS = $(fuzz_back_cppflags) -DFUZZ_NAME='"back"'
tests_fuzz_replay_back_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
tests_fuzz_replay_back_LDADD = xenfb-agent/proto/libxfbproto.la
tests_fuzz_fuzz_back_SOURCES = $(fuzz_back_sources)
tests_fuzz_fuzz_back_CPPFLAGS = $(fuzz_back_cppflags)
tests_fuzz_fuzz_back_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
tests_fuzz_fuzz_back_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_back_LDADD = xenfb-agent/proto/libxfbproto.la

# the core's release as its viewers see it (tests/unit/test-release.c),
# against the same fakes of the Xen libraries
check_PROGRAMS += tests/unit/test-release
TESTS += tests/unit/test-release
tests_unit_test_release_SOURCES = tests/unit/test-release.c $(fuzz_fake) $(fuzz_core)
tests_unit_test_release_CPPFLAGS = $(fuzz_back_cppflags)
tests_unit_test_release_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
tests_unit_test_release_LDADD = xenfb-agent/proto/libxfbproto.la

check_PROGRAMS += tests/fuzz/replay-rfb
TESTS += tests/fuzz/replay-rfb
EXTRA_PROGRAMS += tests/fuzz/fuzz-rfb
tests_fuzz_replay_rfb_SOURCES = $(fuzz_rfb_sources) $(fuzz_replay)
tests_fuzz_replay_rfb_CPPFLAGS = $(fuzz_rfb_cppflags) -DFUZZ_NAME='"rfb"'
tests_fuzz_fuzz_rfb_SOURCES = $(fuzz_rfb_sources)
tests_fuzz_fuzz_rfb_CPPFLAGS = $(fuzz_rfb_cppflags)
tests_fuzz_fuzz_rfb_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
endif

EXTRA_DIST += tests/fuzz/README.md tests/fuzz/fuzz.sh tests/fuzz/make-seeds.py \
	tests/fuzz/corpus tests/fuzz/regress tests/fuzz/grown
