# Load: many VNC viewers on one guest, many guests on one daemon, on the
# simulated Xen; short versions of bench/load (each well under a minute).
load_tests = \
	tests/load/viewers.sh \
	tests/load/guests.sh
EXTRA_DIST += tests/load/lib-load.sh $(load_tests)
if BACKEND
if GUEST
check_PROGRAMS += tests/load/xanim
tests_load_xanim_SOURCES = tests/load/xanim.c
tests_load_xanim_CFLAGS = $(AM_CFLAGS) $(X11_CFLAGS)
tests_load_xanim_LDADD = $(X11_LIBS)
TESTS += $(load_tests)
endif
endif
