/* A vfb handle on a page in ordinary memory, as the ring tests use it:
 * no Xen, 800x600 at 32 bits in 1024x768 of memory. vfb_fixture fills
 * the handle; a test sets what else it needs (an event callback, the
 * extensions asked for), then vfb_fixture_connect lays out the page and
 * connects, with the backend taking resizes and asking for updates. */
#ifndef XFB_TEST_VFB_FIXTURE_H
#define XFB_TEST_VFB_FIXTURE_H

#include "lib/private.h"

#include <string.h>

static inline void vfb_fixture(struct xfb_front *f, uint8_t *page, size_t page_len,
                               xfb_front_log_fn log)
{
    memset(page, 0, page_len);
    memset(f, 0, sizeof(*f));
    f->kind = XFB_FRONT_VFB;
    f->name = "vfb";
    f->port = -1;
    f->page = page;
    f->width = 800;
    f->height = 600;
    f->depth = 32;
    f->stride = 3200;
    f->mem.mem_length = 1024 * 768 * 4;
    f->timerfd = f->epfd = f->kickfd = -1;
    f->refresh = -1;
    f->log_fn = log;
    f->log_level = XFB_LOG_DEBUG;
}

static inline void vfb_fixture_connect(struct xfb_front *f)
{
    xfb_fbring_init_page(f);
    f->connected = true;
    f->be_request_update = true;
    f->be_resize = true;
}

#endif
