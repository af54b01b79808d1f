/* test_value.c: the scalar Value engine against analytic values.
 * Each op's value and local gradient, shared nodes, the exact accumulation
 * order of the reference's depth-first build_topo, and a 200,000-node chain
 * run on a small thread stack (a recursive walk would overflow it). */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <pthread.h>

#include "value.h"

static ValPool pool;

static void setup(void) { val_pool_init(&pool); }
static void teardown(void) { val_pool_free(&pool); }

TestSuite(value, .init = setup, .fini = teardown);

#define EQ(got, want) cr_expect_eq((got), (want), "%s: got %.17g, want %.17g", #got, (double)(got), (double)(want))
#define NEAR(got, want)                                                                                      \
    cr_expect(fabs((got) - (want)) <= 1e-15 * fabs(want), "%s: got %.17g, want %.17g", #got, (double)(got), \
              (double)(want))

Test(value, leaf)
{
    Value *a = val_leaf(&pool, 2.5);
    EQ(a->data, 2.5);
    EQ(a->grad, 0.0);
    EQ(a->nchild, 0u);
    val_backward(&pool, a);
    EQ(a->grad, 1.0);
}

Test(value, add)
{
    Value *a = val_leaf(&pool, 2.0), *b = val_leaf(&pool, -3.0);
    Value *y = val_add(&pool, a, b);
    val_backward(&pool, y);
    EQ(y->data, -1.0);
    EQ(a->grad, 1.0);
    EQ(b->grad, 1.0);
}

Test(value, sub)
{
    Value *a = val_leaf(&pool, 2.0), *b = val_leaf(&pool, -3.0);
    Value *y = val_sub(&pool, a, b);
    val_backward(&pool, y);
    EQ(y->data, 5.0);
    EQ(a->grad, 1.0);
    EQ(b->grad, -1.0);
}

Test(value, mul)
{
    Value *a = val_leaf(&pool, 1.5), *b = val_leaf(&pool, -4.0);
    Value *y = val_mul(&pool, a, b);
    val_backward(&pool, y);
    EQ(y->data, -6.0);
    EQ(a->grad, -4.0);
    EQ(b->grad, 1.5);
}

Test(value, pow)
{
    Value *a = val_leaf(&pool, 4.0);
    Value *y = val_pow(&pool, a, -0.5); /* 4^-0.5 = 0.5, d = -0.5 * 4^-1.5 = -1/16 */
    val_backward(&pool, y);
    EQ(y->data, 0.5);
    EQ(a->grad, -0.0625);
    Value *b = val_leaf(&pool, 3.0);
    Value *z = val_pow(&pool, b, 2.0);
    val_backward(&pool, z);
    EQ(z->data, 9.0);
    EQ(b->grad, 6.0);
}

Test(value, exp_log)
{
    Value *a = val_leaf(&pool, 1.0);
    Value *y = val_exp(&pool, a);
    val_backward(&pool, y);
    NEAR(y->data, 2.718281828459045);
    NEAR(a->grad, 2.718281828459045);
    Value *b = val_leaf(&pool, 4.0);
    Value *z = val_log(&pool, b);
    val_backward(&pool, z);
    NEAR(z->data, 1.3862943611198906);
    EQ(b->grad, 0.25);
}

Test(value, relu)
{
    double xs[] = {-2.0, 0.0, 3.0}, ys[] = {0.0, 0.0, 3.0}, gs[] = {0.0, 0.0, 1.0};
    for (int i = 0; i < 3; i++) {
        Value *a = val_leaf(&pool, xs[i]);
        Value *y = val_relu(&pool, a);
        val_backward(&pool, y);
        EQ(y->data, ys[i]);
        EQ(a->grad, gs[i]);
    }
}

Test(value, tanh)
{
    Value *a = val_leaf(&pool, 0.5);
    Value *y = val_tanh(&pool, a);
    val_backward(&pool, y);
    NEAR(y->data, 0.46211715726000974);
    NEAR(a->grad, 0.7864477329659274); /* 1 - tanh(0.5)^2 */
}

Test(value, neg_div)
{
    Value *a = val_leaf(&pool, 3.0), *b = val_leaf(&pool, 4.0);
    Value *y = val_div(&pool, a, b);
    val_backward(&pool, y);
    EQ(y->data, 0.75);
    EQ(a->grad, 0.25);    /* 1/b */
    EQ(b->grad, -0.1875); /* -a/b^2 */
    Value *c = val_leaf(&pool, 2.0);
    Value *n = val_neg(&pool, c);
    val_backward(&pool, n);
    EQ(n->data, -2.0);
    EQ(c->grad, -1.0);
}

/* sub must equal the reference's a + (b * -1) bit for bit, value and gradients. */
Test(value, sub_is_add_neg)
{
    static const double xs[][2] = {{0.1, 0.3}, {1e300, -1e300}, {-0.0, 0.0}, {3.0000000000000004, 3.0}};
    for (int i = 0; i < 4; i++) {
        Value *a = val_leaf(&pool, xs[i][0]), *b = val_leaf(&pool, xs[i][1]);
        Value *w = val_leaf(&pool, 0.7);
        Value *y = val_mul(&pool, val_sub(&pool, a, b), w);
        val_backward(&pool, y);
        Value *a2 = val_leaf(&pool, xs[i][0]), *b2 = val_leaf(&pool, xs[i][1]);
        Value *y2 = val_mul(&pool, val_add(&pool, a2, val_mul(&pool, b2, val_leaf(&pool, -1.0))), w);
        val_backward(&pool, y2);
        cr_expect(memcmp(&y->data, &y2->data, sizeof(double)) == 0, "case %d: data differs", i);
        EQ(a->grad, a2->grad);
        EQ(b->grad, b2->grad);
    }
}

Test(value, shared_node_accumulates)
{
    Value *a = val_leaf(&pool, 3.0);
    Value *y = val_mul(&pool, a, a); /* a^2: d = 2a */
    val_backward(&pool, y);
    EQ(a->grad, 6.0);
    Value *b = val_leaf(&pool, 2.0);
    Value *c = val_mul(&pool, b, val_leaf(&pool, 5.0)); /* c = 5b, used twice */
    Value *z = val_add(&pool, val_mul(&pool, c, b), c); /* 5b^2 + 5b: d = 10b + 5 */
    val_backward(&pool, z);
    EQ(z->data, 30.0);
    EQ(c->grad, 3.0); /* b + 1 */
    EQ(b->grad, 25.0);
}

/* x feeds y1 = x*c1, y2 = x*c2, y3 = x*c3, created in the order y3, y1, y2;
 * s = (y1 + y2) + y3.  The reference's build_topo gives
 * [x, y1, y2, s12, y3, s] (leaves aside), so x.grad = ((0 + c3) + c2) + c1.
 * With c1 = 1, c2 = c3 = 1e-16 that is 1 + 2^-52; any other order
 * (creation order, forward order) rounds to 1. */
Test(value, accumulation_order_is_reverse_topo)
{
    Value *x = val_leaf(&pool, 1.0);
    Value *y3 = val_mul(&pool, x, val_leaf(&pool, 1e-16));
    Value *y1 = val_mul(&pool, x, val_leaf(&pool, 1.0));
    Value *y2 = val_mul(&pool, x, val_leaf(&pool, 1e-16));
    Value *s = val_add(&pool, val_add(&pool, y1, y2), y3);
    val_backward(&pool, s);
    EQ(x->grad, 1.0 + DBL_EPSILON);
}

/* ---- a long chain on a small stack ---- */
#define CHAIN 200000

static void *chain(void *arg)
{
    ValPool *p = arg;
    Value *x = val_leaf(p, 0.5);
    Value *v = x;
    for (int i = 0; i < CHAIN; i++)
        v = val_add(p, v, x); /* v = (CHAIN + 1) * x */
    val_backward(p, v);
    double *res = malloc(2 * sizeof *res);
    res[0] = v->data;
    res[1] = x->grad;
    return res;
}

Test(value, deep_chain_no_recursion)
{
    pthread_attr_t attr;
    pthread_t th;
    void *ret;
    pthread_attr_init(&attr);
    cr_assert_eq(pthread_attr_setstacksize(&attr, 128 * 1024), 0);
    cr_assert_eq(pthread_create(&th, &attr, chain, &pool), 0);
    cr_assert_eq(pthread_join(th, &ret), 0);
    pthread_attr_destroy(&attr);
    double *res = ret;
    EQ(res[0], 0.5 * (CHAIN + 1));
    EQ(res[1], (double)(CHAIN + 1));
    EQ(val_pool_count(&pool), (size_t)CHAIN + 1);
    free(res);
}

/* Reset reuses the chunks; a graph built after it is independent. */
Test(value, pool_reset)
{
    for (int round = 0; round < 3; round++) {
        val_pool_reset(&pool);
        Value *x = val_leaf(&pool, 2.0);
        Value *v = x;
        for (int i = 0; i < 100000; i++)
            v = val_mul(&pool, v, val_leaf(&pool, 1.0));
        val_backward(&pool, v);
        EQ(x->grad, 1.0);
        EQ(val_pool_count(&pool), (size_t)200001);
    }
}

/* absolute mode sums |local| * grad: for L = a*b + a*(-b) the gradient of a
 * cancels to 0, while the sum of the magnitudes of its terms is 2|b| */
Test(value, absolute_mode_sums_term_magnitudes)
{
    Value *a = val_leaf(&pool, 3.0), *b = val_leaf(&pool, -2.0);
    Value *L = val_add(&pool, val_mul(&pool, a, b), val_mul(&pool, a, val_neg(&pool, b)));
    val_backward(&pool, L);
    EQ(a->grad, 0.0);
    EQ(b->grad, 0.0);
    val_pool_reset(&pool);
    pool.absolute = 1;
    a = val_leaf(&pool, 3.0), b = val_leaf(&pool, -2.0);
    L = val_add(&pool, val_mul(&pool, a, b), val_mul(&pool, a, val_neg(&pool, b)));
    val_backward(&pool, L);
    EQ(a->grad, 4.0);
    EQ(b->grad, 6.0);
}
