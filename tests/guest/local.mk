# The guest side in a real Xorg on the simulated Xen: xenfb and xenkbd
# against the backend core.
guest_tests = \
	tests/guest/draw.sh \
	tests/guest/randr.sh \
	tests/guest/refresh.sh \
	tests/guest/restart.sh \
	tests/guest/keys.sh \
	tests/guest/pointer.sh \
	tests/guest/no-backend.sh \
	tests/guest/regenerate.sh \
	tests/guest/late-vkbd.sh \
	tests/guest/hotplug.sh \
	tests/guest/takeover.sh \
	tests/guest/user.sh
if GUEST
check_PROGRAMS += tests/guest/xdraw tests/guest/xevents
tests_guest_xdraw_SOURCES = tests/guest/xdraw.c
tests_guest_xdraw_CFLAGS = $(AM_CFLAGS) $(X11_CFLAGS)
tests_guest_xdraw_LDADD = $(X11_LIBS)
tests_guest_xevents_SOURCES = tests/guest/xevents.c
tests_guest_xevents_CFLAGS = $(AM_CFLAGS) $(X11_CFLAGS)
tests_guest_xevents_LDADD = $(X11_LIBS)
check_PROGRAMS += tests/guest/xkb-expect
tests_guest_xkb_expect_SOURCES = tests/guest/xkb-expect.c
tests_guest_xkb_expect_CFLAGS = $(AM_CFLAGS) $(XKBCOMMON_CFLAGS)
tests_guest_xkb_expect_LDADD = $(XKBCOMMON_LIBS)
TESTS += $(guest_tests)
endif
EXTRA_DIST += tests/guest/lib-guest.sh tests/guest/xwdcmp.py tests/lib-xorg.sh $(guest_tests)
