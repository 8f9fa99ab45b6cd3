/* Ring index arithmetic shared by both ends of vfb and vkbd.
 *
 * The rings in <xen/io/fbif.h> and <xen/io/kbdif.h> use free-running u32
 * indices and slot = idx % LEN, where LEN (25 or 51) is not a power of two.
 * Everything here is pure arithmetic on values already read from shared
 * memory: the caller reads each index exactly once (xfb_ring_load) and
 * passes the value around, so a peer rewriting an index mid-way cannot make
 * two checks see two different numbers.
 */
#ifndef XFB_PROTO_RING_H
#define XFB_PROTO_RING_H

#include <stdbool.h>
#include <stdint.h>

/* Read an index the peer writes. Acquire: slot contents read afterwards are
 * at least as new as the index (the rmb() of the Xen headers' comments). */
static inline uint32_t xfb_ring_load(const volatile uint32_t *p)
{
    return __atomic_load_n((const uint32_t *)p, __ATOMIC_ACQUIRE);
}

/* Publish an index we own. Release: slot writes (producer) or reads
 * (consumer) before it are complete first (the wmb()/mb()). */
static inline void xfb_ring_store(volatile uint32_t *p, uint32_t v)
{
    __atomic_store_n((uint32_t *)p, v, __ATOMIC_RELEASE);
}

static inline uint32_t xfb_ring_slot(uint32_t idx, uint32_t len)
{
    return idx % len;
}

/* Consumer side: how many entries the peer claims are ready.
 * Returns -1 when prod is more than len ahead of cons: the producer is lying
 * (or memory is corrupt) and nothing in the ring may be trusted. */
int xfb_ring_avail(uint32_t prod, uint32_t cons, uint32_t len);

/* Producer side: may the entry with index prod be written now?
 * False when the ring is full, when the consumer index is not within len
 * behind prod (the peer moved it wrongly; *bad is set), or when prod's slot
 * is still occupied by an unconsumed entry: because 2^32 is not a multiple
 * of len, indices just before and just after the u32 wrap can share a slot,
 * and a producer that only counted entries would overwrite one. */
bool xfb_ring_can_produce(uint32_t prod, uint32_t cons, uint32_t len, bool *bad);

#endif
