/* Ring index arithmetic: empty, full, the u32 wrap, and a peer that lies. */
#include "proto/ring.h"

#include "tap.h"

#include <xen/io/fbif.h>
#include <xen/io/kbdif.h>

#define LEN XENFB_OUT_RING_LEN

static void test_ring_empty(void)
{
    is_int(xfb_ring_avail(7, 7, LEN), 0, "empty ring has nothing to consume");
    ok(xfb_ring_can_produce(7, 7, LEN, NULL), "empty ring has room");
}

static void test_ring_full(void)
{
    bool bad = true;
    is_int(xfb_ring_avail(100 + LEN, 100, LEN), LEN, "full ring: all %u entries ready", LEN);
    ok(!xfb_ring_can_produce(100 + LEN, 100, LEN, &bad), "full ring refuses a producer");
    ok(!bad, "a full ring is not a protocol error");
    ok(xfb_ring_can_produce(100 + LEN - 1, 100, LEN, NULL), "one slot left is room");
}

static void test_ring_wraparound(void)
{
    /* consumer before the wrap, producer after it */
    is_int(xfb_ring_avail(3, 0xfffffffeu, LEN), 5, "avail counts across 2^32");
    is_int(xfb_ring_avail(0, 0xffffffffu, LEN), 1, "avail across 2^32, one entry");
    is_int(xfb_ring_slot(0xffffffffu, LEN), 0xffffffffu % LEN, "slot uses u32 modulo");
    /* 2^32 % 51 == 1, so indices 0xffffffff and 0 both use slot 0 */
    is_int(xfb_ring_slot(0xffffffffu, 51), xfb_ring_slot(0, 51), "the wrap aliases two indices");
    ok(!xfb_ring_can_produce(0, 0xffffffffu, 51, NULL),
       "producer waits while the aliased slot is unconsumed");
    ok(xfb_ring_can_produce(0, 0, 51, NULL), "and goes on once it is consumed");
    ok(xfb_ring_can_produce(1, 0xfffffff0u, 51, NULL),
       "no alias for distinct slots across the wrap");
}

static void test_ring_producer_too_far(void)
{
    bool bad = false;
    is_int(xfb_ring_avail(100 + LEN + 1, 100, LEN), -1, "producer %u ahead is rejected", LEN + 1);
    is_int(xfb_ring_avail(0x80000000u, 0, LEN), -1, "producer 2^31 ahead is rejected");
    is_int(xfb_ring_avail(5, 10, LEN), -1, "producer behind the consumer is rejected");
    is_int(xfb_ring_avail(LEN, 0xffffffffu, LEN), -1, "too far ahead across the wrap is rejected");
    ok(!xfb_ring_can_produce(10, 20, LEN, &bad) && bad,
       "consumer index past the producer is reported as bad");
}

static void test_ring_kbd_len(void)
{
    is_int(xfb_ring_avail(XENKBD_IN_RING_LEN, 0, XENKBD_IN_RING_LEN), XENKBD_IN_RING_LEN,
           "vkbd in ring holds %u", XENKBD_IN_RING_LEN);
    is_int(xfb_ring_avail(XENKBD_IN_RING_LEN + 1, 0, XENKBD_IN_RING_LEN), -1,
           "vkbd in ring rejects %u", XENKBD_IN_RING_LEN + 1);
}

int main(void)
{
    plan(20);
    test_ring_empty();
    test_ring_full();
    test_ring_wraparound();
    test_ring_producer_too_far();
    test_ring_kbd_len();
    return done_testing();
}
