# Unit tests of the X-free, Xen-free helpers, one program per module.
unit_tests = tests/unit/test-ring tests/unit/test-rect tests/unit/test-layout \
	tests/unit/test-cursor tests/unit/test-clip tests/unit/test-resreq
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)
noinst_HEADERS += tests/tap.h
EXTRA_DIST += tests/lib.sh tests/rfbsession.py

tests_unit_test_ring_LDADD = xenfb-agent/proto/libxfbproto.la
tests_unit_test_rect_LDADD = xenfb-agent/proto/libxfbproto.la
tests_unit_test_layout_LDADD = xenfb-agent/proto/libxfbproto.la
tests_unit_test_cursor_LDADD = xenfb-agent/proto/libxfbproto.la
tests_unit_test_clip_LDADD = xenfb-agent/proto/libxfbproto.la
tests_unit_test_resreq_LDADD = xenfb-agent/proto/libxfbproto.la

# the man pages, linted
TESTS += tests/unit/man.sh
EXTRA_DIST += tests/unit/man.sh
