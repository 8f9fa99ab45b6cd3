/* Internals shared by the files of xsimd's hypervisor (hv.c: connections
 * and dispatch; evtchn.c; grant.c; hv_ctl.c: control verbs). */
#ifndef XSIMD_HV_H
#define XSIMD_HV_H

#include "xsim/hv_proto.h"

#include <stddef.h>
#include <stdint.h>

/* A reply being built: header, data, and descriptors to pass. The
 * descriptors are borrowed: their owner keeps them open. */
struct hv_reply {
    struct hv_rep rep;
    uint8_t *data;
    size_t len, cap;
    int *fds;
    uint32_t nfds, fdcap;
    uint64_t stamp;  /* unique per reply, for de-duplicating descriptors */
    int close_after; /* a descriptor made for this reply alone, or -1 */
};

/* Room for n more bytes of data (len is advanced); NULL on ENOMEM. */
void *hv_reply_grow(struct hv_reply *r, size_t n);
/* Add a descriptor; its index in the reply, or -1 on ENOMEM. */
int hv_reply_fd(struct hv_reply *r, int fd);

/* Control verbs of the hypervisor (hv_ctl.c). */
void hv_ctl_register(void);

#endif
