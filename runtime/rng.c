/* rng.c: CPython's Mersenne Twister and the random.py methods built on it.
 * Takes a seed; hands on the exact streams CPython 3 produces for the same calls.
 * Invariants: 0 <= index <= N; every draw goes through genrand32 in CPython's order. */
#include "mg_rng.h"

#include <math.h>
#include <string.h>

#define N MG_RNG_N
#define M 397
#define MATRIX_A 0x9908b0dfU
#define UPPER_MASK 0x80000000U
#define LOWER_MASK 0x7fffffffU

static void init_genrand(MgRng *r, uint32_t s) {
    r->mt[0] = s;
    for (int i = 1; i < N; i++)
        r->mt[i] = 1812433253U * (r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) + (uint32_t)i;
    r->index = N;
}

/* init_by_array(key) from mt19937ar.c, as _randommodule.c uses it. */
static void init_by_array(MgRng *r, const uint32_t *key, int len) {
    uint32_t *mt = r->mt;
    init_genrand(r, 19650218U);
    int i = 1, j = 0;
    for (int k = N > len ? N : len; k; k--) {
        mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525U)) + key[j] + (uint32_t)j;
        i++;
        j++;
        if (i >= N) { mt[0] = mt[N - 1]; i = 1; }
        if (j >= len) j = 0;
    }
    for (int k = N - 1; k; k--) {
        mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941U)) - (uint32_t)i;
        i++;
        if (i >= N) { mt[0] = mt[N - 1]; i = 1; }
    }
    mt[0] = 0x80000000U;
}

void mg_rng_seed(MgRng *r, uint64_t seed) {
    uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    init_by_array(r, key, key[1] ? 2 : 1);
    r->has_gauss = 0;
    r->gauss_next = 0.0;
}

static void generate(MgRng *r) {
    static const uint32_t mag01[2] = {0U, MATRIX_A};
    uint32_t *mt = r->mt, y;
    int kk;
    for (kk = 0; kk < N - M; kk++) {
        y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
        mt[kk] = mt[kk + M] ^ (y >> 1) ^ mag01[y & 1U];
    }
    for (; kk < N - 1; kk++) {
        y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
        mt[kk] = mt[kk + (M - N)] ^ (y >> 1) ^ mag01[y & 1U];
    }
    y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
    mt[N - 1] = mt[M - 1] ^ (y >> 1) ^ mag01[y & 1U];
    r->index = 0;
}

uint32_t mg_rng_genrand32(MgRng *r) {
    if (r->index >= N) generate(r);
    uint32_t y = r->mt[r->index++];
    y ^= (y >> 11);
    y ^= (y << 7) & 0x9d2c5680U;
    y ^= (y << 15) & 0xefc60000U;
    y ^= (y >> 18);
    return y;
}

double mg_rng_random(MgRng *r) {
    uint32_t a = mg_rng_genrand32(r) >> 5, b = mg_rng_genrand32(r) >> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}

uint64_t mg_rng_getrandbits(MgRng *r, int k) {
    if (k <= 0) return 0;
    if (k > 64) k = 64;
    if (k <= 32) return mg_rng_genrand32(r) >> (32 - k);
    uint64_t lo = mg_rng_genrand32(r);             /* first word = low 32 bits */
    uint64_t hi = mg_rng_genrand32(r) >> (64 - k); /* last word keeps its top bits */
    return lo | (hi << 32);
}

static int bit_length(uint64_t n) {
#if defined(__GNUC__) || defined(__clang__)
    return n ? 64 - __builtin_clzll(n) : 0;
#else
    int k = 0;
    while (n) { k++; n >>= 1; }
    return k;
#endif
}

uint64_t mg_rng_randbelow(MgRng *r, uint64_t n) {
    if (n == 0) return 0;
    int k = bit_length(n);
    uint64_t x = mg_rng_getrandbits(r, k);
    while (x >= n) x = mg_rng_getrandbits(r, k);
    return x;
}

void mg_rng_shuffle(MgRng *r, void *base, size_t n, size_t size) {
    unsigned char *a = base, tmp[64];
    for (size_t i = n > 0 ? n - 1 : 0; i >= 1; i--) {
        size_t j = (size_t)mg_rng_randbelow(r, (uint64_t)i + 1);
        if (j == i) continue;
        unsigned char *x = a + i * size, *y = a + j * size;
        if (size % 8 == 0 && size <= sizeof tmp) {   /* a few words (a document, an index): no libc calls */
            for (size_t off = 0; off < size; off += 8) {
                uint64_t u, v;
                memcpy(&u, x + off, 8);
                memcpy(&v, y + off, 8);
                memcpy(x + off, &v, 8);
                memcpy(y + off, &u, 8);
            }
            continue;
        }
        for (size_t off = 0; off < size; off += sizeof tmp) {  /* swap in chunks */
            size_t c = size - off < sizeof tmp ? size - off : sizeof tmp;
            memcpy(tmp, x + off, c);
            memcpy(x + off, y + off, c);
            memcpy(y + off, tmp, c);
        }
    }
}

double mg_rng_gauss(MgRng *r, double mu, double sigma) {
    double z;
    if (r->has_gauss) {
        z = r->gauss_next;
        r->has_gauss = 0;
    } else {
        double x2pi = mg_rng_random(r) * (2.0 * 3.141592653589793);
        double g2rad = sqrt(-2.0 * log(1.0 - mg_rng_random(r)));
        z = cos(x2pi) * g2rad;
        r->gauss_next = sin(x2pi) * g2rad;
        r->has_gauss = 1;
    }
    return mu + z * sigma;
}

/* cum[i] of itertools.accumulate(weights), recomputed so nothing is allocated. */
static double cum_at(const double *w, int i) {
    double c = w[0];
    for (int k = 1; k <= i; k++) c = c + w[k];
    return c;
}

int mg_rng_choices(MgRng *r, const double *weights, int n) {
    if (n < 1) return -1;
    double total = cum_at(weights, n - 1) + 0.0;
    if (!(total > 0.0) || !isfinite(total)) return -1;
    double x = mg_rng_random(r) * total;
    int lo = 0, hi = n - 1;           /* bisect_right(cum, x, 0, n - 1) */
    if (n <= 64) {                    /* common case: accumulate once on the stack */
        double cum[64];
        cum[0] = weights[0];
        for (int i = 1; i < n; i++) cum[i] = cum[i - 1] + weights[i];
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (x < cum[mid]) hi = mid; else lo = mid + 1;
        }
        return lo;
    }
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (x < cum_at(weights, mid)) hi = mid; else lo = mid + 1;
    }
    return lo;
}

double mg_rng_uniform(MgRng *r, double a, double b) { return a + (b - a) * mg_rng_random(r); }
