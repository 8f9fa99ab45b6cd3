# xsim(1) documents a test tool that is not installed; the drivers' pages
# are installed with them.
EXTRA_DIST += man/xsim.1 man/xenfb.4 man/xenkbd.4
if GUEST
man_MANS += man/xenfb.4 man/xenkbd.4
endif
