# The Xorg modules. They load into a server built without sanitizers, so
# they never get SAN_CFLAGS, and they carry their own copy of the protocol
# engine, built the same way, rather than depend on libxenfbfront.so being
# installed where the server finds it.
if GUEST
XENFB_X_CFLAGS = $(WARN_CFLAGS) -Wno-unused-parameter $(XORG_CFLAGS) $(XEN_CFLAGS) \
	-fvisibility=hidden
XENFB_X_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/xenfb-agent/include

noinst_LTLIBRARIES += xf86-video-xenfb/libxenfbfront-x.la
xf86_video_xenfb_libxenfbfront_x_la_SOURCES = \
	$(xenfb_agent_libxenfbfront_core_la_SOURCES) \
	$(xenfb_agent_proto_libxfbproto_la_SOURCES)
xf86_video_xenfb_libxenfbfront_x_la_CPPFLAGS = $(XENFB_X_CPPFLAGS)
xf86_video_xenfb_libxenfbfront_x_la_CFLAGS = $(WARN_CFLAGS) $(XEN_CFLAGS) -fvisibility=hidden
xf86_video_xenfb_libxenfbfront_x_la_LIBADD = $(XEN_LIBS)

xenfb_drv_la_LTLIBRARIES = xf86-video-xenfb/xenfb_drv.la
xenfb_drv_ladir = $(moduledir)/drivers
xf86_video_xenfb_xenfb_drv_la_SOURCES = \
	xf86-video-xenfb/video/xenfb.h \
	xf86-video-xenfb/video/xenfb_driver.c \
	xf86-video-xenfb/video/xenfb_damage.c \
	xf86-video-xenfb/video/xenfb_front.c \
	xf86-video-xenfb/video/xenfb_memory.c \
	xf86-video-xenfb/video/xenfb_randr.c \
	xf86-video-xenfb/video/xenfb_request.c \
	xf86-video-xenfb/video/xenfb_cursor.c
xf86_video_xenfb_xenfb_drv_la_CPPFLAGS = $(XENFB_X_CPPFLAGS)
xf86_video_xenfb_xenfb_drv_la_CFLAGS = $(XENFB_X_CFLAGS)
# the engine stays private to the module: two modules carry a copy each
xf86_video_xenfb_xenfb_drv_la_LDFLAGS = -module -avoid-version -Wl,--exclude-libs,ALL
xf86_video_xenfb_xenfb_drv_la_LIBADD = xf86-video-xenfb/libxenfbfront-x.la
endif

if GUEST
xenkbd_drv_la_LTLIBRARIES = xf86-video-xenfb/xenkbd_drv.la
xenkbd_drv_ladir = $(moduledir)/input
xf86_video_xenfb_xenkbd_drv_la_SOURCES = \
	xf86-video-xenfb/input/xenkbd.h \
	xf86-video-xenfb/input/xenkbd_driver.c \
	xf86-video-xenfb/input/xenkbd_events.c \
	xf86-video-xenfb/input/keys.c xf86-video-xenfb/input/keys.h
xf86_video_xenfb_xenkbd_drv_la_CPPFLAGS = $(XENFB_X_CPPFLAGS)
xf86_video_xenfb_xenkbd_drv_la_CFLAGS = $(XENFB_X_CFLAGS)
xf86_video_xenfb_xenkbd_drv_la_LDFLAGS = -module -avoid-version -Wl,--exclude-libs,ALL
xf86_video_xenfb_xenkbd_drv_la_LIBADD = xf86-video-xenfb/libxenfbfront-x.la
endif

# keys.c holds no X: test it on its own
check_PROGRAMS += tests/unit/test-keys
TESTS += tests/unit/test-keys
tests_unit_test_keys_SOURCES = tests/unit/test-keys.c \
	xf86-video-xenfb/input/keys.c xf86-video-xenfb/input/keys.h
tests_unit_test_keys_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/xf86-video-xenfb/input

EXTRA_DIST += xf86-video-xenfb/examples/xorg.conf \
	xf86-video-xenfb/examples/xorg-headless-test.conf
