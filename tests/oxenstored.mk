# The xenstore-heavy tests once more, xsimd deciding transaction commits as
# oxenstored 4.17 does (XSIM_XENSTORED=oxenstored; C xenstored's rule is
# the default): real Xen hosts run either. tests/oxenstored/DIR/NAME.ox
# stands for tests/DIR/NAME.sh; tests/oxenstored.sh runs it so, and the
# summary counts its checks apart from the first run's.
#
# The lists are spelled out: automake writes a rule per test from TESTS,
# so a test name must be a word it can read (no $(patsubst ...), and a
# substitution reference it would take for an $(EXEEXT) rewrite). A new
# back, front, toolstack, kernel or xsim store test gets its line here too.
ox_wrappers = \
	tests/oxenstored/xsim/t/xs-utils.ox \
	tests/oxenstored/xsim/t/xs-domain.ox \
	tests/oxenstored/xsim/t/xs-conformance.ox \
	tests/oxenstored/xsim/t/xs-protocol.ox
if BACKEND
ox_wrappers += \
	tests/oxenstored/back/attach.ox \
	tests/oxenstored/back/handshake.ox \
	tests/oxenstored/back/resize.ox \
	tests/oxenstored/back/keys.ox \
	tests/oxenstored/back/restart.ox \
	tests/oxenstored/back/destroy.ox \
	tests/oxenstored/back/hostile.ox \
	tests/oxenstored/back/vinput.ox \
	tests/oxenstored/hostile/xenstore.ox \
	tests/oxenstored/kernel/console.ox \
	tests/oxenstored/kernel/libxl.ox
if GUEST
ox_wrappers += \
	tests/oxenstored/back/real-front.ox \
	tests/oxenstored/fault/eagain.ox \
	tests/oxenstored/toolstack/named.ox \
	tests/oxenstored/toolstack/reload.ox \
	tests/oxenstored/toolstack/hvm.ox \
	tests/oxenstored/toolstack/stale.ox \
	tests/oxenstored/toolstack/race.ox \
	tests/oxenstored/toolstack/kill9.ox \
	tests/oxenstored/toolstack/busy.ox \
	tests/oxenstored/kernel/switch.ox
if SDL
ox_wrappers += \
	tests/oxenstored/viewer/sdl-resize.ox \
	tests/oxenstored/hostile/resize-answers.ox
endif
endif
endif
if GUEST
ox_wrappers += \
	tests/oxenstored/hostile/resize-flood.ox \
	tests/oxenstored/front/exports.ox \
	tests/oxenstored/front/front-handshake.ox \
	tests/oxenstored/front/front-restart.ox \
	tests/oxenstored/front/front-ring.ox \
	tests/oxenstored/front/front-backend-restart.ox \
	tests/oxenstored/front/front-hostile.ox \
	tests/oxenstored/front/front-resreq.ox \
	tests/oxenstored/front/front-errors.ox \
	tests/oxenstored/front/agent-check.ox
endif

TESTS += $(ox_wrappers)
TEST_EXTENSIONS += .ox
OX_LOG_DRIVER = $(LOG_DRIVER)
OX_LOG_COMPILER = $(SHELL) $(top_srcdir)/tests/oxenstored.sh $(SHELL)
EXTRA_DIST += tests/oxenstored.sh

# each wrapper names its test, for the eyes of whoever opens it
$(ox_wrappers):
	$(AM_V_GEN)mkdir -p $(@D) && echo '$(@:tests/oxenstored/%.ox=tests/%.sh)' >$@
check_DATA = $(ox_wrappers)
CLEANFILES += $(ox_wrappers)
