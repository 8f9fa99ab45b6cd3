# The daemon as the toolstack of its devices (backend/toolstack.h): the
# guests file, domains appearing, rebooting, going and renamed as libxl
# does it, QEMU's devices beside ours, a daemon killed or raced.
toolstack_tests = \
	tests/toolstack/named.sh \
	tests/toolstack/reload.sh \
	tests/toolstack/hvm.sh \
	tests/toolstack/stale.sh \
	tests/toolstack/race.sh \
	tests/toolstack/kill9.sh \
	tests/toolstack/busy.sh
toolstack_config_tests = tests/toolstack/config.sh
EXTRA_DIST += tests/toolstack/lib-toolstack.sh tests/toolstack/xs-busy.py $(toolstack_tests) \
	$(toolstack_config_tests)
if BACKEND
TESTS += $(toolstack_config_tests)
if GUEST
TESTS += $(toolstack_tests)
endif
endif
