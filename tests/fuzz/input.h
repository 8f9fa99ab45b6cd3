/* Reading a fuzz input as a little program: each harness takes an opcode
 * byte and its arguments at a time. Past the end every read gives 0, so
 * any byte string is a valid program. */
#ifndef XFB_FUZZ_INPUT_H
#define XFB_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct fin {
    const uint8_t *p;
    size_t n;
};

static inline int fin_more(const struct fin *in)
{
    return in->n > 0;
}

static inline uint8_t fin_u8(struct fin *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

static inline uint16_t fin_u16(struct fin *in)
{
    uint16_t lo = fin_u8(in);
    return (uint16_t)(lo | (uint16_t)fin_u8(in) << 8);
}

static inline uint32_t fin_u32(struct fin *in)
{
    uint32_t lo = fin_u16(in);
    return lo | (uint32_t)fin_u16(in) << 16;
}

/* Up to len bytes into out (zero-filled past the end); returns len. */
static inline size_t fin_bytes(struct fin *in, void *out, size_t len)
{
    size_t k = len < in->n ? len : in->n;
    memcpy(out, in->p, k);
    memset((uint8_t *)out + k, 0, len - k);
    in->p += k;
    in->n -= k;
    return len;
}

/* A string: an index into table when below count, otherwise a short
 * string taken from the input. buf holds at least 64 bytes. */
static inline const char *fin_str(struct fin *in, const char *const *table, unsigned count,
                                  char *buf)
{
    uint8_t v = fin_u8(in);
    if (v < count)
        return table[v];
    size_t len = (size_t)(v - count) % 48;
    fin_bytes(in, buf, len);
    buf[len] = '\0';
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
