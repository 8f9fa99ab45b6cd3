# The smoke test of the installed Debian packages: not in TESTS (it needs
# them installed); `./run check --packages` builds, installs and runs it.
EXTRA_DIST += tests/package/smoke.sh
