#!/bin/bash
# The real-Xen tier: Xen 4.17 and a Debian 12 dom0 booted in QEMU (TCG),
# the project's Debian packages in dom0 and in PV, PVH and HVM guests, and
# the scenarios of tests/xen/dom0/ run there. `./run check --xen` runs
# it; it is not part of the ordinary `make check`.
#
# Here, on the host: build the images (mkimages.sh), boot, and pass on the
# TAP the scenarios send through QEMU's virtio serial port, numbered and
# counted with our own checks. A boot or a scenario that stops making
# progress is given up after generous limits, as a failure.
#
# Environment: XFB_XEN_WORK (default $top_builddir/xen) holds the images
# and logs; XFB_XEN_DEBDIR (default $top_builddir/deb) the packages;
# XFB_XEN_CACHE (default unset) keeps the base systems between runs;
# XFB_XEN_DEBUG=1 gives a root shell in dom0 on the Unix socket
# $XFB_XEN_WORK/debug.sock (e.g. socat - UNIX-CONNECT:build/xen/debug.sock);
# XFB_XEN_DEBUG=hold also keeps dom0 from running the scenarios.
. "$top_srcdir/tests/lib.sh"

here=$top_srcdir/tests/xen
work=${XFB_XEN_WORK:-$top_builddir/xen}
debdir=${XFB_XEN_DEBDIR:-$top_builddir/deb}
boot_limit=${XFB_XEN_BOOT_LIMIT:-1200}    # QEMU start to the first TAP line
stall_limit=${XFB_XEN_STALL_LIMIT:-900}   # between two TAP lines
total_limit=${XFB_XEN_LIMIT:-4800}        # the whole boot
need qemu-system-x86_64 mmdebstrap mkfs.ext4 debugfs python3 timeout

now() { date +%s; }

# ---- the images ----
t0=$(now)
mkdir -p "$work"
rm -f "$work/tap.out" "$work/serial.log"
"$here/mkimages.sh" "$work" "$debdir" >"$work/mkimages.out" 2>&1
rc=$?
grep '^# ' "$work/mkimages.out"
ok $rc "dom0 and domU images built from Debian packages and this tree's .debs" ||
    { sed 's/^/# /' "$work/mkimages.out" | tail -n 20; bail "no images"; }
diag "phase image build: $(( $(now) - t0 )) s"

# ---- the boot ----
# Xen's console on the first serial port (with dom0's hvc0 in it), the
# scenarios' TAP on a virtio serial port; no network. -cpu qemu64 with
# SVM and nested paging: PV works with any CPU model, and HVM/PVH guests
# need SVM (QEMU's TCG emulates it; not VMX).
cpu=${XFB_XEN_CPU:-qemu64,+svm,+npt}
# boot: start QEMU (in the background, $qemu) with a fresh tap.out
boot() {
    : >"$work/tap.out"
    : >"$work/serial.log"
    timeout "$total_limit" qemu-system-x86_64 -machine q35 -accel tcg,thread=multi -cpu "$cpu" \
        -smp 2 -m 3584 -display none -monitor none -no-reboot -nic none \
        -serial "file:$work/serial.log" \
        -kernel "$work/xen.elf" \
        -append 'console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M dom0_max_vcpus=2 noreboot bootscrub=0' \
        -initrd "$work/vmlinuz root=/dev/vda rw console=hvc0 earlyprintk=xen init=/opt/xfb/init${XFB_XEN_DEBUG:+ xfb.$XFB_XEN_DEBUG},$work/initrd.img" \
        -drive "file=$work/dom0.img,if=virtio,format=raw,cache=unsafe" \
        -drive "file=$work/domU.img,if=virtio,format=raw,cache=unsafe" \
        -device virtio-serial-pci \
        -chardev "file,id=tap,path=$work/tap.out" -device virtserialport,chardev=tap,name=xfb.tap \
        ${XFB_XEN_DEBUG:+-chardev "socket,id=dbg,path=$work/debug.sock,server=on,wait=off"} \
        ${XFB_XEN_DEBUG:+-device virtserialport,chardev=dbg,name=xfb.debug} \
        >"$work/qemu.out" 2>&1 &
    qemu=$!
}
# serial_tail N: what Xen said of faults and crashes, and the console's
# last N lines
serial_tail() {
    grep -a -E '\(XEN\).*(Triple fault|[Cc]rash|[Pp]anic|BUG|FATAL|Assertion)' "$work/serial.log" 2>/dev/null |
        tail -n 8 | tr -d '\r' | sed 's/^/# serial: /'
    tail -n "${1:-25}" "$work/serial.log" 2>/dev/null | tr -d '\r' | sed 's/^/# serial: /'
}
t0=$(now)
boot
at_exit 'kill $qemu 2>/dev/null'
# follow: pass the scenarios' lines on: number them (TODO lines too),
# count them, until QEMU is gone. Before the first line, a console that
# says nothing for $hang_limit s is the emulated machine hung in the boot
# (seen: dom0's kernel stopped 7 s in, QEMU spinning): the first time,
# QEMU is stopped, the machine booted once more and follow returns 3
# (nothing of the scenarios has been seen yet)
hang_limit=${XFB_XEN_HANG_LIMIT:-300}
boots=1
done_seen=no
first=yes
follow() {
    local line rc size serial_size=0 serial_t last
    serial_t=$(now)
    last=$(now)
    while :; do
        IFS= read -r -t 10 line
        rc=$?
        if [ "$rc" -eq 0 ]; then
            last=$(now)
            line=${line%$'\r'}
            if [ "$first" = yes ]; then
                first=no
                diag "phase Xen and dom0 boot (QEMU start to the first scenario line): $(( last - t0 )) s"
            fi
            case "$line" in
                "ok - "*" # TODO "* | "not ok - "*" # TODO "*)
                    _tap_n=$((_tap_n + 1))
                    echo "${line%% - *} $_tap_n - ${line#* - }" ;;
                "ok - "*) ok 0 "${line#ok - }" ;;
                "not ok - "*) ok 1 "${line#not ok - }" ;;
                "Bail out!"*) echo "$line"; _tap_failed=$((_tap_failed + 1)) ;;
                "xfb-done") done_seen=yes ;;
                "#"*) echo "$line" ;;
                *) echo "# $line" ;;
            esac
            continue
        fi
        [ "$rc" -gt 128 ] || return 0    # end of file: QEMU is gone
        if [ "$first" = yes ] && [ "$boots" -eq 1 ]; then
            size=$(stat -c %s "$work/serial.log" 2>/dev/null || echo 0)
            if [ "$size" != "$serial_size" ]; then
                serial_size=$size serial_t=$(now)
            elif [ $(( $(now) - serial_t )) -ge "$hang_limit" ]; then
                diag "the emulated machine said nothing for $hang_limit s while booting; its console's end:"
                serial_tail 6
                cp "$work/serial.log" "$work/serial.hung.log"
                kill "$qemu" 2>/dev/null
                wait "$qemu" 2>/dev/null
                diag "booted once more (the hung boot's console: $work/serial.hung.log)"
                boots=2
                t0=$(now)
                boot
                return 3
            fi
        fi
        if [ "$first" = yes ] && [ $(( $(now) - t0 )) -ge "$boot_limit" ]; then
            serial_tail 40
            bail "Xen and dom0 did not start the scenarios within $boot_limit s (serial log: $work/serial.log)"
        fi
        if [ "$first" = no ] && [ $(( $(now) - last )) -ge "$stall_limit" ]; then
            serial_tail 40
            bail "no word from dom0 for $stall_limit s (serial log: $work/serial.log)"
        fi
    done < <(tail -n +1 -F --pid="$qemu" "$work/tap.out" 2>/dev/null)
}
follow
[ $? -eq 3 ] && follow
wait "$qemu"
qrc=$?
diag "phase the whole boot, from QEMU start to power-off: $(( $(now) - t0 )) s"
[ "$qrc" -eq 124 ] && diag "QEMU was stopped after $total_limit s"
[ "$done_seen" = yes ] && [ "$qrc" -eq 0 ]
ok $? "dom0 ran every scenario to the end and powered the machine off" ||
    { diag "QEMU exit status $qrc"; serial_tail 40; }

# dom0's logs (daemon, guests' X logs, agent traffic) for a human
rm -rf "$work/logs"
mkdir -p "$work/logs"
debugfs -R "rdump /var/log/xfb $work/logs" "$work/dom0.img" >/dev/null 2>&1 &&
    diag "dom0's logs: $work/logs/xfb"
echo "1..$_tap_n"
