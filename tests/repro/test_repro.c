/* Reproduction of the published runs (REFERENCE.md), the Step-2 MLP and
 * microGPT: seed 42 on
 * ../shared/data/names.txt.  The expected lines come from the Python
 * reference in tests/reference/ (mlp.py, the tutorial's program), not from
 * mgc.  Skips, saying why, when names.txt is absent. */
#include <criterion/criterion.h>
#include <math.h>

#include "../common/run.h"
#include "mg_safetensors.h"

#define MGC MGC_BUILD_DIR "/mgc"
#define MLP MGC_BUILD_DIR "/mlp"

static const char *names_path(void)
{
    const char *p = getenv("MGC_NAMES");
    if (!p || !*p)
        p = MGC_NAMES_DEFAULT;
    if (access(p, R_OK) != 0)
        return NULL;
    return p;
}

#define NEED_NAMES(var)                                                                                 \
    const char *var = names_path();                                                                     \
    if (!var)                                                                                           \
        cr_skip_test("names.txt not found at %s (set MGC_NAMES to its path to run this test)",          \
                     MGC_NAMES_DEFAULT)

/* The reference log: "step    1 / 1000 | loss 3.2978 | 3.297830136557929" lines, then samples. */
typedef struct Ref {
    char printed[1000][256];
    double loss[1000];
    int nsteps;
    char samples[20][256];
    int nsamples;
} Ref;

static void load_ref(Ref *r, const char *path)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    char line[256];
    memset(r, 0, sizeof *r);
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (!strncmp(line, "step", 4) && r->nsteps < 1000) {
            char *bar = strstr(line, " | ");
            bar = bar ? strstr(bar + 3, " | ") : NULL;
            cr_assert_not_null(bar, "bad reference line %s", line);
            r->loss[r->nsteps] = strtod(bar + 3, NULL);
            *bar = 0;
            snprintf(r->printed[r->nsteps++], 256, "%s", line);
        } else if (!strncmp(line, "sample", 6) && r->nsamples < 20) {
            snprintf(r->samples[r->nsamples++], 256, "%s", line);
        }
    }
    fclose(f);
    cr_assert_eq(r->nsteps, 1000);
    cr_assert_eq(r->nsamples, 20);
}

static void check_run(const char *out, const char *csv, const Ref *ref)
{
    /* every printed line, in order */
    const char *p = out;
    for (int i = 0; i < ref->nsteps; i++) {
        const char *hit = strstr(p, ref->printed[i]);
        cr_assert_not_null(hit, "step %d: expected '%s'", i + 1, ref->printed[i]);
        p = hit + strlen(ref->printed[i]);
    }
    for (int i = 0; i < ref->nsamples; i++) {
        const char *hit = strstr(p, ref->samples[i]);
        cr_assert_not_null(hit, "expected '%s' after the training lines", ref->samples[i]);
        p = hit + strlen(ref->samples[i]);
    }
    if (!csv)
        return;
    /* the full-precision losses of the log */
    FILE *f = fopen(csv, "r");
    cr_assert_not_null(f);
    char line[128];
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_assert_str_eq(line, "step,loss,lr,elapsed\n");
    double worst = 0;
    int n = 0;
    while (fgets(line, sizeof line, f) && n < 1000) {
        int step;
        double loss;
        cr_assert_eq(sscanf(line, "%d,%lf", &step, &loss), 2);
        cr_assert_eq(step, n + 1);
        double d = fabs(loss - ref->loss[n]);
        if (d > worst)
            worst = d;
        cr_expect(d <= 1e-6, "step %d: loss %.17g, reference %.17g", step, loss, ref->loss[n]);
        n++;
    }
    fclose(f);
    cr_assert_eq(n, 1000);
    printf("1000 steps: largest difference from the reference loss %.3g\n", worst);
}

/* Train MODEL (compiled, or interpreted with `mgc run`) and compare with REF. */
static void reproduce(const char *names, const char *model, int interpreted, const Ref *ref)
{
    const char *d = tmpdir();
    char csv[128];
    snprintf(csv, sizeof csv, "%s/log.csv", d);
    Run *r = interpreted
        ? run("%s run %s/models/%s.mg train --data %s --log %s", MGC, MGC_SOURCE_DIR, model, names, csv)
        : run("%s/%s train --data %s --log %s", MGC_BUILD_DIR, model, names, csv);
    cr_assert_eq(r->status, 0, "%s", r->err);
    check_run(r->out, csv, ref);
}

static Ref mlp_ref, gpt_ref;

static void load_mlp(void)
{
    load_ref(&mlp_ref, MGC_SOURCE_DIR "/tests/reference/mlp_names_seed42.txt");
    /* the published numbers (REFERENCE.md) */
    cr_assert_str_eq(mlp_ref.printed[0], "step    1 / 1000 | loss 3.2978");
    cr_assert_str_eq(mlp_ref.printed[1], "step    2 / 1000 | loss 3.2974");
    cr_assert_str_eq(mlp_ref.printed[2], "step    3 / 1000 | loss 3.2965");
}

static void load_gpt(void)
{
    load_ref(&gpt_ref, MGC_SOURCE_DIR "/tests/reference/microgpt_names_seed42.txt");
    /* the published numbers (REFERENCE.md) */
    const char *losses[] = {"3.3660", "3.4243", "3.1778", "3.0664", "3.2209"};
    for (int i = 0; i < 5; i++) {
        char want[64];
        snprintf(want, sizeof want, "step %4d / 1000 | loss %s", i + 1, losses[i]);
        cr_assert_str_eq(gpt_ref.printed[i], want);
    }
    const char *names[] = {"kamon", "ann", "karai", "jaire", "vialan", "karia", "yeran", "anna", "areli", "kaina",
                           "konna", "keylen", "liole", "alerin", "earan", "lenne", "kana", "lara", "alela", "anton"};
    for (int i = 0; i < 20; i++) {
        char want[64];
        snprintf(want, sizeof want, "sample %2d: %s", i + 1, names[i]);
        cr_assert_str_eq(gpt_ref.samples[i], want);
    }
}

Test(repro, mlp_compiled_reproduces_the_reference, .timeout = 300)
{
    NEED_NAMES(names);
    load_mlp();
    reproduce(names, "mlp", 0, &mlp_ref);
}

Test(repro, mlp_interpreter_reproduces_the_reference, .timeout = 600)
{
    NEED_NAMES(names);
    load_mlp();
    reproduce(names, "mlp", 1, &mlp_ref);
}

Test(repro, microgpt_compiled_reproduces_the_published_run, .timeout = 300)
{
    NEED_NAMES(names);
    load_gpt();
    reproduce(names, "microgpt", 0, &gpt_ref);
}

Test(repro, microgpt_interpreter_reproduces_the_published_run, .timeout = 900)
{
    NEED_NAMES(names);
    load_gpt();
    reproduce(names, "microgpt", 1, &gpt_ref);
}

/* The initial parameters are the reference's gauss(0, 0.08) draws, bit for bit.
 * Expected values from CPython 3.11: random.seed(42), shuffle the names, then
 * the draws in declaration order (first three, last, and their sum taken left
 * to right). */
static void check_draws(const char *model, const char **order, int n, int count, double last_want, double sum_want)
{
    NEED_NAMES(names);
    const char *d = tmpdir();
    Run *r = run("%s/%s train --data %s --steps 0 --save %s/init.safetensors --num 0", MGC_BUILD_DIR, model, names, d);
    cr_assert_eq(r->status, 0, "%s", r->err);
    char path[128];
    snprintf(path, sizeof path, "%s/init.safetensors", d);
    MgSafetensors st;
    MgErr e;
    cr_assert_eq(mg_st_read(&st, path, &e), 0);
    double sum = 0, first[3] = {0}, last = 0;
    int k = 0;
    for (int i = 0; i < n; i++) {
        const MgStTensor *t = mg_st_find(&st, order[i]);
        cr_assert_not_null(t, "no tensor %s", order[i]);
        for (size_t j = 0; j < t->numel; j++, k++) {
            if (k < 3)
                first[k] = t->data[j];
            last = t->data[j];
            sum += t->data[j];
        }
    }
    cr_assert_eq(k, count);
    cr_assert_eq(first[0], -0.04273180935726127);
    cr_assert_eq(first[1], 0.07696138795865093);
    cr_assert_eq(first[2], 0.10844210106107166);
    cr_assert_eq(last, last_want, "last draw %.17g", last);
    cr_assert_eq(sum, sum_want, "sum of draws %.17g", sum);
    mg_st_free(&st);
}

Test(repro, mlp_initial_parameters_are_the_reference_draws)
{
    const char *order[] = {"wte", "mlp_fc1", "mlp_fc2"};
    check_draws("mlp", order, 3, 3184, 0.09113294147460829, 7.220760517324495);
}

Test(repro, microgpt_initial_parameters_are_the_reference_draws)
{
    const char *order[] = {"wte", "wpe", "lm_head", "layer0.attn_wq", "layer0.attn_wk", "layer0.attn_wv",
                           "layer0.attn_wo", "layer0.mlp_fc1", "layer0.mlp_fc2"};
    check_draws("microgpt", order, 9, 4192, -0.09496111892676082, 4.289341802239092);
}
