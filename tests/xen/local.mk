# The real-Xen tier: not in TESTS (it boots Xen in QEMU for 10-30
# minutes); `./run check --xen` builds the packages and runs it.
EXTRA_DIST += tests/xen/README.md tests/xen/xen.sh tests/xen/mkimages.sh \
	tests/xen/common/xfbpix.py \
	tests/xen/dom0/init tests/xen/dom0/run-tests tests/xen/dom0/lib.sh \
	tests/xen/dom0/block tests/xen/dom0/xfbvnc.py \
	tests/xen/dom0/scenarios/10-pv.sh tests/xen/dom0/scenarios/20-restart.sh \
	tests/xen/dom0/scenarios/30-gntalloc.sh tests/xen/dom0/scenarios/40-types.sh \
	tests/xen/dom0/scenarios/50-reboot.sh tests/xen/dom0/scenarios/55-kernel.sh \
	tests/xen/dom0/scenarios/60-destroy.sh \
	tests/xen/domU/init tests/xen/domU/initrd-init tests/xen/domU/agent \
	tests/xen/domU/xstart tests/xen/domU/xfbshot
