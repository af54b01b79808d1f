/* moons.c: make_moons's two half circles with the runtime's RNG.
 * Takes n, the noise and a seed; hands on points and labels (mg_moons.h
 * gives the Python that makes the same numbers).  Allocates only for the
 * CSV writer. */
#include "mg_moons.h"

#include "mg_outfile.h"
#include "mg_rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* numpy.linspace(0, pi, k)[i]: i * step, the last exactly pi. */
static double arc(size_t i, size_t k) {
    if (k < 2) return 0.0;
    return i == k - 1 ? M_PI : (double)i * (M_PI / (double)(k - 1));
}

void mg_moons(size_t n, double noise, uint64_t seed, double *x, int *y) {
    MgRng r;
    mg_rng_seed(&r, seed);
    size_t n_out = n / 2, n_in = n - n_out;
    for (size_t i = 0; i < n_out; i++) {
        double t = arc(i, n_out);
        x[2 * i] = cos(t), x[2 * i + 1] = sin(t), y[i] = 0;
    }
    for (size_t i = 0; i < n_in; i++) {
        double t = arc(i, n_in);
        size_t k = n_out + i;
        x[2 * k] = 1 - cos(t), x[2 * k + 1] = 1 - sin(t) - 0.5, y[k] = 1;
    }
    /* random.shuffle(pts): the points move with their labels */
    for (size_t i = n > 0 ? n - 1 : 0; i >= 1; i--) {
        size_t j = (size_t)mg_rng_randbelow(&r, (uint64_t)i + 1);
        double a = x[2 * i], b = x[2 * i + 1];
        int c = y[i];
        x[2 * i] = x[2 * j], x[2 * i + 1] = x[2 * j + 1], y[i] = y[j];
        x[2 * j] = a, x[2 * j + 1] = b, y[j] = c;
    }
    for (size_t i = 0; i < n; i++) {
        x[2 * i] += mg_rng_gauss(&r, 0, noise);
        x[2 * i + 1] += mg_rng_gauss(&r, 0, noise);
    }
}

int mg_moons_csv(const char *path, size_t n, double noise, uint64_t seed, MgErr *e) {
    double *x = malloc((n ? n : 1) * 2 * sizeof *x);
    int *y = malloc((n ? n : 1) * sizeof *y);
    if (!x || !y) {
        free(x);
        free(y);
        return mg_err(e, "%s: out of memory", path);
    }
    mg_moons(n, noise, seed, x, y);
    MgOut o;
    int rc = mg_out_open(&o, path, e);
    if (rc == 0) {
        fputs("x[0],x[1],y\n", o.f);
        for (size_t i = 0; i < n; i++) fprintf(o.f, "%.17g,%.17g,%d\n", x[2 * i], x[2 * i + 1], y[i]);
        rc = mg_out_close(&o, e);
    }
    free(x);
    free(y);
    return rc;
}
