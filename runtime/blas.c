/* blas.c: mg_sgemm, the float matrix product that code from `mgc --dtype=f32
 * --blas` calls for its matrix products.  Built with MGC_BLAS (CMake found a
 * BLAS: Debian's libblas-dev, which at run time is OpenBLAS when
 * libopenblas0-pthread is installed), it is one sgemm call; without, the
 * same product as plain loops, so such code still links and runs.  The sums
 * are in BLAS's order, not the reference's: f32 only. */
#include "mg_model.h"

#ifdef MGC_BLAS
#include <dlfcn.h>

/* the Fortran interface every BLAS has (column-major) */
void sgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k, const float *alpha,
            const float *a, const int *lda, const float *b, const int *ldb, const float *beta, float *c,
            const int *ldc);
#endif

void mg_sgemm(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb, float beta,
              float *C, int ldc)
{
    if (M <= 0 || N <= 0)
        return;
#ifdef MGC_BLAS
    /* row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T */
    const float one = 1;
    sgemm_(tb ? "T" : "N", ta ? "T" : "N", &N, &M, &K, &one, B, &ldb, A, &lda, &beta, C, &ldc);
#else
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            float s = 0;
            for (int k = 0; k < K; k++)
                s += (ta ? A[(long)k * lda + i] : A[(long)i * lda + k]) * (tb ? B[(long)j * ldb + k] : B[(long)k * ldb + j]);
            C[(long)i * ldc + j] = beta == 0 ? s : beta * C[(long)i * ldc + j] + s;
        }
#endif
}

void mg_blas_threads(int n)
{
#ifdef MGC_BLAS
    /* OpenBLAS's own threads (not in the BLAS interface: looked up, and
     * nothing to do in another BLAS) */
    void (*set)(int) = (void (*)(int))(size_t)dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
    if (set)
        set(n > 0 ? n : 1);
#else
    (void)n;
#endif
}
