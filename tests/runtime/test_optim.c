/* test_optim.c: SGD and Adam against the reference formulas run by CPython 3.11
 * (plain Python floats, the update loop of REFERENCE.md), 3 steps on 4 values. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>

#include "mg_optim.h"
#ifdef _OPENMP
#include <omp.h>
#endif

static const double p0[4] = {0.5, -1.25, 3.0, 1e-3};
static const double gs[3][4] = {{0.1, -0.2, 0.0, 5.0}, {-0.3, 0.7, 1e-9, -2.5}, {0.05, 0.05, -4.0, 1.0}};

static void expect_exact(const double *got, const double *want, int n, const char *what) {
    for (int i = 0; i < n; i++)
        cr_expect_eq(got[i], want[i], "%s[%d]: %.17g != %.17g", what, i, got[i], want[i]);
}

Test(optim, sgd_linear_decay_matches_python) {
    /* lr 1.0, num_steps 5: p -= lr * (1 - step/5) * g for steps 0, 1, 2. */
    static const double want[4] = {0.61, -1.64, 5.3999999992, -3.5989999999999998};
    MgOptim cfg = {.kind = MG_OPT_SGD, .lr = 1.0, .beta1 = 0, .beta2 = 0, .eps = 0, .steps = 5, .schedule = MG_SCHED_LINEAR, .fast = 0};
    MgOptimizer o;
    MgErr e;
    double p[4] = {p0[0], p0[1], p0[2], p0[3]};
    cr_assert_eq(mg_optim_init(&o, &cfg, 4, &e), 0);
    for (int s = 0; s < 3; s++) mg_optim_step(&o, p, gs[s], s);
    expect_exact(p, want, 4, "sgd");
    mg_optim_free(&o);
}

Test(optim, adam_matches_python_every_step) {
    /* lr 0.01, b1 0.85, b2 0.99, eps 1e-8, num_steps 1000 (microGPT's settings). */
    static const double want[3][4] = {
        {0.4900000009999999, -1.2400000005, 3.0, -0.00899999998},
        {0.49518174549211946, -1.2455478180617086, 2.999495745643581, -0.01139429409848038},
        {0.4979689836632282, -1.250158235330871, 3.0061816581927383, -0.014348648980172267},
    };
    static const double want_m[4] = {-0.0199125, 0.075075, -0.5999999998725001, 0.37312500000000004};
    static const double want_v[4] = {0.0010140100000000007, 0.005268040000000003, 0.16000000000000014,
                                     0.3169000000000003};
    MgOptim cfg = {.kind = MG_OPT_ADAM, .lr = 0.01, .beta1 = 0.85, .beta2 = 0.99, .eps = 1e-8, .steps = 1000, .schedule = MG_SCHED_LINEAR, .fast = 0};
    MgOptimizer o;
    MgErr e;
    double p[4] = {p0[0], p0[1], p0[2], p0[3]};
    cr_assert_eq(mg_optim_init(&o, &cfg, 4, &e), 0);
    for (int s = 0; s < 3; s++) {
        mg_optim_step(&o, p, gs[s], s);
        expect_exact(p, want[s], 4, "adam");
    }
    expect_exact(o.m, want_m, 4, "m");
    expect_exact(o.v, want_v, 4, "v");
    mg_optim_free(&o);
}

Test(optim, learning_rate_schedule) {
    MgOptim lin = {.kind = MG_OPT_SGD, .lr = 0.01, .beta1 = 0, .beta2 = 0, .eps = 0, .steps = 1000, .schedule = MG_SCHED_LINEAR, .fast = 0}, flat = {.kind = MG_OPT_SGD, .lr = 0.1, .beta1 = 0, .beta2 = 0, .eps = 0, .steps = 1000, .schedule = MG_SCHED_CONSTANT, .fast = 0};
    cr_expect_eq(mg_optim_lr(&lin, 0), 0.01);
    cr_expect_eq(mg_optim_lr(&lin, 999), 0.01 * (1.0 - 999.0 / 1000.0));
    cr_expect_eq(mg_optim_lr(&lin, 999), 1.000000000000001e-05);    /* CPython: 0.01 * (1 - 999/1000) */
    cr_expect_eq(mg_optim_lr(&flat, 500), 0.1);
}

Test(optim, sgd_allocates_no_state) {
    MgOptim cfg = {.kind = MG_OPT_SGD, .lr = 1.0, .beta1 = 0, .beta2 = 0, .eps = 0, .steps = 10, .schedule = MG_SCHED_LINEAR, .fast = 0};
    MgOptimizer o;
    MgErr e;
    cr_assert_eq(mg_optim_init(&o, &cfg, 100, &e), 0);
    cr_expect_null(o.m);
    cr_expect_null(o.v);
    mg_optim_free(&o);
}
static const double gz[3][12] = {
    {-0.0021938145353255925, -1.4695858455634698, 1.565774669475454, 0.009095578363365777, -0.0024368424793545906, 2.35990225534581, -0.0004033975925696796, 0.11749972006106608, 0.013292401940446954, 0.0005469206100078234, 0.002408564745668901, -28.660673338720567},
    {-2.94477036867369, 1.1189031250744783, 13.551156086790908, -1.6698500023617897, 26.350021136915196, -0.016014932984545642, 1.0610912390998468, 0.0027134667317471627, -5.0292036663392325, 0.002533131374819325, -0.1884562404631694, -0.22746602411651617},
    {23.7345236784895, 2.6186435207967573, 0.00046303503067896657, -11.797889344024943, 2.840708429328158, 20.77184510569877, -0.0006398782615809626, -0.11863816189438303, -0.005141160041953543, -0.07972570114374716, -24.8119446163051, -0.023524124274354012},
};
static const double want_z[12] = {0.015119193090703002, 0.008249792084532803, -0.026557044267680453, 0.002228132638013792, -0.0013711448149416163, -0.02543797158934768, -0.0007598722910963683, -0.018238906735616716, 0.0007440110259761554, -0.015907348849798702, 0.0015745205951399567, 0.02357196327784855};

/* Starting from zero the update's every bit shows, so this catches a changed
 * evaluation order, e.g. lr_t * (m_hat / d) instead of (lr_t * m_hat) / d.
 * CPython 3.11: random.Random(1) gradients, lr 0.0123, num_steps 7, 3 steps. */
Test(optim, adam_operation_order_from_zero) {
    MgOptim cfg = {.kind = MG_OPT_ADAM, .lr = 0.0123, .beta1 = 0.85, .beta2 = 0.99, .eps = 1e-8, .steps = 7, .schedule = MG_SCHED_LINEAR, .fast = 0};
    MgOptimizer o;
    MgErr e;
    double p[12] = {0};
    cr_assert_eq(mg_optim_init(&o, &cfg, 12, &e), 0);
    for (int s = 0; s < 3; s++) mg_optim_step(&o, p, gz[s], s);
    expect_exact(p, want_z, 12, "adam from zero");
    mg_optim_free(&o);
}

/* ---- mg_exactpow.h: x * x and sqrt only where libm's pow agrees ---- */
#include <stdint.h>
#include <string.h>

#include "mg_exactpow.h"

static uint64_t xs_state = 0x9e3779b97f4a7c15ull;
static uint64_t xs(void) {
    xs_state ^= xs_state << 13;
    xs_state ^= xs_state >> 7;
    xs_state ^= xs_state << 17;
    return xs_state;
}

/* random doubles: all exponents, plus the range gradients live in */
static double rand_double(int i) {
    uint64_t b = xs();
    uint64_t e = i % 2 ? (b >> 52) % 2047 : (b >> 52) % 160 + 900;
    b = (b & 0x800fffffffffffffull) | (e << 52);
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b)); }

Test(optim, exact_pow_agrees_with_libm) {
    static const double special[] = {0.0, -0.0, 1.0, -1.0, 0x1p-1074, 0x1p-1022, 0x1.fffffffffffffp+1023,
                                     INFINITY, -INFINITY, NAN, 0x1p-121, 0x1p119, 0x1p-61, 0x1p59};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) {
        double x = special[i];
        cr_expect(same_bits(mg_pow2(x), mg_libm_pow_(x, 2.0)), "pow2(%a)", x);
        cr_expect(same_bits(mg_pow_half(x), mg_libm_pow_(x, 0.5)), "pow_half(%a)", x);
    }
    long bad = 0, fast = 0, mid = 0, n = 4000000;
    for (long i = 0; i < n; i++) {
        double x = rand_double((int)i), a = fabs(x);
        bad += !same_bits(mg_pow2(x), mg_libm_pow_(x, 2.0));
        bad += !same_bits(mg_pow_half(a), mg_libm_pow_(a, 0.5));
        if (a > 0x1p-50 && a < 0x1p50) mid++, fast += mg_pow2_fast(x, x * x);
    }
    cr_expect_eq(bad, 0, "%ld of %ld results differ from libm's pow", bad, 2 * n);
    cr_expect_gt(fast, mid * 9 / 10, "the fast path should take most in-range inputs (took %ld of %ld)", fast, mid);
}

/* the vectorised Adam gives the bits of the plain formula with libm's pow */
/* N above the optimizer's PAR_MIN and not a multiple of its blocks: the
 * parameters go in blocks over two threads (OpenMP), and every bit must be
 * the scalar formula's */
/* 70001 parameters (two threads' ranges), 7 steps of Adam (cfg.fast as
 * given) against the scalar formula, evaluated left to right with libm's pow
 * for ** (pow_kind 0) or with g * g and sqrt (1); returns how many final
 * parameters differ from the formula's. */
static int adam_against_formula(int fast, int pow_kind) {
    enum { N = 70001, STEPS = 7 };
#ifdef _OPENMP
    omp_set_num_threads(2);
#endif
    MgOptim cfg = {.kind = MG_OPT_ADAM, .lr = 0.01, .beta1 = 0.85, .beta2 = 0.99, .eps = 1e-8, .steps = STEPS, .schedule = MG_SCHED_LINEAR, .fast = fast};
    MgOptimizer o;
    MgErr e;
    cr_assert_eq(mg_optim_init(&o, &cfg, N, &e), 0);
    static double p[N], g[N], q[N], m[N], v[N];
    xs_state = 0x9e3779b97f4a7c15ull;
    memset(m, 0, sizeof m);
    memset(v, 0, sizeof v);
    for (int i = 0; i < N; i++) p[i] = q[i] = rand_double(0) * 1e-3;
    for (int s = 0; s < STEPS; s++) {
        for (int i = 0; i < N; i++) g[i] = i % 97 == 0 ? 0.0 : rand_double(0) * 1e-2;
        mg_optim_step(&o, p, g, s);
        double lr_t = cfg.lr * (1.0 - (double)s / STEPS);
        double c1 = 1.0 - mg_libm_pow_(cfg.beta1, s + 1), c2 = 1.0 - mg_libm_pow_(cfg.beta2, s + 1);
        for (int i = 0; i < N; i++) {
            m[i] = cfg.beta1 * m[i] + (1.0 - cfg.beta1) * g[i];
            v[i] = cfg.beta2 * v[i] + (1.0 - cfg.beta2) * (pow_kind ? g[i] * g[i] : mg_libm_pow_(g[i], 2.0));
            double m_hat = m[i] / c1, v_hat = v[i] / c2;
            q[i] = q[i] - lr_t * m_hat / ((pow_kind ? sqrt(v_hat) : mg_libm_pow_(v_hat, 0.5)) + cfg.eps);
        }
    }
    int bad = 0;
    for (int i = 0; i < N; i++) bad += !same_bits(p[i], q[i]);
    mg_optim_free(&o);
    return bad;
}

Test(optim, adam_equals_scalar_formula_with_libm_pow) {
    int bad = adam_against_formula(0, 0);
    cr_expect_eq(bad, 0, "%d of 70001 parameters differ from the scalar formula", bad);
}

/* MgOptim.fast (mgc --fast, f32): g * g and sqrt for **, bit for bit, and
 * that is a different computation: some parameters end elsewhere */
Test(optim, adam_fast_takes_g_times_g_and_sqrt) {
    int bad = adam_against_formula(1, 1);
    cr_expect_eq(bad, 0, "%d of 70001 parameters differ from the formula with g * g and sqrt", bad);
    int differ = adam_against_formula(1, 0);
    cr_expect_gt(differ, 0, "fast Adam gave libm pow's bits for every parameter");
    printf("fast Adam: %d of 70001 parameters differ from the reference's after 7 steps\n", differ);
}

/* the step reports a non-finite gradient or updated parameter, and only then */
Test(optim, step_reports_nonfinite) {
    enum { N = 37 };
    static const double bad[] = {INFINITY, -INFINITY, NAN, 1e308};
    /* kind 0: SGD, 1: Adam, 2: Adam with MgOptim.fast */
    for (int kind = 0; kind < 3; kind++)
        for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
            MgOptim cfg = {.kind = kind ? MG_OPT_ADAM : MG_OPT_SGD, .lr = kind ? 0.01 : 1e10, .beta1 = 0.85, .beta2 = 0.99, .eps = 1e-8, .steps = 10, .schedule = MG_SCHED_LINEAR, .fast = kind == 2};
            MgOptimizer o;
            MgErr e;
            cr_assert_eq(mg_optim_init(&o, &cfg, N, &e), 0);
            double p[N], g[N];
            for (int i = 0; i < N; i++) p[i] = 0.5, g[i] = 0.25;
            cr_expect_eq(mg_optim_step(&o, p, g, 0), 1, "finite step reported non-finite (kind %d)", kind);
            g[N - 3] = bad[b];
            /* 1e308 is finite: Adam's update stays finite, SGD's (lr 1e10) overflows */
            int want = bad[b] == 1e308 && kind;
            cr_expect_eq(mg_optim_step(&o, p, g, 1), want, "kind %d, gradient %g", kind, bad[b]);
            mg_optim_free(&o);
        }
    /* in the last block of the second thread's range, past PAR_MIN */
    enum { BIG = 70001 };
    static double p[BIG], g[BIG];
    MgOptim cfg = {.kind = MG_OPT_ADAM, .lr = 0.01, .beta1 = 0.85, .beta2 = 0.99, .eps = 1e-8, .steps = 10, .schedule = MG_SCHED_LINEAR, .fast = 0};
    MgOptimizer o;
    MgErr e;
    cr_assert_eq(mg_optim_init(&o, &cfg, BIG, &e), 0);
    for (int i = 0; i < BIG; i++) p[i] = 0.5, g[i] = 0.25;
#ifdef _OPENMP
    omp_set_num_threads(2);
#endif
    cr_expect_eq(mg_optim_step(&o, p, g, 0), 1, "finite step reported non-finite");
    g[BIG - 2] = NAN;
    cr_expect_eq(mg_optim_step(&o, p, g, 1), 0, "a NaN gradient at %d went unreported", BIG - 2);
    mg_optim_free(&o);
}

/* issue 19, item 4 (tests/reference/optim.py checks all of it against
 * torch.optim; these hold without torch).  The step schedule: lr * gamma^k
 * after k whole periods past the warm-up, which ramps lr * (t + 1) / W. */
Test(optim, warmup_and_step_schedule) {
    MgOptim c = {.lr = 0.8, .steps = 20, .schedule = MG_SCHED_STEP, .warmup = 2, .step_size = 3, .gamma = 0.5};
    const double want[] = {0.4, 0.8, 0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2};
    for (int t = 0; t < 9; t++)
        cr_expect_eq(mg_optim_lr(&c, t), want[t], "step %d: %.17g != %.17g", t, mg_optim_lr(&c, t), want[t]);
    c.schedule = MG_SCHED_COSINE;
    c.min_lr = 0.1;
    cr_expect_eq(mg_optim_lr(&c, 2), 0.8, "cosine starts at lr after the warm-up");
    cr_expect(fabs(mg_optim_lr(&c, 11) - 0.45) < 1e-15, "half way: %.17g", mg_optim_lr(&c, 11));
    cr_expect_eq(mg_optim_lr(&c, 20), 0.1, "ends at min_lr");
    cr_expect_eq(mg_optim_lr(&c, 25), 0.1, "and stays there");
}

/* clipping scales the whole gradient to norm clip / (norm + 1e-6) * norm;
 * a gradient within the norm is left alone; SGD with momentum 0.5 then
 * steps by b = 0.5 b + g */
Test(optim, clip_and_momentum) {
    MgOptim c = {.kind = MG_OPT_SGD, .lr = 1.0, .schedule = MG_SCHED_CONSTANT, .momentum = 0.5, .clip = 1.0};
    MgOptimizer o;
    MgErr e;
    cr_assert_eq(mg_optim_init(&o, &c, 2, &e), 0);
    double p[2] = {0, 0}, g[2] = {3, 4}, k = 1.0 / (5.0 + 1e-6);
    cr_expect_eq(mg_optim_step(&o, p, g, 0), 1);
    cr_expect_eq(p[0], -(3 * k), "%.17g", p[0]);
    cr_expect_eq(p[1], -(4 * k), "%.17g", p[1]);
    double g2[2] = {0.3, 0.4};
    cr_expect_eq(mg_optim_step(&o, p, g2, 1), 1);
    cr_expect_eq(p[0], -(3 * k) - (0.5 * (3 * k) + 0.3), "%.17g", p[0]);
    mg_optim_free(&o);
}

/* AdamW's decay multiplies first, by 1 - lr_t * wd; with a zero gradient
 * Adam's update is 0, so only the decay shows */
Test(optim, adamw_decays_decoupled) {
    MgOptim c = {.kind = MG_OPT_ADAMW, .lr = 0.1, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .steps = 10,
                 .schedule = MG_SCHED_CONSTANT, .weight_decay = 0.5};
    MgOptimizer o;
    MgErr e;
    cr_assert_eq(mg_optim_init(&o, &c, 1, &e), 0);
    double p[1] = {2.0}, g[1] = {0.0};
    mg_optim_step(&o, p, g, 0);
    cr_expect_eq(p[0], 2.0 * (1.0 - 0.1 * 0.5), "%.17g", p[0]);
    mg_optim_free(&o);
}

/* mg_exactpow.h's negative powers (what mgc's exact C calls for x ** -1, -2,
 * -0.5, -1.5): libm's bits on random doubles of every exponent, on the
 * doubles next to powers of two (where the spacing halves), and on the
 * specials; and the fast path takes most in-range inputs. */
static double next_to_pow2(void) {
    double x = ldexp(1.0, (int)(xs() % 400) - 200);
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    b += xs() % 4001 - 2000;
    memcpy(&x, &b, sizeof x);
    return x;
}

Test(optim, exact_negative_pows_agree_with_libm) {
    static const double special[] = {0.0, -0.0, 1.0, -1.0, 2.0, 0.25, 0x1p-1074, 0x1p-1022, 0x1.fffffffffffffp+1023,
                                     INFINITY, -INFINITY, NAN, 0x1p-121, 0x1p119, 0x1p-61, 0x1p59, 0x1p-80, 0x1p80};
    double (*const mine[4])(double) = {mg_pow_m1, mg_pow_m2, mg_pow_mhalf, mg_pow_m3half};
    const double k[4] = {-1.0, -2.0, -0.5, -1.5};
    for (int f = 0; f < 4; f++)
        for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
            cr_expect(same_bits(mine[f](special[i]), mg_libm_pow_(special[i], k[f])), "pow(%a, %g)", special[i], k[f]);
    long bad[4] = {0}, fast[4] = {0}, n = 3000000;
    for (long i = 0; i < n; i++) {
        double x = i % 4 == 3 ? next_to_pow2() : rand_double((int)i), a = fabs(x);
        for (int f = 0; f < 4; f++) {
            double y = f < 2 ? x : a;
            bad[f] += !same_bits(mine[f](y), mg_libm_pow_(y, k[f]));
        }
        double u = 1.0 + (double)(xs() >> 12) * 0x1p-52, s = u * u, c;   /* in range: u in [1, 2) */
        fast[0] += mg_pow_m1_fast(u, 1.0 / u);
        c = 1.0 / s;
        fast[1] += mg_pow_m2_fast(u, s, fma(c, mg_pow_m2_res_(u, s, c), c));
        c = 1.0 / sqrt(u);
        fast[2] += mg_pow_mhalf_fast(u, fma(-0.5 * c, mg_pow_mhalf_res_(u, c), c));
        c = 1.0 / (u * sqrt(u));
        fast[3] += mg_pow_m3half_fast(u, fma(-0.5 * c, mg_pow_m3half_res_(u, c), c));
    }
    for (int f = 0; f < 4; f++) {
        cr_expect_eq(bad[f], 0, "pow(x, %g): %ld of %ld results differ from libm's", k[f], bad[f], n);
        cr_expect_gt(fast[f], n * 9 / 10, "pow(x, %g): the fast path took %ld of %ld", k[f], fast[f], n);
    }
}
