# The demo, as a user runs it: in the suite, since the README promises it.
demo_tests = tests/demo/demo.sh
EXTRA_DIST += $(demo_tests)
if BACKEND
if GUEST
TESTS += $(demo_tests)
endif
endif
