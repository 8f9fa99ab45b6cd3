# Benchmarks: measuring programs only, never in TESTS (bench/README.md).
EXTRA_DIST += bench/README.md bench/xsim-bench.sh bench/guest-bench.sh \
	bench/serve-bench.sh bench/serve-bench.md bench/rfbcount.py \
	bench/cursor-bench.sh bench/encoders.md
if BACKEND
# the daemon's encoders alone (bench/encoders.md)
check_PROGRAMS += bench/encoders
bench_encoders_SOURCES = bench/encoders.c backend/rfbpix.c backend/rfbpool.c \
	backend/rfbtight.c backend/rfbzrle.c
bench_encoders_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/backend
bench_encoders_CFLAGS = $(AM_CFLAGS) $(ENCODE_CFLAGS) -pthread
bench_encoders_LDADD = $(ENCODE_LIBS) -lpthread
if GUEST
check_PROGRAMS += bench/xfb-bench
bench_xfb_bench_SOURCES = bench/xfb-bench.c
bench_xfb_bench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/backend
bench_xfb_bench_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS) $(X11_CFLAGS)
bench_xfb_bench_LDADD = backend/libxfbback.la $(XEN_LIBS) $(X11_LIBS)
endif
endif
