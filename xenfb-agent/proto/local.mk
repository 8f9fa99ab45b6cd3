# Protocol helpers both ends link: ring arithmetic, rectangles, the shared
# page layout and this project's grant extension.
noinst_LTLIBRARIES += xenfb-agent/proto/libxfbproto.la
xenfb_agent_proto_libxfbproto_la_SOURCES = \
	xenfb-agent/proto/layout.c xenfb-agent/proto/layout.h \
	xenfb-agent/proto/cursor.c xenfb-agent/proto/cursor.h \
	xenfb-agent/proto/clip.c xenfb-agent/proto/clip.h \
	xenfb-agent/proto/resreq.c xenfb-agent/proto/resreq.h \
	xenfb-agent/proto/rect.c xenfb-agent/proto/rect.h \
	xenfb-agent/proto/ring.c xenfb-agent/proto/ring.h \
	xenfb-agent/proto/sysfs.c xenfb-agent/proto/sysfs.h \
	xenfb-agent/proto/gntalloc.c xenfb-agent/proto/gntalloc.h
