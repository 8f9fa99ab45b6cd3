# Hostile guests against `xenfb-backend serve` (tests/hostile/README.md).
hostile_tests = \
	tests/hostile/flood.sh \
	tests/hostile/geometry.sh \
	tests/hostile/grants.sh \
	tests/hostile/xenstore.sh \
	tests/hostile/cursor.sh \
	tests/hostile/frames.sh \
	tests/hostile/clipboard.sh
EXTRA_DIST += tests/hostile/README.md tests/hostile/lib-hostile.sh tests/hostile/rfbtimes.py \
	tests/hostile/readonly.sh \
	$(hostile_tests)
if BACKEND
TESTS += $(hostile_tests)
endif
# a hostile backend against the guest's X server (the fake backend of
# tests/front): only where the guest side is built
hostile_guest_tests = tests/hostile/resize-flood.sh
EXTRA_DIST += $(hostile_guest_tests)
if GUEST
TESTS += $(hostile_guest_tests)
endif
# with the SDL window, under Xvfb: size requests to a hostile guest
hostile_sdl_tests = tests/hostile/resize-answers.sh
EXTRA_DIST += $(hostile_sdl_tests)
if BACKEND
if SDL
TESTS += $(hostile_sdl_tests)
endif
endif

if BACKEND
TESTS += tests/hostile/readonly.sh
check_PROGRAMS += tests/hostile/xfb-ro-check
tests_hostile_xfb_ro_check_SOURCES = tests/hostile/xfb-ro-check.c
tests_hostile_xfb_ro_check_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/backend
tests_hostile_xfb_ro_check_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
tests_hostile_xfb_ro_check_LDADD = backend/libxfbback.la $(XEN_LIBS)
# a clipboard frontend that lies (tests/hostile/clipboard.sh)
check_PROGRAMS += tests/hostile/xfb-evil-clip
tests_hostile_xfb_evil_clip_SOURCES = tests/hostile/xfb-evil-clip.c
tests_hostile_xfb_evil_clip_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
tests_hostile_xfb_evil_clip_LDADD = xenfb-agent/proto/libxfbproto.la $(XEN_LIBS)
endif
