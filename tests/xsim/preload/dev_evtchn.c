/* /dev/xen/evtchn ioctls. Reading ports and writing them back (unmask)
 * are the program's own read() and write() on the device socket; only the
 * ioctls go to xsimd, over the process connection, so an event arriving
 * during an ioctl is simply waiting on the socket for poll() to see. */
#define _GNU_SOURCE 1
#include "shim.h"

#include <errno.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <xen/xen.h> /* domid_t, for evtchn.h */
#include <xen/sys/evtchn.h>

static int ev_call(const struct shim_file *f, uint32_t op, uint64_t a0, uint64_t a1)
{
    shim_lock();
    struct shim_call c = {.req = {.op = op, .handle = f->handle, .arg = {a0, a1}}};
    int rc = shim_call(&c);
    if (rc == 0) {
        rc = shim_rep_errno(&c);
        if (rc == 0)
            rc = (int)c.rep.val[0];
        shim_call_done(&c);
    }
    shim_unlock();
    return rc;
}

/* Like the kernel's ring reset: ports written but not read are dropped. */
static void drain(int fd)
{
    char buf[4096];
    while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0) {
    }
}

int shim_evtchn_ioctl(int fd, const struct shim_file *f, unsigned long req, void *arg)
{
    if (!arg && req != IOCTL_EVTCHN_RESET) {
        errno = EFAULT;
        return -1;
    }
    switch (req) {
    case IOCTL_EVTCHN_BIND_VIRQ:
        return ev_call(f, HV_OP_EV_BIND_VIRQ, ((struct ioctl_evtchn_bind_virq *)arg)->virq, 0);
    case IOCTL_EVTCHN_BIND_INTERDOMAIN: {
        const struct ioctl_evtchn_bind_interdomain *b = arg;
        return ev_call(f, HV_OP_EV_BIND_INTERDOMAIN, b->remote_domain, b->remote_port);
    }
    case IOCTL_EVTCHN_BIND_UNBOUND_PORT:
        return ev_call(f, HV_OP_EV_BIND_UNBOUND,
                       ((struct ioctl_evtchn_bind_unbound_port *)arg)->remote_domain, 0);
    case IOCTL_EVTCHN_UNBIND:
        return ev_call(f, HV_OP_EV_UNBIND, ((struct ioctl_evtchn_unbind *)arg)->port, 0);
    case IOCTL_EVTCHN_NOTIFY:
        return ev_call(f, HV_OP_EV_NOTIFY, ((struct ioctl_evtchn_notify *)arg)->port, 0);
    case IOCTL_EVTCHN_RESET: {
        int rc = ev_call(f, HV_OP_EV_RESET, 0, 0);
        if (rc == 0)
            drain(fd);
        return rc;
    }
    case IOCTL_EVTCHN_RESTRICT_DOMID:
        return ev_call(f, HV_OP_EV_RESTRICT, ((struct ioctl_evtchn_restrict_domid *)arg)->domid, 0);
    default:
        errno = ENOSYS; /* what the evtchn driver answers */
        return -1;
    }
}
