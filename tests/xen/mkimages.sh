#!/bin/bash
# mkimages.sh OUTDIR DEBDIR: the two disk images of the real-Xen tier, from
# Debian packages only, without loop mounts:
#   OUTDIR/dom0.img   Xen 4.17, the Debian kernel, xen-utils, the project's
#                     xenfb-backend, python3 and the test scripts (dom0/)
#   OUTDIR/domU.img   Xorg, X clients, the project's xenfb-guest and the
#                     guest's test agent (domU/); shared read-only by every
#                     guest (its init puts tmpfs where it writes)
#   OUTDIR/xen.elf, vmlinuz, initrd.img   what QEMU boots (multiboot)
# DEBDIR holds the .debs of `./run package`. The mirror and suites are the
# host's apt sources, so the images have the same Xen libraries the
# packages were built against.
#
# Each base system is made by mmdebstrap (the two in parallel), then the
# project's packages are installed with dpkg and the test files copied in.
# XFB_XEN_CACHE=DIR keeps the base systems in DIR between runs, keyed by
# their package lists (for iterating on the tests; CI leaves it unset and
# builds everything from nothing).
set -u
out=${1:?usage: mkimages.sh OUTDIR DEBDIR}
debdir=${2:?usage: mkimages.sh OUTDIR DEBDIR}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${XFB_XEN_CACHE:-}

die() { echo "mkimages: $*" >&2; exit 1; }
now() { date +%s; }

for c in mmdebstrap mkfs.ext4 dpkg-deb python3 chroot; do
    command -v "$c" >/dev/null || die "missing tool: $c (./run check --xen installs it)"
done
[ "$(id -u)" -eq 0 ] || die "needs root (chroot, device nodes in the images)"
deb() {
    local f
    for f in "$debdir/$1"_*.deb; do
        [ -f "$f" ] && { echo "$f"; return 0; }
    done
    die "no $1 package in $debdir (./run package)"
}
back_deb=$(deb xenfb-backend) || exit 1
guest_deb=$(deb xenfb-guest) || exit 1
lib_deb=$(deb libxenfbfront0) || exit 1

# the names a package depends on (alternatives: the first), without versions
depends_of() {
    dpkg-deb -f "$1" Depends | tr ',' '\n' | sed -e 's/|.*//' -e 's/(.*)//' -e 's/ //g' |
        grep -v -e '^$' -e '^libxenfbfront0$' -e '^xorg-.*-abi-'
}

dom0_pkgs="linux-image-amd64 xen-system-amd64 xen-hypervisor-4.17-amd64 xen-utils-4.17
  xenstore-utils kmod procps iproute2 mount python3 busybox-static qemu-system-xen
  $(depends_of "$back_deb")"
domU_pkgs="xserver-xorg-core xterm x11-apps x11-xserver-utils x11-utils xdotool
  xfonts-base xkb-data python3 xenstore-utils kmod procps mount udev
  $(depends_of "$guest_deb") $(depends_of "$lib_deb")"

mkdir -p "$out"
# the host's apt sources, one-line style, for mmdebstrap and the images
python3 - >"$out/sources.list" <<'PY' || die "cannot read the host's apt sources"
import glob, re
lines = []
for f in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    for stanza in re.split(r"\n\s*\n", open(f).read()):
        d = {}
        for l in stanza.splitlines():
            if l.startswith("#") or ":" not in l or l[0].isspace():
                continue
            k, v = l.split(":", 1)
            d[k.strip()] = v.split()
        if "deb" not in d.get("Types", []):
            continue
        for uri in d.get("URIs", []):
            for suite in d.get("Suites", []):
                lines.append("deb %s %s %s" % (uri, suite, " ".join(d.get("Components", ["main"]))))
for f in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
    try:
        for l in open(f):
            if l.split()[:1] == ["deb"]:
                lines.append(l.strip())
    except OSError:
        pass
if not lines:
    raise SystemExit("no deb lines")
print("\n".join(lines))
PY
suite=$(awk 'NR == 1 {print $3}' "$out/sources.list")

# base NAME PACKAGES...: a base system in $out/NAME.root (from the cache
# when XFB_XEN_CACHE is set and holds it)
base() {
    local name=$1; shift
    local root="$out/$name.root" key
    key=$( (echo "$*" | tr ' ' '\n' | sort -u; cat "$out/sources.list") | sha256sum | cut -c1-16)
    rm -rf "$root"
    if [ -n "$cache" ] && [ -d "$cache/$name-$key" ]; then
        cp -a "$cache/$name-$key" "$root" && return 0
    fi
    local pkgs
    pkgs=$(echo "$*" | tr -s ' \n' ',' | sed 's/^,//; s/,$//')
    mmdebstrap --variant=essential --include="$pkgs" \
        --aptopt='APT::Install-Recommends "false"' \
        --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
        --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
        "$suite" "$root" "$out/sources.list" >"$out/$name.mmdebstrap.log" 2>&1 || {
        tail -n 20 "$out/$name.mmdebstrap.log" >&2
        return 1
    }
    if [ -n "$cache" ]; then
        mkdir -p "$cache" && rm -rf "$cache/$name-"* && cp -a "$root" "$cache/$name-$key"
    fi
}

t0=$(now)
# shellcheck disable=SC2086
base dom0 $dom0_pkgs & p0=$!
# shellcheck disable=SC2086
base domU $domU_pkgs & p1=$!
wait $p0 || die "the dom0 base system failed (log: $out/dom0.mmdebstrap.log)"
wait $p1 || die "the domU base system failed (log: $out/domU.mmdebstrap.log)"
echo "# phase image base systems: $(( $(now) - t0 )) s"

t0=$(now)
R0=$out/dom0.root
RU=$out/domU.root
kver=$(ls "$R0/lib/modules" | head -n 1)
[ -n "$kver" ] && [ -f "$R0/boot/vmlinuz-$kver" ] && [ -f "$R0/boot/initrd.img-$kver" ] ||
    die "no kernel and initrd in the dom0 tree"
xengz=$(ls "$R0"/boot/xen-4.17*-amd64.gz 2>/dev/null | head -n 1)
[ -n "$xengz" ] || die "no /boot/xen-4.17-amd64.gz in the dom0 tree"

# the project's packages, with dpkg (their dependencies are in the base)
install_debs() {
    local root=$1; shift
    mkdir -p "$root/tmp/debs"
    cp "$@" "$root/tmp/debs/"
    chroot "$root" sh -c 'dpkg -i /tmp/debs/*.deb' >"$root.dpkg.log" 2>&1 || {
        tail -n 20 "$root.dpkg.log" >&2
        die "dpkg -i failed in $root"
    }
    rm -rf "$root/tmp/debs"
}
install_debs "$R0" "$back_deb"
install_debs "$RU" "$guest_deb" "$lib_deb"
# an ordinary user for X, given the Xen devices as xenfb-guest's udev
# rule documents it (35-user)
chroot "$RU" sh -c 'adduser --quiet --disabled-password --gecos "" --no-create-home xfbuser &&
    adduser --quiet xfbuser xenfb' >"$RU.adduser.log" 2>&1 || {
    cat "$RU.adduser.log" >&2
    die "cannot add the user xfbuser to the group xenfb in the domU tree"
}

# the guest runs dom0's kernel: it needs that kernel's Xen modules only
mkdir -p "$RU/lib/modules/$kver/kernel/drivers"
cp -a "$R0/lib/modules/$kver/kernel/drivers/xen" "$RU/lib/modules/$kver/kernel/drivers/"
cp -a "$R0/lib/modules/$kver"/modules.order "$R0/lib/modules/$kver"/modules.builtin* \
    "$RU/lib/modules/$kver/"
chroot "$RU" depmod "$kver" || die "depmod failed in the domU tree"

# the guests' initramfs: busybox and the modules of the root disk
ird=$R0/tmp/initrd
rm -rf "$ird"
mkdir -p "$ird/bin" "$ird/proc" "$ird/sys" "$ird/dev" "$ird/newroot"
cp "$R0/bin/busybox" "$ird/bin/"
for a in sh mount umount insmod switch_root sleep cat cut tr; do
    ln -s busybox "$ird/bin/$a"
done
cp "$here/domU/initrd-init" "$ird/init"
for m in xen-blkfront ext4; do
    chroot "$R0" modprobe -S "$kver" --show-depends "$m" | sed -n 's/^insmod \([^ ]*\).*/\1/p'
done | awk '!seen[$0]++' >"$ird/modules"
[ -s "$ird/modules" ] || die "no modules for the guests' initramfs"
while read -r m; do
    mkdir -p "$ird$(dirname "$m")" && cp "$R0$m" "$ird$m"
done <"$ird/modules"
sed -i 's|^/||' "$ird/modules"
install -d "$R0/opt/xfb"
chroot "$R0" sh -c 'cd /tmp/initrd && find . | cpio -o -H newc --quiet | gzip -1' \
    >"$R0/opt/xfb/initrd-domU" || die "cannot make the guests' initramfs"
rm -rf "$ird"

# the test files
install -d "$R0/opt/xfb" "$RU/opt/xfb"
cp -a "$here/dom0/." "$R0/opt/xfb/"
cp -a "$here/domU/." "$RU/opt/xfb/"
cp "$here/common/xfbpix.py" "$top/tests/rfbsession.py" "$top/tests/viewer/rfbkeys.py" "$R0/opt/xfb/"
cp "$here/common/xfbpix.py" "$RU/opt/xfb/"
cp "$top/xf86-video-xenfb/examples/xorg-headless-test.conf" "$RU/opt/xfb/xorg.conf.in"
# xenconsoled keeps each guest's console in dom0's logs
cat >>"$R0/etc/default/xen" <<'XEN'
XENCONSOLED_ARGS="--log=guest --log-dir=/var/log/xfb/console"
XEN
echo "$kver" >"$R0/opt/xfb/kernel-version"
for r in "$R0" "$RU"; do
    echo xfb >"$r/etc/hostname"
    printf '127.0.0.1 localhost\n' >"$r/etc/hosts"
    # root on the image, read-write in dom0, read-only in the guests
    : >"$r/etc/fstab"
done

# what QEMU boots: Xen as an ELF (its multiboot loader reads no gzip)
zcat "$xengz" >"$out/xen.elf" || die "cannot unpack $xengz"
cp "$R0/boot/vmlinuz-$kver" "$out/vmlinuz"
cp "$R0/boot/initrd.img-$kver" "$out/initrd.img"

mk() {
    local root=$1 img=$2 extra=$3
    local mb
    mb=$(du -sm "$root" | cut -f1)
    rm -f "$img"
    mkfs.ext4 -q -F -L "$(basename "$img" .img)" -d "$root" "$img" "$((mb + extra))M" >"$img.log" 2>&1 || {
        cat "$img.log" >&2
        die "mkfs.ext4 failed for $img"
    }
}
mk "$R0" "$out/dom0.img" 600 & p0=$!
mk "$RU" "$out/domU.img" 200 & p1=$!
wait $p0 && wait $p1 || exit 1
rm -rf "$R0" "$RU"
echo "# phase image customisation and file systems: $(( $(now) - t0 )) s"
echo "# images: dom0 $(du -m "$out/dom0.img" | cut -f1) MB, domU $(du -m "$out/domU.img" | cut -f1) MB, kernel $kver"
