# xsim(1) documents a test tool that is not installed; the drivers' pages
# are installed with them. xenfb-protocol(7) is generated from
# docs/protocol.md by man/gen-xenfb-protocol.sh (pandoc) and committed.
man_MANS += man/xenfb-protocol.7
EXTRA_DIST += man/xsim.1 man/xenfb.4 man/xenkbd.4 man/xenfb-protocol.7 \
	man/gen-xenfb-protocol.sh docs/protocol.md
if GUEST
man_MANS += man/xenfb.4 man/xenkbd.4
endif
