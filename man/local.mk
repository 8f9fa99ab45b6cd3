# xsim(1) documents a test tool that is not installed.
EXTRA_DIST += man/xsim.1
