# The user guides, and a test that keeps them true of the tree.
EXTRA_DIST += docs/guest.md docs/dom0.md docs/troubleshooting.md docs/comparison.md \
	docs/robustness.md \
	docs/check-docs.sh
if BACKEND
if GUEST
TESTS += docs/check-docs.sh
endif
endif
