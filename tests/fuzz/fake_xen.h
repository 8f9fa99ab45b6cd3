/* In-memory stand-ins for libxenstore, libxenevtchn, libxengnttab,
 * libxenforeignmemory and libxentoollog, linked into the fuzz harnesses in place of the real
 * libraries. They serve the other side of the protocol from the fuzz
 * input: the harness writes xenstore nodes, guest pages and event channel
 * notifications through the fx_* calls, and the code under test reads them
 * through the ordinary Xen API.
 *
 * The fakes keep the semantics the code relies on (watches fire on a node
 * and below it and once when set, xs_check_watch ends with EAGAIN, the
 * poll descriptors are readable exactly while something is queued, an
 * unmap clears the notify byte) and every failure the real libraries can
 * return, one at a time on request (fx_fail). Everything lives in one
 * process and one global state, reset between inputs by fx_reset().
 */
#ifndef XFB_FUZZ_FAKE_XEN_H
#define XFB_FUZZ_FAKE_XEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FX_PAGE 4096u
/* Grant references below this name pages the harness controls (shared
 * with the code under test, as a real grant is); references up to
 * FX_REF_LIMIT map zero-filled pages; larger ones fail to map. */
#define FX_GUEST_PAGES 8u
#define FX_REF_LIMIT   0x100000u
/* The most pages one map call may ask for (gntdev has a limit too). */
#define FX_MAP_MAX 4096u

/* Failures that can be armed for the next call of their kind. */
enum fx_fault {
    FX_FAIL_READ_ENOENT,
    FX_FAIL_READ_EACCES,
    FX_FAIL_READ_EIO,
    FX_FAIL_WRITE,
    FX_FAIL_RM,
    FX_FAIL_DIRECTORY,
    FX_FAIL_WATCH,
    FX_FAIL_TX_START,
    FX_FAIL_TX_EAGAIN,
    FX_FAIL_CHECK_WATCH, /* xs_check_watch: EIO (the connection failed) */
    FX_FAIL_BIND,
    FX_FAIL_PENDING, /* xenevtchn_pending: EIO */
    FX_FAIL_MAP,
    FX_FAIL_MAP_NOTIFY,
    FX_FAIL_SHARE,   /* gntalloc: ENOSPC */
    FX_FAIL_OPEN,    /* the next xs_open / *_open */
    FX_FAIL_FOREIGN, /* every frame of the next foreign map: EFAULT */
    FX_FAULTS
};

/* Forget everything (store, watches, ports, maps, faults). Returns the
 * number of handles, grant maps, shares and bound ports still live, which
 * the harness expects to be 0 after the code under test closed its
 * handles. */
unsigned fx_reset(void);

/* Arm one failure for the next call of that kind. */
void fx_fail(enum fx_fault f);
void fx_clear_faults(void);

/* The store, as another domain or the toolstack changes it: fires the
 * watches on path and above, as xenstored does. */
void fx_write(const char *path, const void *val, size_t len);
void fx_write_str(const char *path, const char *val);

/* A device's two directories linked as a toolstack leaves them, both at
 * Initialising: fe/backend, fe/backend-id (0), be/frontend, both states. */
void fx_link_device(const char *fe, const char *be);
/* The same, with what the backend side needs to serve it: the
 * frontend's domain (1) and online, as xenfb-backend attach leaves it. */
void fx_attach_device(const char *fe, const char *be);
void fx_rm(const char *path);
/* The value of path (NUL-terminated), or NULL. */
const char *fx_read(const char *path);
/* Queue a watch event as xenstored would send it, whatever the path. */
void fx_fire(const char *path, const char *token);

/* The relative paths of the next xs_open()ed handles are below this home
 * ("/local/domain/1" for a guest). */
void fx_set_home(const char *home);

/* Event channels. The peer notifies its end remote_port: every local port
 * bound to it becomes pending. */
void fx_notify_remote(uint32_t remote_port);
/* Make a local port pending (the peer of an unbound port notified it). */
void fx_pend(uint32_t local_port);
/* Notifications the code under test sent, in total. */
unsigned long fx_notifications(void);

/* Grant pages the harness (the guest) owns; a map of ref < FX_GUEST_PAGES
 * aliases guest[ref] as a real grant map aliases guest memory. */
uint8_t *fx_guest_page(unsigned ref);

/* The page the code under test shared with an unmap notify (a frontend's
 * shared page), or NULL. */
uint8_t *fx_shared_page(void);
/* The local port of the last xenevtchn_bind_unbound_port(), or -1. */
int fx_unbound_port(void);

#endif
