# The comparison with Xvnc, Xvfb + x11vnc and Xorg's dummy driver: a
# benchmark run by hand (bench/compare/run.sh builds its two programs
# itself, since libvncclient is no dependency of the tree); never in TESTS.
EXTRA_DIST += bench/compare/README.md bench/compare/run.sh bench/compare/report.py \
	bench/compare/xwork.c bench/compare/vncmeasure.c bench/compare/marker.h \
	bench/compare/dummy.conf.in
