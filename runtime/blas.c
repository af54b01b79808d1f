/* blas.c: mg_sgemm, the float matrix product that code from `mgc --dtype=f32
 * --blas` calls for its matrix products.  It is one sgemm call into the
 * system BLAS, libblas.so.3 (Debian's alternatives: OpenBLAS when
 * libopenblas0-pthread is installed), loaded at the first call with dlopen,
 * so that nothing links against a BLAS and nothing needs one; without it
 * (or built with -DMGC_BLAS=OFF), the same product as plain loops.  The sums
 * are in BLAS's order, not the reference's: f32 only. */
#include "mg_model.h"

#include <stddef.h>
#ifdef MGC_BLAS
#include <dlfcn.h>
#include <threads.h>
#endif

/* the Fortran interface every BLAS has (column-major) */
typedef void (*Sgemm)(const char *ta, const char *tb, const int *m, const int *n, const int *k, const float *alpha,
                      const float *a, const int *lda, const float *b, const int *ldb, const float *beta, float *c,
                      const int *ldc);

static Sgemm sgemm;
static void (*set_threads)(int);    /* OpenBLAS's own, not in the BLAS interface */
static int threads = 1;             /* what mg_blas_threads asked for */
static int loaded_yet;              /* (set inside call_once: after it, read only) */

#ifdef MGC_BLAS
static once_flag loaded = ONCE_FLAG_INIT;

static void load(void)
{
    void *h = dlopen("libblas.so.3", RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return;
    sgemm = (Sgemm)(size_t)dlsym(h, "sgemm_");
    set_threads = (void (*)(int))(size_t)dlsym(h, "openblas_set_num_threads");
    if (set_threads)
        set_threads(threads);
    loaded_yet = 1;
}
#endif

static void blas_load(void)
{
#ifdef MGC_BLAS
    call_once(&loaded, load);
#endif
}

void mg_sgemm(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb, float beta,
              float *C, int ldc)
{
    if (M <= 0 || N <= 0)
        return;
    blas_load();
    if (sgemm) {
        /* row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T */
        const float one = 1;
        sgemm(tb ? "T" : "N", ta ? "T" : "N", &N, &M, &K, &one, B, &ldb, A, &lda, &beta, C, &ldc);
        return;
    }
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            float s = 0;
            for (int k = 0; k < K; k++)
                s += (ta ? A[(long)k * lda + i] : A[(long)i * lda + k]) * (tb ? B[(long)j * ldb + k] : B[(long)k * ldb + j]);
            C[(long)i * ldc + j] = beta == 0 ? s : beta * C[(long)i * ldc + j] + s;
        }
}

/* Called before any thread of the trainer's own runs mg_sgemm; the library
 * is loaded only by the first mg_sgemm (a model without --blas never loads
 * it), which then applies the count. */
void mg_blas_threads(int n)
{
    threads = n > 0 ? n : 1;
    if (loaded_yet && set_threads)
        set_threads(threads);
}

const char *mg_blas_name(void)
{
    blas_load();
    return !sgemm ? "plain loops (no libblas.so.3)" : set_threads ? "OpenBLAS" : "libblas.so.3 (not OpenBLAS)";
}
