/* test_rng.c: mg_rng against CPython's random module.
 * Every expected value below was printed by CPython 3.11.7 (random.Random(seed)),
 * an independent implementation; none was produced by the code under test. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "mg_data.h"
#include "mg_rng.h"
#include "testutil.h"

typedef struct SeedCase {
    uint64_t seed;
    double random[3];
    uint32_t genrand[3];
    uint64_t bits[5];        /* getrandbits(1, 7, 31, 33, 64) in sequence */
    uint64_t below[9];       /* _randbelow(1, 2, 3, 10, 27, 1000, 2**31+1, 2**32, 2**32+1) */
    int shuffle[20];         /* shuffle(list(range(20))) */
    double gauss[5];         /* gauss(0, 0.08) x 5 */
    int choices[12];         /* choices(range(5), weights=[0.1, 0.0, 2.5, 1.0, 0.4])[0] x 12 */
} SeedCase;

/* From CPython 3.11.7. */
static const SeedCase cases[] = {
    {0,
     {0.8444218515250481, 0.7579544029403025, 0.420571580830845},
     {3626764237u, 1654615998u, 3255389356u},
     {1, 49, 1627694678, 3823568514ull, 4776171008201404212ull},
     {0, 1, 0, 4, 16, 497, 1739178872, 3564191072ull, 4156669319ull},
     {10, 18, 16, 14, 0, 17, 11, 2, 3, 9, 5, 7, 4, 19, 6, 15, 8, 1, 13, 12},
     {0.07533723237445315, -0.11172624837609199, -0.054377155846273686, 0.029640285396852786,
      -0.08130791153504567},
     {3, 3, 2, 2, 2, 2, 3, 2, 2, 2, 4, 2}},
    {1,
     {0.13436424411240122, 0.8474337369372327, 0.763774618976614},
     {577090037u, 2444712010u, 3639700191u},
     {0, 72, 1819850095, 7740669488ull, 4705193143269049553ull},
     {0, 0, 1, 1, 15, 779, 1930549411, 901749037, 2095328386},
     {11, 5, 17, 19, 9, 0, 16, 1, 15, 6, 10, 13, 14, 12, 7, 3, 8, 2, 18, 4},
     {0.10305478025243703, 0.11595564869598167, 0.005306864715060953, -0.061163492077730544,
      -0.08737385720833132},
     {2, 3, 3, 2, 2, 2, 3, 3, 2, 2, 3, 2}},
    {42,
     {0.6394267984578837, 0.025010755222666936, 0.27502931836911926},
     {2746317213u, 478163327u, 107420369u},
     {1, 14, 53710184, 3184935163ull, 4117511471858006928ull},
     {0, 0, 2, 4, 7, 228, 599310825, 3163119785ull, 1812140441},
     {19, 5, 14, 4, 9, 13, 15, 18, 6, 12, 17, 10, 1, 11, 2, 16, 7, 8, 0, 3},
     {-0.011527226366234268, -0.013832288026521545, -0.008905268925412997, 0.05615869800790905,
      -0.010207062702630967},
     {2, 2, 2, 2, 3, 3, 3, 2, 2, 2, 2, 2}},
    {4294967301ull, /* 2**32 + 5: a two-word key */
     {0.15727238718789782, 0.2824866316461999, 0.6044540318498407},
     {675479763u, 2085189291u, 1213270837u},
     {0, 62, 606635418, 8117169770ull, 267910309641445477ull},
     {0, 1, 1, 9, 26, 14, 1524997693, 2696275445ull, 3497239160ull},
     {16, 13, 8, 4, 1, 6, 18, 17, 3, 19, 7, 14, 12, 2, 10, 11, 0, 9, 15, 5},
     {0.03586614823875134, 0.05443119295304134, -0.010841520370762405, -0.008350135106317881,
      -0.09636172476400537},
     {2, 2, 2, 0, 2, 3, 4, 3, 2, 2, 3, 3}},
};
#define NCASES (sizeof cases / sizeof cases[0])

Test(rng, random_matches_cpython) {
    for (size_t c = 0; c < NCASES; c++) {
        MgRng r;
        mg_rng_seed(&r, cases[c].seed);
        for (int i = 0; i < 3; i++) {
            double x = mg_rng_random(&r);
            cr_expect_eq(x, cases[c].random[i], "seed %llu random #%d: %.17g != %.17g",
                         (unsigned long long)cases[c].seed, i, x, cases[c].random[i]);
        }
    }
}

Test(rng, genrand32_matches_cpython) {
    for (size_t c = 0; c < NCASES; c++) {
        MgRng r;
        mg_rng_seed(&r, cases[c].seed);
        for (int i = 0; i < 3; i++) cr_expect_eq(mg_rng_genrand32(&r), cases[c].genrand[i]);
    }
}

Test(rng, getrandbits_matches_cpython) {
    static const int ks[5] = {1, 7, 31, 33, 64};
    for (size_t c = 0; c < NCASES; c++) {
        MgRng r;
        mg_rng_seed(&r, cases[c].seed);
        for (int i = 0; i < 5; i++) {
            uint64_t x = mg_rng_getrandbits(&r, ks[i]);
            cr_expect_eq(x, cases[c].bits[i], "seed %llu getrandbits(%d): %llu != %llu",
                         (unsigned long long)cases[c].seed, ks[i], (unsigned long long)x,
                         (unsigned long long)cases[c].bits[i]);
        }
    }
}

Test(rng, randbelow_matches_cpython) {
    static const uint64_t ns[9] = {1, 2, 3, 10, 27, 1000, 2147483649ull, 4294967296ull, 4294967297ull};
    for (size_t c = 0; c < NCASES; c++) {
        MgRng r;
        mg_rng_seed(&r, cases[c].seed);
        for (int i = 0; i < 9; i++) {
            uint64_t x = mg_rng_randbelow(&r, ns[i]);
            cr_expect_eq(x, cases[c].below[i], "seed %llu _randbelow(%llu): %llu != %llu",
                         (unsigned long long)cases[c].seed, (unsigned long long)ns[i], (unsigned long long)x,
                         (unsigned long long)cases[c].below[i]);
        }
    }
}

Test(rng, shuffle_matches_cpython) {
    for (size_t c = 0; c < NCASES; c++) {
        MgRng r;
        int x[20];
        for (int i = 0; i < 20; i++) x[i] = i;
        mg_rng_seed(&r, cases[c].seed);
        mg_rng_shuffle(&r, x, 20, sizeof x[0]);
        cr_expect_arr_eq(x, cases[c].shuffle, sizeof x, "seed %llu shuffle", (unsigned long long)cases[c].seed);
    }
}

Test(rng, shuffle_large_elements) {
    /* 100-byte elements (swapped in chunks) follow the same permutation. */
    struct Big { int id; char pad[96]; } b[20];
    for (int i = 0; i < 20; i++) {
        b[i].id = i;
        memset(b[i].pad, 'a' + i, sizeof b[i].pad);
    }
    MgRng r;
    mg_rng_seed(&r, 42);
    mg_rng_shuffle(&r, b, 20, sizeof b[0]);
    for (int i = 0; i < 20; i++) {
        cr_expect_eq(b[i].id, cases[2].shuffle[i]);
        cr_expect_eq(b[i].pad[95], 'a' + cases[2].shuffle[i]);
    }
}

Test(rng, gauss_matches_cpython) {
    for (size_t c = 0; c < NCASES; c++) {
        MgRng r;
        mg_rng_seed(&r, cases[c].seed);
        for (int i = 0; i < 5; i++) {
            double g = mg_rng_gauss(&r, 0.0, 0.08);
            cr_expect_eq(g, cases[c].gauss[i], "seed %llu gauss #%d: %.17g != %.17g",
                         (unsigned long long)cases[c].seed, i, g, cases[c].gauss[i]);
        }
    }
}

Test(rng, gauss_mu_sigma_and_cache) {
    /* CPython: r = Random(9); gauss(1.5, 2.0) x 2, then random(). */
    MgRng r;
    mg_rng_seed(&r, 9);
    cr_expect_eq(mg_rng_gauss(&r, 1.5, 2.0), -0.38151376805697534);
    cr_expect_eq(mg_rng_gauss(&r, 1.5, 2.0), 1.9453726795099688);   /* the cached value */
    cr_expect_eq(mg_rng_random(&r), 0.13853941251445523);
}

Test(rng, seed_clears_gauss_cache) {
    MgRng r;
    mg_rng_seed(&r, 7);
    mg_rng_gauss(&r, 0.0, 1.0);      /* leaves a cached value */
    cr_assert(r.has_gauss);
    mg_rng_seed(&r, 0);
    cr_expect_eq(mg_rng_gauss(&r, 0.0, 0.08), cases[0].gauss[0]);
}

Test(rng, choices_matches_cpython) {
    static const double w[5] = {0.1, 0.0, 2.5, 1.0, 0.4};
    for (size_t c = 0; c < NCASES; c++) {
        MgRng r;
        mg_rng_seed(&r, cases[c].seed);
        for (int i = 0; i < 12; i++) cr_expect_eq(mg_rng_choices(&r, w, 5), cases[c].choices[i]);
    }
}

Test(rng, choices_many_weights) {
    /* CPython: r = Random(7); w = [(i*7 % 13) / 3.0 for i in range(100)];
     * [r.choices(range(100), weights=w)[0] for _ in range(10)] */
    static const int expect[10] = {33, 16, 64, 8, 53, 36, 7, 50, 5, 44};
    double w[100];
    for (int i = 0; i < 100; i++) w[i] = (i * 7 % 13) / 3.0;
    MgRng r;
    mg_rng_seed(&r, 7);
    for (int i = 0; i < 10; i++) cr_expect_eq(mg_rng_choices(&r, w, 100), expect[i]);
}

Test(rng, choices_edge_cases) {
    MgRng r;
    /* CPython: Random(5): choices(range(1), weights=[2.0])[0] x 2, then random(). */
    mg_rng_seed(&r, 5);
    double one = 2.0;
    cr_expect_eq(mg_rng_choices(&r, &one, 1), 0);
    cr_expect_eq(mg_rng_choices(&r, &one, 1), 0);
    cr_expect_eq(mg_rng_random(&r), 0.7951935655656966);
    /* Python raises for these; we return -1 and draw nothing. */
    double zero[3] = {0, 0, 0}, inf[2] = {1, INFINITY};
    MgRng before = r;
    cr_expect_eq(mg_rng_choices(&r, zero, 3), -1);
    cr_expect_eq(mg_rng_choices(&r, inf, 2), -1);
    cr_expect_eq(mg_rng_choices(&r, zero, 0), -1);
    cr_expect_eq(memcmp(&before, &r, sizeof r), 0);
}

Test(rng, seed_two_words_max) {
    /* CPython: Random(2**64 - 1): getrandbits(32) x 3, then random(). */
    MgRng r;
    mg_rng_seed(&r, UINT64_MAX);
    cr_expect_eq(mg_rng_genrand32(&r), 93740670u);
    cr_expect_eq(mg_rng_genrand32(&r), 1068495656u);
    cr_expect_eq(mg_rng_genrand32(&r), 1452108352u);
    cr_expect_eq(mg_rng_random(&r), 0.6187512294349632);
}

Test(rng, state_save_restore) {
    MgRng r, saved;
    mg_rng_seed(&r, 1);
    for (int i = 0; i < 700; i++) mg_rng_genrand32(&r);   /* cross a regeneration */
    mg_rng_gauss(&r, 0, 1);                                /* and leave a cached gauss */
    saved = r;
    double a[5], b[5];
    for (int i = 0; i < 5; i++) a[i] = mg_rng_gauss(&r, 0, 1);
    r = saved;
    for (int i = 0; i < 5; i++) b[i] = mg_rng_gauss(&r, 0, 1);
    cr_expect_arr_eq(a, b, sizeof a);
}

/* REFERENCE.md: seed 42, shuffle the 32,033 names, then gauss(0, 0.08) x 3. */
Test(rng, names_shuffle_and_gauss_match_reference) {
    const char *tried, *path = tu_names_path(&tried);
    if (!path)
        cr_skip_test("names.txt not found at %s (set MGC_NAMES to its path)", tried);
    MgDocs d;
    MgErr e;
    cr_assert_eq(mg_data_load_file(&d, path, &e), 0, "%s", e.msg);
    cr_assert_eq(d.n, 32033);
    MgRng r;
    mg_rng_seed(&r, 42);
    mg_data_shuffle(&d, &r);
    static const char *first[10] = {"yuheng", "diondre", "xavien", "jori", "juanluis",
                                    "erandi", "phia", "samatha", "phoenix", "emmelynn"};
    char buf[64];
    for (int i = 0; i < 10; i++) {
        cr_assert_geq(mg_data_doc_utf8(&d, (size_t)i, buf, sizeof buf), 0);
        cr_expect_str_eq(buf, first[i], "doc %d after the shuffle", i);
    }
    cr_expect_eq(mg_rng_gauss(&r, 0, 0.08), -0.04273180935726127);
    cr_expect_eq(mg_rng_gauss(&r, 0, 0.08), 0.07696138795865093);
    cr_expect_eq(mg_rng_gauss(&r, 0, 0.08), 0.10844210106107166);
    mg_data_free(&d);
}
