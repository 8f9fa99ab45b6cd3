# xenstore part of xsimd: the tree (store.c, no I/O) and the wire side.
xs_store_sources = \
	tests/xsim/xsimd/store.c tests/xsim/xsimd/store.h \
	tests/xsim/xsimd/store_int.h \
	tests/xsim/xsimd/store_node.c \
	tests/xsim/xsimd/store_perms.c \
	tests/xsim/xsimd/store_tx.c \
	tests/xsim/xsimd/store_ox.c \
	tests/xsim/xsimd/store_query.c \
	tests/xsim/xsimd/store_quota.c \
	tests/xsim/xsimd/store_dump.c
XSIMD_XS_SOURCES = $(xs_store_sources) \
	tests/xsim/xsimd/xs_conn.c tests/xsim/xsimd/xs_conn.h \
	tests/xsim/xsimd/xs_req.c \
	tests/xsim/xsimd/xs_watch.c \
	tests/xsim/xsimd/xs_domain.c

# The store on its own, driven by tables.
check_PROGRAMS += tests/xsim/t/test-store
tests_xsim_t_test_store_SOURCES = tests/xsim/t/test-store.c $(xs_store_sources)
tests_xsim_t_test_store_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/xsim/xsimd

# xsimd's xenstore through Debian's own tools, test-xenstore from
# xen-utils-4.17 (unpacked into tests/cache/, never installed) and raw
# protocol messages.
xs_tests = \
	tests/xsim/t/xs-utils.sh \
	tests/xsim/t/xs-domain.sh \
	tests/xsim/t/xs-conformance.sh \
	tests/xsim/t/xs-protocol.sh \
	tests/xsim/t/xs-rules.sh
TESTS += tests/xsim/t/test-store $(xs_tests)
EXTRA_DIST += $(xs_tests) tests/xsim/t/xs-protocol.py tests/xsim/t/xs-rules.py

# test-xenstore's package, unpacked by xs-conformance.sh on first use
distclean-local: distclean-xsim-cache
distclean-xsim-cache:
	rm -rf tests/cache
.PHONY: distclean-xsim-cache
