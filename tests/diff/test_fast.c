/* test_fast.c: mgc --fast reorders floating point (split sums, 1/x for
 * pow(x, -1), sqrt for pow(x, 0.5)); the issue allows that only if the loss
 * curve stays within 1e-6 of the exact build's over 1000 steps.  mgc
 * --dtype=f32 computes in float and must stay within 1e-3.  Trains the
 * microgpt builds (and gpt_text's) on the embedded word list (no download
 * needed), compares every step's loss and prints the largest difference. */
#include <criterion/criterion.h>
#include <math.h>

#include "../common/run.h"

enum { STEPS = 1000 };

/* Train build/BASE and build/OTHER (train FLAGS) on the embedded words for
 * `steps` steps; the largest |loss difference| must be within tol, and some
 * step must differ. */
static void compare(const char *base, const char *other, const char *flags, int steps, const char *what, double tol)
{
    static double exact[STEPS], alt[STEPS];
    char dir[] = "/tmp/mgc_fast_XXXXXX";
    cr_assert(mkdtemp(dir), "mkdtemp");
    Run *r = run("'%s/%s' train %s --steps %d --num 0 --log '%s/exact.csv'", MGC_BUILD_DIR, base, flags, steps, dir);
    cr_assert_eq(r->status, 0, "exact run failed: %s", r->err);
    r = run("'%s/%s' train %s --steps %d --num 0 --log '%s/alt.csv'", MGC_BUILD_DIR, other, flags, steps, dir);
    cr_assert_eq(r->status, 0, "%s run failed: %s", what, r->err);
    char pe[512], pf[512];
    snprintf(pe, sizeof pe, "%s/exact.csv", dir);
    snprintf(pf, sizeof pf, "%s/alt.csv", dir);
    cr_assert_eq(run_read_losses(pe, exact, STEPS), steps, "exact log incomplete");
    cr_assert_eq(run_read_losses(pf, alt, STEPS), steps, "%s log incomplete", what);
    double worst = 0;
    int at = 0, differ = 0;
    for (int i = 0; i < steps; i++) {
        double d = fabs(exact[i] - alt[i]);
        differ += d != 0;
        if (d > worst)
            worst = d, at = i + 1;
    }
    printf("%s vs exact over %d steps: max |loss difference| %.3g at step %d (%d steps differ)\n", what, steps,
           worst, at, differ);
    cr_expect_leq(worst, tol, "step %d: exact %.17g, %s %.17g", at, exact[at - 1], what, alt[at - 1]);
    /* it must really be a different computation */
    cr_expect_gt(differ, 0, "%s produced the exact numbers: it changed nothing", what);
    remove(pe);
    remove(pf);
    rmdir(dir);
}

Test(fast, loss_curve_within_1e_6_of_exact)
{
    compare("microgpt", "microgpt_fast", "", STEPS, "--fast", 1e-6);
}

/* issue #8: an f32 run tracks the f64 loss curve to within 1e-3 */
Test(f32, loss_curve_within_1e_3_of_f64)
{
    compare("microgpt", "microgpt_f32", "", STEPS, "--dtype=f32", 1e-3);
}

/* gpt_text (block 64, n_embd 64, two layers) in f32, where the matrix
 * products run as 4 x 4 tiles of 16-lane sums (microgpt's names, of every
 * length, take the tiles' tails above) */
Test(f32, gpt_text_tracks_f64)
{
    compare("gpt_text", "gpt_text_f32", "--docs text --batch 2", 40, "gpt_text --dtype=f32", 1e-3);
}

/* and with --blas: every matrix product one mg_sgemm call (the system BLAS) */
Test(f32, gpt_text_blas_tracks_f64)
{
    compare("gpt_text", "gpt_text_blas", "--docs text --batch 2 --threads 2", 40, "gpt_text --dtype=f32 --blas", 1e-3);
}

/* issue #20: a batch of 8 in f32 on 2 threads (each thread adding its
 * documents' gradients into one buffer, the parameters converted once a
 * step: cli_batch.c's step_part_f32) against the f64 tree of the batch */
Test(f32, gpt_text_batch_of_8_on_2_threads_tracks_f64)
{
    compare("gpt_text", "gpt_text_f32", "--docs text --batch 8 --threads 2", 20, "gpt_text --dtype=f32 --batch 8", 1e-3);
    compare("gpt_text", "gpt_text_blas", "--docs text --batch 8 --threads 2", 20, "gpt_text --blas --batch 8", 1e-3);
}
