/* test_blas.c: mg_sgemm (runtime/blas.c), the matrix product of mgc --blas
 * code: the system BLAS's sgemm when the runtime has one, else plain loops.
 * Every transposition and beta 0 and 1, against a double-precision product
 * of the same float matrices. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mg_model.h"

enum { M = 7, N = 5, K = 9, LD = 11 };

Test(blas, every_transposition_and_beta)
{
    printf("mg_sgemm runs: %s\n", mg_blas_name());
    static float A[LD * LD], B[LD * LD], C[LD * LD], C0[LD * LD];
    unsigned x = 12345;
    for (int i = 0; i < LD * LD; i++) {
        x = x * 1103515245u + 12345u;
        A[i] = (float)((x >> 16) % 200) / 100.0f - 1.0f;
        x = x * 1103515245u + 12345u;
        B[i] = (float)((x >> 16) % 200) / 100.0f - 1.0f;
        x = x * 1103515245u + 12345u;
        C0[i] = (float)((x >> 16) % 200) / 100.0f - 1.0f;
    }
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++)
            for (int beta = 0; beta < 2; beta++) {
                memcpy(C, C0, sizeof C);
                mg_sgemm(ta, tb, M, N, K, A, LD, B, LD, (float)beta, C, LD);
                for (int i = 0; i < LD; i++)
                    for (int j = 0; j < LD; j++) {
                        double want = C0[i * LD + j];
                        if (i < M && j < N) {
                            double s = 0;
                            for (int k = 0; k < K; k++)
                                s += (double)(ta ? A[k * LD + i] : A[i * LD + k]) *
                                     (double)(tb ? B[j * LD + k] : B[k * LD + j]);
                            want = beta ? want + s : s;
                        }
                        cr_expect(fabs(C[i * LD + j] - want) <= 1e-5 * (1 + fabs(want)),
                                  "ta %d tb %d beta %d: C[%d][%d] = %.7g, want %.7g%s", ta, tb, beta, i, j,
                                  C[i * LD + j], want, i < M && j < N ? "" : " (outside the product: untouched)");
                    }
            }
}
