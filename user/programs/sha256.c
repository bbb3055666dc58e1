/*
 * sha256.c - SHA-256 benchmark (FIPS 180-4), own implementation.
 *
 * Hashes n bytes: a 64 KiB buffer of LCG bytes (seed 2) repeated as often as
 * needed, fed through the streaming interface.
 *
 *   argv[1] = n, bytes to hash
 *   default n = 150000000   small n = 250000
 *
 * Output: "sha256: n=<n> checksum=0x<first 32 bits of the digest>".
 * Self-checks: SHA-256("abc") and the 56-byte FIPS test vector.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

#define DEFAULT_N 150000000u
#define BUF_SIZE 65536u

struct sha256 {
    uint32_t h[8];
    uint8_t block[64];
    uint32_t used;     /* bytes in block */
    uint64_t total;    /* bytes hashed so far */
};

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t ror(uint32_t x, int r) { return (x >> r) | (x << (32 - r)); }

static void compress(uint32_t h[8], const uint8_t *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d;
    h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

static void sha_init(struct sha256 *s)
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, iv, sizeof iv);
    s->used = 0;
    s->total = 0;
}

static void sha_update(struct sha256 *s, const uint8_t *p, uint32_t len)
{
    s->total += len;
    if (s->used) {
        while (len && s->used < 64) {
            s->block[s->used++] = *p++;
            len--;
        }
        if (s->used < 64)
            return;
        compress(s->h, s->block);
        s->used = 0;
    }
    while (len >= 64) {
        compress(s->h, p);
        p += 64;
        len -= 64;
    }
    memcpy(s->block, p, len);
    s->used = len;
}

static void sha_final(struct sha256 *s, uint8_t out[32])
{
    uint64_t bits = s->total * 8;
    uint8_t pad = 0x80;
    sha_update(s, &pad, 1);
    pad = 0;
    while (s->used != 56)
        sha_update(s, &pad, 1);
    uint8_t len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (uint8_t)(bits >> (56 - 8 * i));
    sha_update(s, len, 8);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(s->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)s->h[i];
    }
}

static int check(const char *msg, const char *hex)
{
    struct sha256 s;
    uint8_t d[32];
    char got[65];
    sha_init(&s);
    sha_update(&s, (const uint8_t *)msg, (uint32_t)strlen(msg));
    sha_final(&s, d);
    for (int i = 0; i < 32; i++)
        snprintf(got + 2 * i, 3, "%02x", d[i]);
    if (strcmp(got, hex) != 0) {
        printf("sha256: self-check failed for \"%s\": %s\n", msg, got);
        return 0;
    }
    return 1;
}

static uint8_t buf[BUF_SIZE];

int main(int argc, char **argv)
{
    uint32_t n = bench_size(argc, argv, DEFAULT_N);

    if (!check("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") ||
        !check("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
               "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"))
        return 1;

    uint32_t seed = 2;
    for (uint32_t i = 0; i < BUF_SIZE; i++)
        buf[i] = (uint8_t)(lcg_next(&seed) >> 24);

    struct sha256 s;
    uint8_t d[32];
    sha_init(&s);
    uint32_t left = n;
    while (left > 0) {
        uint32_t chunk = left < BUF_SIZE ? left : BUF_SIZE;
        sha_update(&s, buf, chunk);
        left -= chunk;
    }
    sha_final(&s, d);

    uint32_t sum = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
    printf("sha256: n=%lu checksum=0x%08lx\n", (unsigned long)n, (unsigned long)sum);
    return 0;
}
