/* opt_split.c: a loop over c whose statement reads c // K (attention's head
 * c // head_dim) becomes two loops, c_q < E / K and c_r < K, with c =
 * c_q * K + c_r, c // K = c_q and c % K = c_r.  Takes the Graph after autodiff.
 * The iterations run in the same order (c ascending is (c_q, c_r)
 * ascending), so every sum and every accumulation receives the same terms in
 * the same order: exact.  What it buys: inside one c_q the head is fixed, so
 * w[c // head_dim, t, s] no longer depends on the innermost loop and
 * v[s, c] = v[s, c_q * K + c_r] is contiguous in c_r; the schedule then runs
 * the K outputs (or the sum over c_r, after opt_reduce) in vector registers
 * where it computed one scalar sum per c with a strided read. */
#include "arena.h"
#include "opt.h"

typedef struct Split {
    int c, q, r;    /* the loop variable and its quotient and remainder */
    long K;
} Split;

static int is_div_of(const Ix *x, int c, long *K)
{
    return x->kind == IX_FLOORDIV && x->a->kind == IX_VAR && x->a->var == c && ix_is_const(x->b, K) && *K > 1;
}

/* the divisor of the first c // K in x, or 0 */
static long find_div(const Ix *x, int c)
{
    long K;
    if (!x)
        return 0;
    if (is_div_of(x, c, &K))
        return K;
    if (x->kind == IX_READ)
        return find_div(x->idx[0], c);
    for (int k = 0; x->kind == IX_PAD && k < x->var; k++)
        if (find_div(x->idx[k], c))
            return find_div(x->idx[k], c);
    long a = find_div(x->a, c);
    return a ? a : find_div(x->b, c);
}

static long find_div_ex(const Ex *e, int c)
{
    if (!e)
        return 0;
    long K = e->ix ? find_div(e->ix, c) : 0;
    for (int k = 0; !K && (e->kind == EX_READ || e->kind == EX_PAD) && k < e->t->rank; k++)
        K = find_div(e->idx[k], c);
    if (!K)
        K = find_div_ex(e->a, c);
    return K ? K : find_div_ex(e->b, c);
}

static Ix *split_ix(Ix *x, const Split *sp)
{
    long K;
    switch (x->kind) {
    case IX_CONST:
    case IX_T:
    case IX_AXIS: return x;
    case IX_VAR:
        if (x->var != sp->c)
            return x;
        return ix_bin(IX_ADD, ix_bin(IX_MUL, ix_const(sp->K), ix_var(sp->q)), ix_var(sp->r));
    case IX_READ: return ix_read(x->t, split_ix(x->idx[0], sp));
    case IX_PAD: {
        Ix *idx[IR_MAX_RANK];
        for (int k = 0; k < x->var; k++)
            idx[k] = split_ix(x->idx[k], sp);
        return ix_pad(idx, x->var, x->ext, (unsigned)x->val, split_ix(x->a, sp), split_ix(x->b, sp));
    }
    default:
        if ((x->kind == IX_FLOORDIV || x->kind == IX_MOD) && x->a->kind == IX_VAR && x->a->var == sp->c &&
            ix_is_const(x->b, &K) && K == sp->K)
            return ix_var(x->kind == IX_FLOORDIV ? sp->q : sp->r);
        return ix_bin(x->kind, split_ix(x->a, sp), split_ix(x->b, sp));
    }
}

static Ex *split_ex(const Ex *e, const Split *sp)
{
    if (!e)
        return NULL;
    Ex *c = arena_alloc(sizeof *c);
    *c = *e;
    c->a = split_ex(e->a, sp);
    c->b = split_ex(e->b, sp);
    if (e->ix)
        c->ix = split_ix(e->ix, sp);
    if (e->kind == EX_READ || e->kind == EX_PAD)
        for (int k = 0; k < e->t->rank; k++)
            c->idx[k] = split_ix(e->idx[k], sp);
    return c;
}

/* In an accumulation (out[idx] += e, no reduction) the loop at position j
 * moves innermost when it and each loop after it select the element along
 * an axis of their own: that axis is the loop variable plus a part that
 * mentions none of these loops (opt_plus_var), and j's axis is the last, so
 * that the innermost loop writes contiguous elements.  For fixed outer loops
 * each element then receives at most one term, before and after: the order
 * of every element's terms is unchanged (attention's dv[s, c_q * K + c_r] +=
 * w[c_q, t, s] * dout[t, c_q * K + c_r] over t, c_q, c_r, s: c_r goes inside
 * s and runs in vector registers). */
static void innermost(Stmt *s, int j)
{
    if (s->red != RED_NONE_ || !s->accumulate || s->nred || j == s->nloop - 1 || opt_reads(s->e, s->out))
        return;
    int last = s->out->rank - 1, used[IR_MAX_RANK] = {0};
    for (int i = j; i < s->nloop; i++) {
        int v = s->loops[i].var, axis = -1;
        for (int k = 0; k < s->out->rank && axis < 0; k++)
            if (opt_plus_var(s->oidx[k], v))
                axis = k;
        if (axis < 0 || used[axis] || (i == j && axis != last))
            return;
        used[axis] = 1;
        Ix *rest = ix_subst_var(s->oidx[axis], v, ix_const(0));
        for (int i2 = j; i2 < s->nloop; i2++)
            if (ix_mentions_var(rest, s->loops[i2].var) || (i2 != j && ix_mentions_var(s->loops[i2].hi, v)))
                return;
        for (int k = 0; k < s->out->rank; k++)
            if (k != axis && ix_mentions_var(s->oidx[k], v))
                return;
    }
    Loop moved = s->loops[j];
    for (int i = j; i < s->nloop - 1; i++)
        s->loops[i] = s->loops[i + 1];
    s->loops[s->nloop - 1] = moved;
}

static void split_stmt(Graph *g, Stmt *s)
{
    if (s->rec)
        return;     /* its first loop is the recurrence's step, which the emitter runs */
    for (int j = 0; j < s->nloop && s->nloop < IR_MAX_LOOPS; j++) {
        int c = s->loops[j].var;
        long E, K = find_div_ex(s->e, c);
        for (int k = 0; !K && k < s->out->rank; k++)
            K = find_div(s->oidx[k], c);
        if (!K || !ix_is_const(s->loops[j].hi, &E) || E % K || E == K)
            continue;
        int bound = 0;
        for (int i = 0; i < s->nloop; i++)
            bound |= ix_mentions_var(s->loops[i].hi, c);
        if (bound)
            continue;
        const char *name = g->varname[c];
        Split sp = {c, ir_new_var(g, arena_printf("%s_q", name)), ir_new_var(g, arena_printf("%s_r", name)), K};
        for (int i = s->nloop; i > j + 1; i--)
            s->loops[i] = s->loops[i - 1];
        s->loops[j] = (Loop){sp.q, ix_const(E / K)};
        s->loops[j + 1] = (Loop){sp.r, ix_const(K)};
        s->nloop++;
        if (j >= s->nloop - 1 - s->nred)   /* a reduction loop: both halves are */
            s->nred++;
        s->e = split_ex(s->e, &sp);
        if (s->arg)     /* argmax's position is the old variable's value */
            s->arg = split_ix(s->arg, &sp);
        for (int k = 0; k < s->out->rank; k++)
            s->oidx[k] = split_ix(s->oidx[k], &sp);
        innermost(s, j + 1);
        j++;
    }
}

void opt_split(Graph *g)
{
    for (int i = 0; i < g->fwd.n; i++)
        split_stmt(g, g->fwd.items[i]);
    for (int i = 0; i < g->bwd.n; i++)
        split_stmt(g, g->bwd.items[i]);
}
