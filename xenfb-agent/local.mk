# libxenfbfront (the guest end of vfb/vkbd), the xenfb-agent program and
# their tests. Everything is built from a convenience library so the unit
# tests reach the internals the installed library hides.
XFB_FRONT_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/xenfb-agent/include
XFB_FRONT_LIBS = xenfb-agent/libxenfbfront-core.la xenfb-agent/proto/libxfbproto.la \
	$(XEN_LIBS)

noinst_LTLIBRARIES += xenfb-agent/libxenfbfront-core.la
xenfb_agent_libxenfbfront_core_la_SOURCES = \
	xenfb-agent/lib/private.h \
	xenfb-agent/lib/front.c \
	xenfb-agent/lib/log.c \
	xenfb-agent/lib/device.c \
	xenfb-agent/lib/xenbus.c \
	xenfb-agent/lib/timer.c \
	xenfb-agent/lib/grant.c \
	xenfb-agent/lib/fbmem.c \
	xenfb-agent/lib/fbring.c \
	xenfb-agent/lib/kbdring.c \
	xenfb-agent/lib/cursor.c \
	xenfb-agent/lib/clip.c \
	xenfb-agent/lib/resreq.c
xenfb_agent_libxenfbfront_core_la_CPPFLAGS = $(XFB_FRONT_CPPFLAGS)
xenfb_agent_libxenfbfront_core_la_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS) -fvisibility=hidden

# Installed with the guest side; a dom0-only build (--disable-guest) still
# builds them, uninstalled, to test the backend against the real frontend.
if GUEST
lib_LTLIBRARIES += xenfb-agent/libxenfbfront.la
else
noinst_LTLIBRARIES += xenfb-agent/libxenfbfront.la
endif
xenfb_agent_libxenfbfront_la_SOURCES =
xenfb_agent_libxenfbfront_la_LIBADD = xenfb-agent/libxenfbfront-core.la \
	xenfb-agent/proto/libxfbproto.la $(XEN_LIBS)
xenfb_agent_libxenfbfront_la_LDFLAGS = $(AM_LDFLAGS) -version-info 3:0:3 \
	-Wl,--version-script=$(top_srcdir)/xenfb-agent/lib/libxenfbfront.map
EXTRA_xenfb_agent_libxenfbfront_la_DEPENDENCIES = $(top_srcdir)/xenfb-agent/lib/libxenfbfront.map
if GUEST
xenfbincludedir = $(includedir)/xenfb
xenfbinclude_HEADERS = xenfb-agent/include/xenfb/front.h
pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = xenfb-agent/xenfbfront.pc
else
noinst_HEADERS += xenfb-agent/include/xenfb/front.h
endif
xenfb-agent/xenfbfront.pc: $(top_srcdir)/xenfb-agent/lib/xenfbfront.pc.in Makefile
	$(AM_V_GEN)$(MKDIR_P) xenfb-agent && sed -e 's|[@]prefix[@]|$(prefix)|' \
	    -e 's|[@]exec_prefix[@]|$(exec_prefix)|' -e 's|[@]libdir[@]|$(libdir)|' \
	    -e 's|[@]includedir[@]|$(includedir)|' \
	    -e 's|[@]PACKAGE_VERSION[@]|$(PACKAGE_VERSION)|' \
	    $(top_srcdir)/xenfb-agent/lib/xenfbfront.pc.in > $@
CLEANFILES += xenfb-agent/xenfbfront.pc
EXTRA_DIST += xenfb-agent/lib/libxenfbfront.map xenfb-agent/lib/xenfbfront.pc.in

if GUEST
bin_PROGRAMS += xenfb-agent/xenfb-agent
else
noinst_PROGRAMS += xenfb-agent/xenfb-agent
endif
xenfb_agent_xenfb_agent_SOURCES = \
	xenfb-agent/agent/agent.h \
	xenfb-agent/agent/main.c \
	xenfb-agent/agent/check.c
xenfb_agent_xenfb_agent_CPPFLAGS = $(XFB_FRONT_CPPFLAGS)
xenfb_agent_xenfb_agent_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
xenfb_agent_xenfb_agent_LDADD = xenfb-agent/libxenfbfront.la xenfb-agent/proto/libxfbproto.la \
	$(XEN_LIBS)
# the clipboard is an X client: only where the guest side (and X) is built
if GUEST
xenfb_agent_xenfb_agent_SOURCES += xenfb-agent/agent/clipboard.c
xenfb_agent_xenfb_agent_CPPFLAGS += -DXFB_AGENT_CLIPBOARD
xenfb_agent_xenfb_agent_CFLAGS += $(X11_CFLAGS)
xenfb_agent_xenfb_agent_LDADD += $(X11_LIBS)
endif
if GUEST
man_MANS += man/xenfb-agent.8
endif
EXTRA_DIST += man/xenfb-agent.8

# Test tools: the frontend driven from the command line, and a small
# scripted backend to drive it against.
noinst_PROGRAMS += tests/front/xfb-front-tool tests/front/xfb-fake-back
tests_front_xfb_front_tool_SOURCES = tests/front/xfb-front-tool.c
tests_front_xfb_front_tool_CPPFLAGS = $(XFB_FRONT_CPPFLAGS)
tests_front_xfb_front_tool_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
tests_front_xfb_front_tool_LDADD = xenfb-agent/libxenfbfront.la
tests_front_xfb_fake_back_SOURCES = tests/front/xfb-fake-back.c
tests_front_xfb_fake_back_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
tests_front_xfb_fake_back_LDADD = xenfb-agent/proto/libxfbproto.la $(XEN_LIBS)

front_unit_tests = tests/front/test-fbring tests/front/test-kbd-validate tests/front/test-resreq
check_PROGRAMS += $(front_unit_tests)
tests_front_test_fbring_SOURCES = tests/front/test-fbring.c tests/front/vfb-fixture.h
tests_front_test_fbring_CPPFLAGS = $(XFB_FRONT_CPPFLAGS)
tests_front_test_fbring_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
tests_front_test_fbring_LDADD = $(XFB_FRONT_LIBS)
tests_front_test_kbd_validate_CPPFLAGS = $(XFB_FRONT_CPPFLAGS)
tests_front_test_kbd_validate_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
tests_front_test_kbd_validate_LDADD = $(XFB_FRONT_LIBS)
tests_front_test_resreq_SOURCES = tests/front/test-resreq.c tests/front/vfb-fixture.h
tests_front_test_resreq_CPPFLAGS = $(XFB_FRONT_CPPFLAGS)
tests_front_test_resreq_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
tests_front_test_resreq_LDADD = $(XFB_FRONT_LIBS)

front_shell_tests = \
	tests/front/exports.sh \
	tests/front/front-handshake.sh \
	tests/front/front-restart.sh \
	tests/front/front-ring.sh \
	tests/front/front-backend-restart.sh \
	tests/front/front-hostile.sh \
	tests/front/front-resreq.sh \
	tests/front/front-errors.sh \
	tests/front/front-hotplug.sh \
	tests/front/front-regrant.sh \
	tests/front/front-takeover.sh \
	tests/front/front-timeout.sh \
	tests/front/front-access.sh \
	tests/front/agent-check.sh \
	tests/front/guest-setup.sh
TESTS += $(front_unit_tests) $(front_shell_tests)
EXTRA_DIST += $(front_shell_tests) tests/front/front-lib.sh

# The guest's system integration: the modules loaded at boot, gntalloc's
# page limit, the opt-in udev rule for X servers not running as root, and
# xenfb-guest-setup, which does the same on a running guest (the package
# runs it when it is installed).
if GUEST
modulesload_DATA = xenfb-agent/system/xenfb.conf
modprobe_DATA = xenfb-agent/system/modprobe/xenfb.conf
udevrules_DATA = xenfb-agent/system/60-xenfb.rules
sbin_SCRIPTS = xenfb-agent/system/xenfb-guest-setup
man_MANS += man/xenfb-guest-setup.8
# xenfb-agent clipboard in each X session: Xsession's hook, and XDG
# autostart for desktops that start their session otherwise
xsessiondir = $(sysconfdir)/X11/Xsession.d
xsession_DATA = xenfb-agent/system/90xenfb-agent-clipboard
autostartdir = $(sysconfdir)/xdg/autostart
autostart_DATA = xenfb-agent/system/xenfb-agent-clipboard.desktop
endif
xenfb-agent/system/xenfb.conf: $(top_srcdir)/xenfb-agent/system/xenfb.modules-load
	$(AM_V_GEN)$(MKDIR_P) xenfb-agent/system && cp $(top_srcdir)/xenfb-agent/system/xenfb.modules-load $@
xenfb-agent/system/modprobe/xenfb.conf: $(top_srcdir)/xenfb-agent/system/xenfb.modprobe.in Makefile
	$(AM_V_GEN)$(MKDIR_P) xenfb-agent/system/modprobe && \
	    sed -e 's|@GNTALLOC_LIMIT[@]|$(GNTALLOC_LIMIT)|g' \
	    $(top_srcdir)/xenfb-agent/system/xenfb.modprobe.in >$@
xenfb-agent/system/xenfb-guest-setup: $(top_srcdir)/xenfb-agent/system/xenfb-guest-setup.in Makefile
	$(AM_V_GEN)$(MKDIR_P) xenfb-agent/system && \
	    sed -e 's|@GNTALLOC_LIMIT[@]|$(GNTALLOC_LIMIT)|g' \
	    $(top_srcdir)/xenfb-agent/system/xenfb-guest-setup.in >$@ && chmod +x $@
CLEANFILES += xenfb-agent/system/xenfb.conf xenfb-agent/system/modprobe/xenfb.conf \
	xenfb-agent/system/xenfb-guest-setup
EXTRA_DIST += xenfb-agent/system/xenfb.modules-load xenfb-agent/system/xenfb.modprobe.in \
	xenfb-agent/system/60-xenfb.rules xenfb-agent/system/xenfb-guest-setup.in \
	xenfb-agent/system/90xenfb-agent-clipboard xenfb-agent/system/xenfb-agent-clipboard.desktop \
	man/xenfb-guest-setup.8
