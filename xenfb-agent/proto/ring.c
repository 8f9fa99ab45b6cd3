#include "proto/ring.h"

int xfb_ring_avail(uint32_t prod, uint32_t cons, uint32_t len)
{
    uint32_t n = prod - cons; /* u32 arithmetic: correct across the wrap */
    return n > len ? -1 : (int)n;
}

bool xfb_ring_can_produce(uint32_t prod, uint32_t cons, uint32_t len, bool *bad)
{
    uint32_t used = prod - cons;
    if (bad)
        *bad = used > len;
    if (used >= len)
        return false;
    /* Only a pending range that crosses the wrap can alias prod's slot. */
    if (cons <= prod)
        return true;
    uint32_t slot = xfb_ring_slot(prod, len);
    for (uint32_t i = cons; i != 0; i++)
        if (xfb_ring_slot(i, len) == slot)
            return false;
    return true;
}
