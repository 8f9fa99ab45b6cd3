# Benchmarks: measuring programs only, never in TESTS (bench/README.md).
EXTRA_DIST += bench/README.md bench/xsim-bench.sh bench/guest-bench.sh \
	bench/serve-bench.sh bench/serve-bench.md bench/rfbcount.py \
	bench/cursor-bench.sh
if BACKEND
if GUEST
check_PROGRAMS += bench/xfb-bench
bench_xfb_bench_SOURCES = bench/xfb-bench.c
bench_xfb_bench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/backend
bench_xfb_bench_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS) $(X11_CFLAGS)
bench_xfb_bench_LDADD = backend/libxfbback.la $(XEN_LIBS) $(X11_LIBS)
endif
endif
