#!/bin/sh
# A guest's /sys/module/xen_gntalloc/parameters/limit through every way a
# program reads or writes it (open and read, fopen and fscanf as
# libxenfbfront does, write, fprintf, shell redirection): each domain sees
# and sets its own kernel's limit, the value is parsed as the kernel's
# kstrtoint does, a bad one is refused (EINVAL) and changes nothing, and
# without the module there is no such file.
. "$top_srcdir/tests/lib.sh"

plan 19
xsim_setup
LOOK="$top_builddir/tests/xsim/t/sys-look"
L=/sys/module/xen_gntalloc/parameters/limit
dom() { _d=$1; shift; "$XSIM" run --domid "$_d" -- "$@"; }
look() { _d=$1; shift; dom "$_d" "$LOOK" "$@"; }

is "$(look 1 cat $L)" "1024" "open + read: 1024 at boot"
is "$(look 1 scan $L)" "1024" "fopen + fscanf reads it too"
is "$(look 1 stat $L) $(look 1 stat /sys/module/xen_gntalloc/parameters)" "file dir" \
    "stat: a file in a directory"
is "$(look 1 write $L 2048)" "ok" "open + write 2048"
is "$(look 1 scan $L)" "2048" "the guest reads 2048"
is "$("$XSIM" ctl gntalloc-limit 1)" "limit=2048 used=0" "and so does xsimd"
is "$(look 2 scan $L)" "1024" "another guest's kernel keeps its own (1024)"
is "$(look 1 fprintf $L 3000)" "ok" "fopen + fprintf + fclose 3000"
is "$(look 1 cat $L)" "3000" "read back"
is "$(look 1 write $L 0x1000)" "ok" "0x1000 (kstrtoint takes a base prefix)"
is "$(look 1 cat $L)" "4096" "is 4096"
is "$(look 1 write $L 12abc)" "err EINVAL" "12abc is refused: EINVAL"
is "$(look 1 fprintf $L ' 7')" "err EINVAL" "a leading space too, through stdio"
is "$(look 1 cat $L)" "4096" "the limit did not change"
dom 1 sh -c "echo 5000 >$L"
ok $? "the shell's echo 5000 >$L"
is "$(look 1 cat $L)" "5000" "stores 5000"
is "$(look 0 cat $L)" "1024" "dom0 has a kernel and a limit too"

"$XSIM" ctl rmmod 2 xen_gntalloc >/dev/null || bail "rmmod failed"
is "$(look 2 cat $L) $(look 2 stat /sys/module/xen_gntalloc)" "err ENOENT err ENOENT" \
    "without the module there is no $L, nor its directory"
is "$(look 2 write $L 1)" "err ENOENT" "nothing to write to"
