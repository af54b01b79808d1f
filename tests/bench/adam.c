/* adam.c: time the runtime's Adam update alone, for adam.sh: the exact
 * update against MgOptim.fast (g * g and sqrt for the reference's pow; mgc
 * --fast and --dtype=f32), alternately, on the same gradients (16 arrays of
 * values spread over four decades, one in 7 exactly zero, as embedding rows
 * are).  `adam [n] [steps] [runs]` prints the best (minimum) microseconds a
 * step of each over the runs and how many final parameters differ between the two. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_optim.h"
#include "now.h"

enum { NG = 16, MAX_RUNS = 64 };

static unsigned long long state = 88172645463325252ull;
static double uniform(void) {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    return (double)(state >> 11) / 9007199254740992.0;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 4192;
    int steps = argc > 2 ? atoi(argv[2]) : 2000, runs = argc > 3 ? atoi(argv[3]) : 9;
    if (n == 0 || steps <= 0 || runs <= 0 || runs > MAX_RUNS) {
        fprintf(stderr, "usage: adam [n] [steps] [runs <= %d]\n", MAX_RUNS);
        return 1;
    }
    double *g[NG], *p = malloc(n * sizeof *p), *end[2] = {malloc(n * sizeof *p), malloc(n * sizeof *p)},
                   t[2][MAX_RUNS];
    if (!p || !end[0] || !end[1]) return 1;
    for (int k = 0; k < NG; k++) {
        if (!(g[k] = malloc(n * sizeof *g[k]))) return 1;
        for (size_t i = 0; i < n; i++) {
            double u = uniform();
            g[k][i] = i % 7 == 0 ? 0.0 : (u - 0.5) * pow(10, -4 * uniform());
        }
    }
    for (int r = 0; r < runs; r++)
        for (int v = 0; v < 2; v++) {
            MgOptim cfg = {.kind = MG_OPT_ADAM, .lr = 0.01, .beta1 = 0.85, .beta2 = 0.99, .eps = 1e-8, .steps = steps, .schedule = MG_SCHED_LINEAR, .fast = v};
            MgOptimizer o;
            MgErr e;
            if (mg_optim_init(&o, &cfg, n, &e) != 0) return 1;
            for (size_t i = 0; i < n; i++) p[i] = 0.08 * sin((double)i * 1.37);
            double t0 = now();
            for (int s = 0; s < steps; s++) mg_optim_step(&o, p, g[s % NG], s);
            t[v][r] = (now() - t0) / steps * 1e6;
            memcpy(end[v], p, n * sizeof *p);
            mg_optim_free(&o);
        }
    size_t differ = 0;
    for (size_t i = 0; i < n; i++) differ += memcmp(&end[0][i], &end[1][i], sizeof p[i]) != 0;
    for (int v = 0; v < 2; v++) qsort(t[v], (size_t)runs, sizeof t[v][0], cmp);
    printf("%zu parameters, %d steps, best of %d runs: exact %.2f us a step, fast %.2f; "
           "%zu final parameters differ\n",
           n, steps, runs, t[0][0], t[1][0], differ);
    for (int k = 0; k < NG; k++) free(g[k]);
    free(p), free(end[0]), free(end[1]);
    return 0;
}
