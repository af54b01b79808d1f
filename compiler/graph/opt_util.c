/* opt_util.c: expression walks the optimisation passes share.  Takes
 * statements and expressions of ir.h; never changes a node in place unless it
 * says so (expressions may be shared between statements). */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "ops.h"
#include "opt.h"

static Ex *copy_node(const Ex *e)
{
    Ex *c = arena_alloc(sizeof *c);
    *c = *e;
    return c;
}

Ex *opt_rewrite(Ex *e, Stmt *s, ExRewrite f, void *arg)
{
    if (!e)
        return e;
    Ex *a = opt_rewrite(e->a, s, f, arg), *b = opt_rewrite(e->b, s, f, arg);
    if (a != e->a || b != e->b) {
        e = copy_node(e);
        e->a = a, e->b = b;
    }
    return f(e, s, arg);
}

Ex *opt_subst(Ex *e, int var, Ix *with)
{
    if (!e)
        return e;
    Ex *c = copy_node(e);
    c->a = opt_subst(e->a, var, with);
    c->b = opt_subst(e->b, var, with);
    if (e->ix)
        c->ix = ix_subst_var(e->ix, var, with);
    if (e->kind == EX_READ || e->kind == EX_PAD)
        for (int k = 0; k < e->t->rank; k++)
            c->idx[k] = ix_subst_var(e->idx[k], var, with);
    return c;
}

void opt_ix_vars(const Ix *x, char *mask)
{
    if (!x)
        return;
    if (x->kind == IX_VAR)
        mask[x->var] = 1;
    if (x->kind == IX_READ)
        opt_ix_vars(x->idx[0], mask);
    for (int k = 0; x->kind == IX_PAD && k < x->var; k++)
        opt_ix_vars(x->idx[k], mask);
    opt_ix_vars(x->a, mask);
    opt_ix_vars(x->b, mask);
}

void opt_ex_vars(const Ex *e, char *mask)
{
    if (!e)
        return;
    if (e->ix)
        opt_ix_vars(e->ix, mask);
    if (e->kind == EX_READ || e->kind == EX_PAD)
        for (int k = 0; k < e->t->rank; k++)
            opt_ix_vars(e->idx[k], mask);
    opt_ex_vars(e->a, mask);
    opt_ex_vars(e->b, mask);
}

int opt_has_call(const Ex *e)
{
    if (!e)
        return 0;
    const OpInfo *o = op_info(e->kind);
    if (e->kind == EX_POW || (o && o->libm))
        return 1;
    return opt_has_call(e->a) || opt_has_call(e->b);
}

/* a's index x, through map when there is one */
static Ix *mapped(Ix *x, Ix *(*map)(void *, Ix *), void *arg) { return map ? map(arg, x) : x; }

int opt_ex_equal_map(const Ex *a, const Ex *b, Ix *(*map)(void *, Ix *), void *arg)
{
    if (!a || !b)
        return a == b;
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case EX_CONST: return memcmp(&a->c, &b->c, sizeof a->c) == 0;
    case EX_INT: return ix_equal(mapped(a->ix, map, arg), b->ix);
    case EX_READ:
    case EX_PAD:
        if (a->t != b->t || a->pad != b->pad)
            return 0;
        for (int k = 0; k < a->t->rank; k++)
            if (!ix_equal(mapped(a->idx[k], map, arg), b->idx[k]))
                return 0;
        if (a->kind == EX_READ)
            return 1;
        break;
    case EX_POW:
        if (memcmp(&a->c, &b->c, sizeof a->c) != 0)
            return 0;
        break;
    case EX_ADD:
    case EX_SUB:
    case EX_MUL:
    case EX_NOGRAD:
    case EX_IFPOS:
    MG_OPS(OP_CASE) break;
    }
    return opt_ex_equal_map(a->a, b->a, map, arg) && opt_ex_equal_map(a->b, b->b, map, arg);
}

int opt_ex_equal(const Ex *a, const Ex *b) { return opt_ex_equal_map(a, b, NULL, NULL); }

int opt_reads(const Ex *e, const Tensor *t)
{
    if (!e)
        return 0;
    if (e->kind == EX_READ && e->t == t)
        return 1;
    return opt_reads(e->a, t) || opt_reads(e->b, t);
}

void opt_compact(StmtList *l, const char *del)
{
    int n = 0;
    for (int i = 0; i < l->n; i++)
        if (!del[i])
            l->items[n++] = l->items[i];
    l->n = n;
}

int opt_writers(const Graph *g, const Tensor *t)
{
    int n = 0;
    for (int i = 0; i < g->fwd.n; i++)
        n += g->fwd.items[i]->out == t;
    for (int i = 0; i < g->bwd.n; i++)
        n += g->bwd.items[i]->out == t;
    return n;
}

void opt_count_writers(const Graph *g, int *writers)
{
    memset(writers, 0, (size_t)g->ntensors * sizeof *writers);
    for (int i = 0; i < g->fwd.n; i++)
        writers[g->fwd.items[i]->out->id]++;
    for (int i = 0; i < g->bwd.n; i++)
        writers[g->bwd.items[i]->out->id]++;
}

int opt_plus_var(const Ix *x, int var)
{
    if (x->kind == IX_VAR)
        return x->var == var;
    if (!ix_is_affine(x) || !ix_mentions_var(x, var))
        return 0;
    Ix *rest = ix_subst_var((Ix *)x, var, ix_const(0));
    return ix_equal(ix_bin(IX_ADD, rest, ix_var(var)), x);
}
