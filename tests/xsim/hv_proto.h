/* The wire format between libxsim-preload.so and xsimd's hypervisor.
 *
 * Each process that touches /dev/xen/{gntalloc,gntdev,evtchn} keeps one
 * "process connection": a SOCK_SEQPACKET, close-on-exec connection to
 * DIR/hv.sock. Every device operation is a request on it and gets exactly
 * one reply, in order. The connection also stands for the process's address
 * space: the grant pages it maps are accounted to it, so its end (exit,
 * crash or exec) releases them as the kernel would on unmap.
 *
 * Opening a device asks xsimd for a new socket (HV_OP_OPEN); the program
 * gets that socket as its device fd. It carries no requests, only the
 * device's lifetime (the last close is the device's release(), even across
 * fork, exec and dup) and, for evtchn, the port numbers: xsimd writes each
 * delivered port as 4 bytes, the program writes 4-byte ports back to unmask
 * them, so read(), write() and poll() on it are the real system calls.
 *
 * Framing: a request or reply is a header (struct hv_req / struct hv_rep)
 * followed by op-specific data, cut into SEQPACKET frames of at most
 * HV_FRAME_MAX bytes, each starting with struct hv_frame. File descriptors
 * ride on frames as SCM_RIGHTS, at most HV_FRAME_FDS per frame, in order.
 * All integers are in host byte order: both ends run on the same machine.
 *
 * A guest's memory is frames, with machine-wide frame numbers: a kernel
 * stand-in allocates them, maps them and grants them through
 * /dev/xsim/kmem (xsim_kmem.h), and dom0 maps any frame of a guest
 * through /dev/xen/privcmd, as libxenforeignmemory does on Linux.
 *
 * Each domain's kernel also has a sysfs: xsimd keeps it as files in
 * DIR/HV_SYSFS_DIR/<domid>/, laid out as under /sys, and the shim sends a
 * process's look at /sys/bus/xen, /sys/module/xen_gntalloc or a Xen device
 * in /sys/devices there. Writing a module parameter is a request
 * (HV_OP_PARAM_WRITE), answered as the kernel's store() would.
 */
#ifndef XSIM_HV_PROTO_H
#define XSIM_HV_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define HV_SOCKET_NAME   "hv.sock"
#define HV_SYSFS_DIR     "sys"
#define HV_PROTO_MAGIC   0x78736876u /* "vhsx" */
#define HV_PROTO_VERSION 1u

#define HV_FRAME_MAX 32768u
#define HV_FRAME_FDS 250u       /* the kernel takes at most 253 per message */
#define HV_MSG_MAX   (2u << 20) /* a whole request or reply, headers included */

#define HV_PAGE_SHIFT 12
#define HV_PAGE_SIZE  4096u

/* Limits (requests beyond them fail; they also bound xsimd's memory). */
#define HV_MAX_PAGES_PER_CALL 65536u /* gntalloc ALLOC, gntdev MAP, one mmap */
#define HV_MAX_COPY_SEGS      64u    /* grant-copy segments per request */

/* The mapping is not inherited by a child at fork: xsimd does not copy it
 * to the child's connection, the shim marks it MADV_DONTFORK. */
#define HV_MMAP_DONTFORK 1u

enum hv_frame_flags {
    HV_FRAME_MORE = 1, /* more frames of the same message follow */
};

struct hv_frame {
    uint32_t flags;
    uint32_t nfds; /* descriptors attached to this frame */
};

enum hv_kind {
    HV_KIND_GNTALLOC = 1,
    HV_KIND_GNTDEV = 2,
    HV_KIND_EVTCHN = 3,
    HV_KIND_PRIVCMD = 4, /* /dev/xen/privcmd */
    HV_KIND_KMEM = 5,    /* /dev/xsim/kmem: a guest kernel's own memory */
};

enum hv_op {
    /* First request on a connection. arg[0] = HV_PROTO_MAGIC |
     * (uint64_t)HV_PROTO_VERSION << 32, arg[1] = domid, arg[2] = id of the
     * parent's connection when this one is made for a child at fork (the
     * parent's mappings are copied to it), else 0.
     * Reply: val[0] = id of this connection. */
    HV_OP_HELLO = 1,
    /* The sender (as the kernel reports it) now uses this connection: a
     * child after fork, which its parent connected for it. */
    HV_OP_TRACK = 2,
    /* arg[0] = enum hv_kind. Reply: val[0] = handle, one descriptor: the
     * device socket. */
    HV_OP_OPEN = 3,

    /* evtchn ioctls; handle = the evtchn handle. Binds reply val[0] = port. */
    HV_OP_EV_BIND_VIRQ = 10,        /* arg[0] = virq */
    HV_OP_EV_BIND_INTERDOMAIN = 11, /* arg[0] = remote domain, arg[1] = remote port */
    HV_OP_EV_BIND_UNBOUND = 12,     /* arg[0] = remote domain */
    HV_OP_EV_UNBIND = 13,           /* arg[0] = port */
    HV_OP_EV_NOTIFY = 14,           /* arg[0] = port */
    HV_OP_EV_RESET = 15,            /* forget ports queued but not yet written */
    HV_OP_EV_RESTRICT = 16,         /* arg[0] = domid */

    /* gntalloc ALLOC_GREF: arg[0] = grantee, arg[1] = flags, arg[2] =
     * count. Reply: val[0] = index, data = uint32_t refs[count]. */
    HV_OP_GA_ALLOC = 20,
    HV_OP_GA_DEALLOC = 21, /* arg[0] = index, arg[1] = count */
    /* gntalloc or gntdev SET_UNMAP_NOTIFY: arg[0] = index (with the byte
     * offset), arg[1] = action, arg[2] = port. */
    HV_OP_SET_NOTIFY = 22,
    /* gntdev MAP_GRANT_REF: arg[0] = count, data = struct hv_grant_ref[count].
     * Reply: val[0] = index. */
    HV_OP_GD_MAP = 23,
    HV_OP_GD_UNMAP = 24, /* arg[0] = index, arg[1] = count */
    /* gntdev GRANT_COPY: arg[0] = count, data = struct hv_copy_seg[count],
     * then the bytes of every segment whose source is local, in order.
     * Reply: data = int16_t status[count] (padded to 8 bytes), then the
     * bytes of every segment whose destination is local and whose status
     * is 0, in order. */
    HV_OP_GD_COPY = 25,

    /* mmap of a gntalloc or gntdev handle: arg[0] = offset (bytes), arg[1] =
     * pages, arg[2] = PROT_* bits. Reply: val[0] = mapping id, val[1] =
     * HV_MMAP_* flags, data = struct hv_run[], descriptors as the runs name
     * them. The runs cover the pages in order. */
    HV_OP_MMAP = 30,
    /* munmap of part of a mapping: arg[0] = mapping id, arg[1] = first
     * page, arg[2] = pages. handle = 0. */
    HV_OP_MUNMAP = 31,

    /* A write to /sys/module/MODULE/parameters/PARAM of the sender's
     * domain: data = "MODULE\0PARAM\0" then the bytes written. */
    HV_OP_PARAM_WRITE = 40,

    /* privcmd IOCTL_PRIVCMD_MMAPBATCH_V2, the foreign mapping "hypercall":
     * arg[0] = the domain whose frames, arg[1] = count, arg[2] = PROT_*
     * bits; data = uint64_t frames[count]. Reply: val[0] = mapping id,
     * val[1] = HV_MMAP_* flags, data = int32_t err[count] (0 or -errno for
     * each frame, padded to 8 bytes), then struct hv_run[] covering the
     * pages in order, fd HV_RUN_HOLE where a frame failed. */
    HV_OP_PM_MAP = 50,

    /* The guest kernel's page allocator (/dev/xsim/kmem). KM_ALLOC:
     * arg[0] = count; reply val[0] = index (the mmap offset of these
     * pages, in bytes), data = uint64_t frames[count]. KM_FREE: arg[0] =
     * index. KM_GRANT: arg[0] = frame, arg[1] = grantee, arg[2] = 1 for
     * read-only; reply val[0] = the grant reference. KM_END_GRANT: arg[0]
     * = ref. An mmap (HV_OP_MMAP) of an index maps those pages, untracked
     * (mapping id 0): they are the kernel's own. */
    HV_OP_KM_ALLOC = 60,
    HV_OP_KM_FREE = 61,
    HV_OP_KM_GRANT = 62,
    HV_OP_KM_END_GRANT = 63,
};

struct hv_req {
    uint32_t op;
    uint32_t handle;
    uint64_t arg[3];
};

struct hv_rep {
    int32_t err; /* 0, or the errno the system call fails with */
    uint32_t pad;
    uint64_t val[3];
};

struct hv_grant_ref {
    uint32_t domid;
    uint32_t ref;
};

/* pages [.., +npages) of the reply's fd number `fd` (an index into the
 * descriptors of the reply), from page `page` of that file; fd
 * HV_RUN_HOLE: nothing there (a frame that could not be mapped) */
#define HV_RUN_HOLE 0xffffffffu
struct hv_run {
    uint32_t fd;
    uint32_t npages;
    uint64_t page;
};

#define HV_COPY_SOURCE_GREF 1u /* as GNTCOPY_source_gref */
#define HV_COPY_DEST_GREF   2u /* as GNTCOPY_dest_gref */

struct hv_copy_seg {
    uint32_t flags;
    uint16_t len;
    uint16_t pad;
    uint32_t src_ref, dst_ref; /* for the gref sides */
    uint16_t src_dom, dst_dom;
    uint16_t src_off, dst_off;
};

_Static_assert(sizeof(struct hv_frame) == 8, "hv_frame layout");
_Static_assert(sizeof(struct hv_req) == 32, "hv_req layout");
_Static_assert(sizeof(struct hv_rep) == 32, "hv_rep layout");
_Static_assert(sizeof(struct hv_run) == 16, "hv_run layout");
_Static_assert(sizeof(struct hv_copy_seg) == 24, "hv_copy_seg layout");
_Static_assert(HV_MAX_PAGES_PER_CALL * sizeof(struct hv_run) + sizeof(struct hv_rep) <= HV_MSG_MAX,
               "a worst-case mmap reply fits in one message");
_Static_assert((sizeof(struct hv_run) + sizeof(int32_t)) * HV_MAX_PAGES_PER_CALL +
                       sizeof(struct hv_rep) <=
                   HV_MSG_MAX,
               "a worst-case foreign map reply fits in one message");
_Static_assert(HV_MAX_PAGES_PER_CALL * sizeof(uint64_t) + sizeof(struct hv_req) <= HV_MSG_MAX,
               "a worst-case foreign map request fits in one message");

#endif
