/* blas.c: mgc's matrix products against OpenBLAS's, for issue #8's "tiled
 * loops or BLAS, decided by measurement".  Links one model built from
 * linear.mg (symbol g_model, mgc --dtype=f32) and times its loss_grad at
 * T = 64: the product's forward (Y = X W^T), and its backward (dX = dY W,
 * dW = dY^T X) plus the embedding and the small head.  Then the same three
 * products as mg_sgemm calls (what mgc --blas emits): the BLAS that
 * libblas.so.3 is (Debian's alternatives: OpenBLAS when libopenblas0-pthread
 * is installed), on one thread.  Prints GFLOP/s of each from the best (minimum) of 9 runs. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mg_model.h"
#include "now.h"

extern const MgModel g_model;

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

enum { RUNS = 9 };

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: blas N_IN N_OUT (the shape linear.mg was built with)\n");
        return 1;
    }
    int C = atoi(argv[1]), O = atoi(argv[2]), T = 64, reps = 20;
    const MgModel *m = &g_model;
    double *p = malloc(m->n_scalars * sizeof *p), *g = malloc(m->n_scalars * sizeof *g);
    double *s = malloc((m->scratch + 1) * sizeof *s);
    int tok[65];
    srand(1);
    for (size_t i = 0; i < m->n_scalars; i++)
        p[i] = (rand() / (double)RAND_MAX - 0.5) * 0.04;
    for (int i = 0; i <= T; i++)
        tok[i] = rand() % m->vocab;
    double t[RUNS], flop = 3.0 * 2.0 * T * (double)C * O;   /* forward + two backward products */
    for (int r = 0; r < RUNS; r++) {
        double t0 = now();
        for (int k = 0; k < reps; k++)
            m->loss_grad(m->ctx, p, g, tok, T, s);
        t[r] = (now() - t0) / reps;
    }
    qsort(t, RUNS, sizeof *t, cmp);
    printf("n_in %4d, n_out %4d  best of %d: mgc loss_grad (3 products + head) %7.1f us  %6.1f GFLOP/s", C, O, RUNS, t[0] * 1e6,
           flop / t[0] / 1e9);
    mg_blas_threads(1);
    float *X = malloc(sizeof(float) * (size_t)T * C), *W = malloc(sizeof(float) * (size_t)O * C);
    float *Y = malloc(sizeof(float) * (size_t)T * O), *dX = malloc(sizeof(float) * (size_t)T * C);
    float *dW = malloc(sizeof(float) * (size_t)O * C);
    for (long i = 0; i < (long)T * C; i++)
        X[i] = (float)(rand() % 100) / 100;
    for (long i = 0; i < (long)O * C; i++)
        W[i] = (float)(rand() % 100) / 100;
    for (int r = 0; r < RUNS; r++) {
        double t0 = now();
        for (int k = 0; k < reps; k++) {
            /* row-major Y[T,O] = X[T,C] W[O,C]^T is column-major Y^T = W X^T */
            mg_sgemm(0, 1, T, O, C, X, C, W, C, 0.0f, Y, O);
            /* dX[T,C] = dY[T,O] W[O,C]: column-major dX^T = W^T dY^T */
            mg_sgemm(0, 0, T, C, O, Y, O, W, C, 0.0f, dX, C);
            /* dW[O,C] = dY^T X: column-major dW^T = X^T dY */
            mg_sgemm(1, 0, O, C, T, Y, O, X, C, 0.0f, dW, C);
        }
        t[r] = (now() - t0) / reps;
    }
    qsort(t, RUNS, sizeof *t, cmp);
    printf("  mg_sgemm x 3 %7.1f us  %6.1f GFLOP/s  (%s)\n", t[0] * 1e6, flop / t[0] / 1e9,
           mg_blas_name());
    return 0;
}
