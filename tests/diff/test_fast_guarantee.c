/* test_fast_guarantee.c: issue #20's promise for the fast modes.  mgc --fast,
 * mgc --dtype=f32 and both together train microGPT's 1000 steps with the loss
 * within 1e-4 of the exact build's at every step, and print the same 20
 * samples; on the embedded word list (always there) and on names.txt (skipped,
 * saying so, when ../shared/data/names.txt is missing).  The exact build's
 * losses and samples are computed here, in the same test, never stored.
 * Also: fexp_, the expf of --fast --dtype=f32 code, against exp within 2.5e-7. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "../common/run.h"

enum { STEPS = 1000, SAMPLES = 20 };

/* the lines "sample N: ..." of a run's standard output, in order, into s */
static int samples(const char *out, char s[SAMPLES][64])
{
    int n = 0;
    for (const char *p = strstr(out, "sample "); p && n < SAMPLES; p = strstr(p + 1, "\nsample ")) {
        if (*p == '\n')
            p++;
        size_t len = strcspn(p, "\n");
        snprintf(s[n++], 64, "%.*s", (int)(len < 63 ? len : 63), p);
    }
    return n;
}

/* train build/NAME with DATA (empty: the embedded words) into dir/NAME.csv;
 * its samples into s */
static void train(const char *name, const char *data, const char *dir, char s[SAMPLES][64], double *loss)
{
    Run *r = run("'%s/%s' train %s --steps %d --num %d --log '%s/%s.csv'", MGC_BUILD_DIR, name, data, STEPS,
                 SAMPLES, dir, name);
    cr_assert_eq(r->status, 0, "%s failed: %s", name, r->err);
    cr_assert_eq(samples(r->out, s), SAMPLES, "%s printed fewer than %d samples:\n%s", name, SAMPLES, r->out);
    char path[512];
    snprintf(path, sizeof path, "%s/%s.csv", dir, name);
    cr_assert_eq(run_read_losses(path, loss, STEPS), STEPS, "%s: log incomplete", name);
    remove(path);
}

/* every fast build against the exact one on DATA */
static void check_all(const char *data, const char *label)
{
    static const char *const fast[] = {"microgpt_fast", "microgpt_f32", "microgpt_fast_f32"};
    static double exact[STEPS], alt[STEPS];
    static char se[SAMPLES][64], sa[SAMPLES][64];
    char dir[] = "/tmp/mgc_fastg_XXXXXX";
    cr_assert(mkdtemp(dir), "mkdtemp");
    train("microgpt", data, dir, se, exact);
    for (size_t k = 0; k < sizeof fast / sizeof fast[0]; k++) {
        train(fast[k], data, dir, sa, alt);
        double worst = 0;
        int at = 1;
        for (int i = 0; i < STEPS; i++)
            if (fabs(exact[i] - alt[i]) > worst)
                worst = fabs(exact[i] - alt[i]), at = i + 1;
        printf("%s on %s: max |loss difference| %.3g at step %d of %d\n", fast[k], label, worst, at, STEPS);
        cr_expect_leq(worst, 1e-4, "%s on %s: step %d: exact %.17g, fast %.17g", fast[k], label, at,
                      exact[at - 1], alt[at - 1]);
        for (int i = 0; i < SAMPLES; i++)
            cr_expect_str_eq(sa[i], se[i], "%s on %s: '%s', the exact build '%s'", fast[k], label, sa[i], se[i]);
    }
    rmdir(dir);
}

Test(fast_guarantee, embedded_words)
{
    check_all("", "the embedded words");
}

Test(fast_guarantee, names_txt)
{
    if (access(MGC_NAMES_DEFAULT, R_OK) != 0) {
        printf("fast_guarantee.names_txt: skipped: %s not found\n", MGC_NAMES_DEFAULT);
        cr_skip_test("%s not found", MGC_NAMES_DEFAULT);
    }
    char data[1100];
    snprintf(data, sizeof data, "--data '%s'", MGC_NAMES_DEFAULT);
    check_all(data, "names.txt");
}

/* fexp_ is static in the generated code: take the whole file in (last, as its
 * pragmas hold to the end of the file) */
#include MGC_FAST_F32_C

Test(fast_guarantee, fexp_within_2_5e_7_of_exp)
{
    double worst = 0;
    float at = 0;
    for (int i = 0; i <= 2000000; i++) {
        float x = -87.0f + 175.3f * (float)i / 2000000.0f;
        double e = exp((double)x), d = fabs((double)fexp_(x) - e) / e;
        if (d > worst)
            worst = d, at = x;
    }
    printf("fexp_ on [-87, 88.3]: max relative error %.3g at %.9g\n", worst, at);
    cr_expect_leq(worst, 2.5e-7, "fexp_(%.9g): relative error %.3g", at, worst);
    cr_expect(isnan(fexp_(NAN)), "fexp_(NaN) is not NaN");
    cr_expect(isinf(fexp_(INFINITY)) && isinf(fexp_(89.0f)), "fexp_(inf), fexp_(89) are not inf");
    cr_expect_eq(fexp_(-INFINITY), 0.0f, "fexp_(-inf) is not 0");
    cr_expect_eq(fexp_(0.0f), 1.0f, "fexp_(0) is not 1");
}
