# Fault tests: the real guest X server and the real serving daemon on the
# simulated Xen, with daemons killed, domains destroyed, events dropped or
# delayed, xenstore commits refused and VNC clients misbehaving.
fault_tests = \
	tests/fault/backend-kill.sh \
	tests/fault/guest-kill.sh \
	tests/fault/destroy.sh \
	tests/fault/evtchn.sh \
	tests/fault/eagain.sh \
	tests/fault/clients.sh \
	tests/fault/junk.sh
EXTRA_DIST += tests/fault/lib-fault.sh tests/fault/rfbbad.py tests/fault/imgeq.py tests/fault/README.md $(fault_tests)
if BACKEND
if GUEST
TESTS += $(fault_tests)
endif
endif
