# The guest kernel's frontends: xfb-kfront stands in for Linux's
# xen-fbfront and xen-kbdfront on the simulated Xen (frame numbers from
# /dev/xsim/kmem), and the tests of the daemon serving them.
check_PROGRAMS += tests/kernel/xfb-kfront
tests_kernel_xfb_kfront_SOURCES = tests/kernel/kfront.h tests/kernel/kfront.c \
	tests/kernel/kfront_fb.c tests/kernel/kfront_kbd.c tests/kernel/font8x13.h \
	tests/xsim/xsim_kmem.h
tests_kernel_xfb_kfront_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
tests_kernel_xfb_kfront_LDADD = xenfb-agent/proto/libxfbproto.la $(XEN_LIBS) -lpthread
EXTRA_DIST += tests/kernel/mkfont.py

kernel_tests = \
	tests/kernel/console.sh \
	tests/kernel/libxl.sh
# with a real Xorg and xenfb's drivers beside the kernel's frontends
kernel_x_tests = \
	tests/kernel/switch.sh
EXTRA_DIST += tests/kernel/lib-kernel.sh tests/kernel/rfbinput.py $(kernel_tests) \
	$(kernel_x_tests)
if BACKEND
TESTS += $(kernel_tests)
if GUEST
TESTS += $(kernel_x_tests)
endif
endif
