# The viewers of `xenfb-backend serve` against the real guest X server
# on the simulated Xen, with real VNC clients and a real browser.
viewer_tests = \
	tests/viewer/capture.sh \
	tests/viewer/modes.sh \
	tests/viewer/regrant.sh \
	tests/viewer/packaged.sh \
	tests/viewer/auth.sh \
	tests/viewer/keys.sh \
	tests/viewer/keysyms.sh \
	tests/viewer/web.sh \
	tests/viewer/two.sh \
	tests/viewer/encodings.sh \
	tests/viewer/daemon.sh \
	tests/viewer/unmap.sh \
	tests/viewer/user.sh \
	tests/viewer/hostile.sh \
	tests/viewer/whole.sh \
	tests/viewer/ahead.sh \
	tests/viewer/cursor.sh \
	tests/viewer/clipboard.sh \
	tests/viewer/web-clipboard.sh \
	tests/viewer/vnc-resize.sh
EXTRA_DIST += tests/viewer/lib-viewer.sh tests/viewer/imgcmp.py tests/viewer/rfbauth.py \
	tests/viewer/rfbkeys.py tests/viewer/webdrive.py tests/viewer/rfbframes.py tests/viewer/rfbcursor.py \
	tests/viewer/xcursor.py tests/viewer/xwdcrop.py tests/viewer/rfbwhole.py tests/viewer/rfbclip.py tests/viewer/webclip.py \
	tests/viewer/rfbresize.py tests/viewer/rfbahead.py \
	$(viewer_tests)
viewer_sdl_tests = tests/viewer/sdl.sh tests/viewer/sdl-clipboard.sh tests/viewer/sdl-resize.sh
EXTRA_DIST += $(viewer_sdl_tests)
if BACKEND
if GUEST
TESTS += $(viewer_tests)
if SDL
TESTS += $(viewer_sdl_tests)
endif
endif
endif
