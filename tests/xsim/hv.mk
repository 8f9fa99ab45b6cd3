# The hypervisor part of the simulated Xen: event channels and grant tables
# in xsimd, and libxsim-preload.so, which gives unmodified programs the
# kernel ABI of /dev/xen/{gntalloc,gntdev,evtchn} on top of them.
XSIMD_HV_SOURCES = \
	tests/xsim/hv_proto.h \
	tests/xsim/xsimd/hv.c tests/xsim/xsimd/hv.h \
	tests/xsim/xsimd/hv_ctl.c \
	tests/xsim/xsimd/evtchn.c tests/xsim/xsimd/evtchn.h \
	tests/xsim/xsimd/grant.c tests/xsim/xsimd/grant.h \
	tests/xsim/xsimd/grant_module.c \
	tests/xsim/xsimd/sysfs.c tests/xsim/xsimd/sysfs.h \
	tests/xsim/xsimd/xenbus_dev.c tests/xsim/xsimd/xenbus_dev.h \
	tests/xsim/xsimd/grant_int.h \
	tests/xsim/xsimd/grant_dev.c \
	tests/xsim/xsimd/grant_map.c \
	tests/xsim/xsimd/frames.c tests/xsim/xsimd/frames.h

# Loaded into programs built without sanitizers, so it is built without
# them too (per-target flags replace AM_CFLAGS and AM_LDFLAGS).
noinst_LTLIBRARIES += tests/xsim/libxsim-preload.la
tests_xsim_libxsim_preload_la_SOURCES = \
	tests/xsim/hv_proto.h tests/xsim/xsim_kmem.h \
	tests/xsim/preload/shim.h \
	tests/xsim/preload/preload.c \
	tests/xsim/preload/conn.c \
	tests/xsim/preload/table.c \
	tests/xsim/preload/dev_evtchn.c \
	tests/xsim/preload/dev_grant.c \
	tests/xsim/preload/dev_privcmd.c \
	tests/xsim/preload/dev_kmem.c \
	tests/xsim/preload/sysfs.c \
	tests/xsim/preload/lookup.c
tests_xsim_libxsim_preload_la_CFLAGS = $(WARN_CFLAGS)
tests_xsim_libxsim_preload_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
tests_xsim_libxsim_preload_la_LIBADD = -ldl

# One process of a simulated domain, driven by the shell tests, over the
# real libxengnttab and libxenevtchn.
check_PROGRAMS += tests/xsim/t/hv-peer
tests_xsim_t_hv_peer_SOURCES = tests/xsim/t/hv-peer.c
tests_xsim_t_hv_peer_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
tests_xsim_t_hv_peer_LDADD = $(XEN_LIBS)

# A guest kernel's frames (kmem) and dom0's foreign mapping of them, over
# the real libxenforeignmemory.
check_PROGRAMS += tests/xsim/t/hv-frames
tests_xsim_t_hv_frames_SOURCES = tests/xsim/t/hv-frames.c tests/xsim/xsim_kmem.h
tests_xsim_t_hv_frames_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS) $(XENFM_CFLAGS)
tests_xsim_t_hv_frames_LDADD = $(XENFM_LIBS)

# Looks at a path through each libc call programs use, for the tests of
# the guest kernel's /sys.
check_PROGRAMS += tests/xsim/t/sys-look
tests_xsim_t_sys_look_SOURCES = tests/xsim/t/sys-look.c

# A client that breaks the protocol; it speaks to hv.sock directly.
check_PROGRAMS += tests/xsim/t/hv-garbage
tests_xsim_t_hv_garbage_SOURCES = tests/xsim/t/hv-garbage.c

hv_tests = \
	tests/xsim/t/hv-share.sh \
	tests/xsim/t/hv-copy.sh \
	tests/xsim/t/hv-limit.sh \
	tests/xsim/t/sys-gntalloc.sh \
	tests/xsim/t/sys-xenbus.sh \
	tests/xsim/t/hv-notify.sh \
	tests/xsim/t/hv-evtchn.sh \
	tests/xsim/t/hv-rebind.sh \
	tests/xsim/t/hv-destroy.sh \
	tests/xsim/t/hv-faults.sh \
	tests/xsim/t/hv-fork.sh \
	tests/xsim/t/hv-linux.sh \
	tests/xsim/t/hv-garbage.sh \
	tests/xsim/t/hv-frames.sh
TESTS += $(hv_tests)
EXTRA_DIST += $(hv_tests) tests/xsim/t/hv-lib.sh
