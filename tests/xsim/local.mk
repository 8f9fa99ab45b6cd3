# The simulated Xen: xsimd (hypervisor + xenstored), the xsim tool and the
# LD_PRELOAD shim under the real libraries. Not installed: a test tool.
include tests/xsim/xs.mk
include tests/xsim/hv.mk

noinst_PROGRAMS += tests/xsim/xsimd/xsimd tests/xsim/xsim
tests_xsim_xsimd_xsimd_SOURCES = \
	tests/xsim/xsimd/main.c \
	tests/xsim/xsimd/loop.c tests/xsim/xsimd/loop.h \
	tests/xsim/xsimd/ctl.c tests/xsim/xsimd/ctl.h tests/xsim/xsimd/ctl_args.c \
	tests/xsim/xsimd/domain.c tests/xsim/xsimd/domain.h \
	$(XSIMD_XS_SOURCES) $(XSIMD_HV_SOURCES)
tests_xsim_xsim_SOURCES = tests/xsim/xsim.c
