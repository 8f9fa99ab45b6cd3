# xenfb-backend (dom0): the backend core as a library the viewers build
# on, the attach/detach toolstack part, and the core's integration tests
# on the simulated Xen.
back_tests = \
	tests/back/attach.sh \
	tests/back/handshake.sh \
	tests/back/resize.sh \
	tests/back/keys.sh \
	tests/back/restart.sh \
	tests/back/destroy.sh \
	tests/back/hostile.sh \
	tests/back/vinput.sh
# against the real frontend library: needs the guest part's test tool
back_front_tests = tests/back/real-front.sh
EXTRA_DIST += man/xenfb-backend.8 $(back_tests) $(back_front_tests) tests/back/lib-back.sh
# the example guests file (Debian ships it as /etc/xenfb/guests.conf)
EXTRA_DIST += backend/guests.conf

if BACKEND
noinst_LTLIBRARIES += backend/libxfbback.la
backend_libxfbback_la_SOURCES = \
	backend/core/back.h backend/core/private.h \
	backend/core/back.c backend/core/log.c backend/core/xenbus.c \
	backend/core/dev.c backend/core/fb.c backend/core/kbd.c \
	backend/core/cursor.c backend/core/foreign.c \
	backend/core/clip.c backend/core/resreq.c
backend_libxfbback_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/backend
backend_libxfbback_la_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS) $(XENFM_CFLAGS)
backend_libxfbback_la_LIBADD = xenfb-agent/proto/libxfbproto.la $(XEN_LIBS) $(XENFM_LIBS)

sbin_PROGRAMS += backend/xenfb-backend
backend_xenfb_backend_SOURCES = backend/main.c backend/attach.c backend/attach.h \
	backend/devnodes.c backend/devnodes.h backend/guestconf.c backend/guestconf.h \
	backend/toolstack.c backend/toolstack.h backend/toolstack_int.h backend/toolstack_steps.c \
	backend/announce.c backend/announce.h backend/backoff.h \
	backend/serve.c backend/serve.h backend/serve_int.h backend/screen.c backend/view.h \
	backend/view_vnc.c backend/view_web.c backend/strips.c backend/strips.h \
	backend/vnc_clip.c backend/vnc_clip.h backend/rfbguard.c backend/rfbguard.h \
	backend/rfbfilter.c backend/rfbfilter.h backend/rfbserver.c backend/rfbserver.h \
	backend/rfbserver_int.h backend/rfbupdate.c backend/rfbextclip.c \
	backend/rfbpix.c backend/rfbpix.h backend/rfbpool.c backend/rfbpool.h \
	backend/rfbtight.c backend/rfbtight.h backend/rfbzrle.c backend/rfbzrle.h backend/rfbzlib.h \
	backend/rfbkeys.c backend/rfbkeys.h \
	backend/keymap.c backend/keymap.h backend/privdrop.c backend/privdrop.h
backend_xenfb_backend_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/backend \
	-DXFB_GUESTS_CONF='"$(sysconfdir)/xenfb/guests.conf"'
backend_xenfb_backend_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS) $(AML_CFLAGS) $(PIXMAN_CFLAGS) \
	$(XKBCOMMON_CFLAGS) $(GNUTLS_CFLAGS) $(ENCODE_CFLAGS) -pthread
backend_xenfb_backend_LDADD = backend/libxfbback.la $(XEN_LIBS) $(AML_LIBS) $(PIXMAN_LIBS) \
	$(XKBCOMMON_LIBS) $(GNUTLS_LIBS) $(ENCODE_LIBS) -lpthread
if SDL
backend_xenfb_backend_SOURCES += backend/view_sdl.c backend/sdl_keys.c backend/sdl_keys.h \
	backend/sdl_cursor.c backend/sdl_cursor.h backend/sdl_clip.c backend/sdl_clip.h
backend_xenfb_backend_CFLAGS += $(SDL_CFLAGS) $(SDLX11_CFLAGS)
backend_xenfb_backend_LDADD += $(SDL_LIBS)

# the scancode table holds no SDL calls: test it on its own
check_PROGRAMS += tests/unit/test-sdl-keys
TESTS += tests/unit/test-sdl-keys
tests_unit_test_sdl_keys_SOURCES = tests/unit/test-sdl-keys.c backend/sdl_keys.c
tests_unit_test_sdl_keys_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/backend
tests_unit_test_sdl_keys_CFLAGS = $(AM_CFLAGS) $(SDL_CFLAGS)
endif

# the filter of viewers' messages does no I/O: test it on its own
check_PROGRAMS += tests/unit/test-rfbfilter
TESTS += tests/unit/test-rfbfilter
tests_unit_test_rfbfilter_SOURCES = tests/unit/test-rfbfilter.c backend/rfbfilter.c
tests_unit_test_rfbfilter_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/backend
# the encoders and the pixel formats do no I/O either: each decoded by
# the test as a viewer would
check_PROGRAMS += tests/unit/test-rfbtight tests/unit/test-rfbzrle
TESTS += tests/unit/test-rfbtight tests/unit/test-rfbzrle
tests_unit_test_rfbtight_SOURCES = tests/unit/test-rfbtight.c backend/rfbtight.c backend/rfbpix.c
tests_unit_test_rfbtight_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/backend
tests_unit_test_rfbtight_CFLAGS = $(AM_CFLAGS) $(ENCODE_CFLAGS) -pthread
tests_unit_test_rfbtight_LDADD = $(ENCODE_LIBS) -lpthread
tests_unit_test_rfbzrle_SOURCES = tests/unit/test-rfbzrle.c backend/rfbzrle.c backend/rfbpix.c
tests_unit_test_rfbzrle_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/backend
tests_unit_test_rfbzrle_CFLAGS = $(AM_CFLAGS) $(ENCODE_CFLAGS) -pthread
tests_unit_test_rfbzrle_LDADD = $(ENCODE_LIBS) -lpthread

# which rows wait for the rest of an image: time is an argument
check_PROGRAMS += tests/unit/test-strips
TESTS += tests/unit/test-strips
tests_unit_test_strips_SOURCES = tests/unit/test-strips.c backend/strips.c
tests_unit_test_strips_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/backend

# the guests file's parser holds no Xen calls: test it on its own
check_PROGRAMS += tests/unit/test-guestconf
TESTS += tests/unit/test-guestconf
tests_unit_test_guestconf_SOURCES = tests/unit/test-guestconf.c backend/guestconf.c
tests_unit_test_guestconf_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/backend

# the systemd unit (--with-systemdsystemunitdir; the usual place under the
# prefix by default)
backend_unitdir = $(systemdsystemunitdir)
backend_unit_DATA = backend/xenfb-backend.service
EXTRA_DIST += backend/xenfb-backend.service.in
CLEANFILES += backend/xenfb-backend.service
backend/xenfb-backend.service: backend/xenfb-backend.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) backend && sed -e 's|@sbindir[@]|$(sbindir)|g' \
	    -e 's|@BACKEND_USER_OPT[@]|$(BACKEND_USER_OPT)|g' $(srcdir)/backend/xenfb-backend.service.in >$@

man_MANS += man/xenfb-backend.8

# test tools: the core driven from stdin, and a frontend that can lie
check_PROGRAMS += tests/back/xfb-back-tool tests/back/xfb-evil-front
tests_back_xfb_back_tool_SOURCES = tests/back/xfb-back-tool.c tests/back/crc32.h
tests_back_xfb_back_tool_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/backend
tests_back_xfb_back_tool_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
tests_back_xfb_back_tool_LDADD = backend/libxfbback.la $(XEN_LIBS)
tests_back_xfb_evil_front_SOURCES = tests/back/xfb-evil-front.c tests/back/crc32.h \
	tests/back/evil-cursor.c tests/back/evil-cursor.h
tests_back_xfb_evil_front_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
tests_back_xfb_evil_front_LDADD = xenfb-agent/proto/libxfbproto.la $(XEN_LIBS)

TESTS += $(back_tests)
if GUEST
TESTS += $(back_front_tests)
endif
endif
