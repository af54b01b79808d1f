/* opt_fold.c: constant folding and algebraic simplification.  Takes any
 * Graph; hands on the same statements with simpler right-hand sides.  Only
 * rewrites that give the same double for every input, including -0, inf and
 * NaN: c1 op c2 for + - * (IEEE arithmetic is the same at compile time and
 * run time), x * 1 and 1 * x, x - 0, x + -0, and (x * -1) * -1.  Never x * 0
 * (inf * 0 is NaN) nor x + 0 (-0 + 0 is +0); never a libm call (its result
 * is the run-time libm's). */
#include <string.h>

#include "opt.h"

static int is_const(const Ex *e, double c)
{
    return e->kind == EX_CONST && memcmp(&e->c, &c, sizeof c) == 0;
}

static int is_neg1_mul(const Ex *e)
{
    return e->kind == EX_MUL && is_const(e->b, -1.0);
}

static Ex *fold(Ex *e, Stmt *s, void *arg)
{
    (void)s;
    int *n = arg;
    Ex *a = e->a, *b = e->b;
    if ((e->kind == EX_ADD || e->kind == EX_SUB || e->kind == EX_MUL) && a->kind == EX_CONST &&
        b->kind == EX_CONST) {
        double v = e->kind == EX_ADD ? a->c + b->c : e->kind == EX_SUB ? a->c - b->c : a->c * b->c;
        ++*n;
        return ex_const(v);
    }
    if (e->kind == EX_MUL && is_const(b, 1.0))
        return ++*n, a;
    if (e->kind == EX_MUL && is_const(a, 1.0))
        return ++*n, b;
    if (e->kind == EX_SUB && is_const(b, 0.0))
        return ++*n, a;
    if (e->kind == EX_ADD && is_const(b, -0.0))
        return ++*n, a;
    if (is_neg1_mul(e) && is_neg1_mul(a))
        return ++*n, a->a;
    return e;
}

void opt_fold(Graph *g)
{
    int n = 0;
    StmtList *lists[2] = {&g->fwd, &g->bwd};
    for (int li = 0; li < 2; li++)
        for (int i = 0; i < lists[li]->n; i++) {
            Stmt *s = lists[li]->items[i];
            s->e = opt_rewrite(s->e, s, fold, &n);
        }
}
