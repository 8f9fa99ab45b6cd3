# Load and soak benchmarks (bench/load/README.md); never in TESTS.
EXTRA_DIST += bench/load/README.md bench/load/soak.sh bench/load/guests.sh \
	bench/load/rfbwatch.py
