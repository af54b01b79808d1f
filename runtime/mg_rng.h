/* mg_rng.h: CPython's `random` module, bit for bit.
 * MT19937 seeded as random.seed(int); random(), getrandbits, _randbelow,
 * shuffle, gauss (with its cached second value) and choices(range(n), w)[0].
 * MgRng is a plain struct: copy it to save and restore the whole state. */
#ifndef MG_RNG_H
#define MG_RNG_H

#include <stddef.h>
#include <stdint.h>

#define MG_RNG_N 624

typedef struct MgRng {
    uint32_t mt[MG_RNG_N];   /* MT19937 state */
    int index;               /* next word of mt to temper; N means regenerate */
    int has_gauss;           /* 1 when gauss_next holds a cached draw */
    double gauss_next;       /* gauss()'s cached second value (random.gauss_next) */
} MgRng;

/* random.seed(seed): init_by_array over the seed's 32-bit words, least
 * significant first (seed 0 -> key [0]); clears the gauss cache. */
void mg_rng_seed(MgRng *r, uint64_t seed);
/* MT19937 genrand_uint32. */
uint32_t mg_rng_genrand32(MgRng *r);
/* random.random(): a 53-bit double in [0, 1). */
double mg_rng_random(MgRng *r);
/* random.getrandbits(k) for 0 <= k <= 64 (words drawn low word first). */
uint64_t mg_rng_getrandbits(MgRng *r, int k);
/* random._randbelow(n) for any n >= 1: getrandbits(bit_length(n)) until < n.
 * n == 0 returns 0 and draws nothing. */
uint64_t mg_rng_randbelow(MgRng *r, uint64_t n);
/* random.shuffle on an array of n elements of `size` bytes each. */
void mg_rng_shuffle(MgRng *r, void *base, size_t n, size_t size);
/* random.uniform(a, b): a + (b - a) * random(). */
double mg_rng_uniform(MgRng *r, double a, double b);
/* random.gauss(mu, sigma). */
double mg_rng_gauss(MgRng *r, double mu, double sigma);
/* random.choices(range(n), weights)[0]: bisect_right over cumulative sums.
 * Returns -1 (drawing nothing) when n < 1 or the total is not positive and finite,
 * where Python raises. Allocates nothing. */
int mg_rng_choices(MgRng *r, const double *weights, int n);

#endif
