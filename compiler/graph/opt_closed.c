/* opt_closed.c: closed-form backward statements, only in the fast modes
 * (--fast, --dtype=f32), where the numbers need not be the reference's.
 * Takes the Graph right after autodiff (before the other passes) and replaces
 * the statement-by-statement backward of a softmax
 *
 *     m[R] = nograd(max(i) x[R, i])          e[R, i] = exp(x[R, i] - m[R])
 *     s[R] = sum(i) e[R, i]                  p[R, i] = e[R, i] * pow(s[R], -1)
 *
 * (five backward statements and three passes over each row: d_e, d_s, d_e
 * again, d_x) by its closed form, two statements and two passes:
 *
 *     c[R] = sum(i) p[R, i] * d_p[R, i]      d_x[R, i] += p[R, i] * (d_p[R, i] - c[R])
 *
 * Cross-entropy (a softmax whose p is then picked at the targets) takes the
 * same form; so does rmsnorm (below).  A softmax is rewritten only when
 * nothing else reads e or s, no statement of it is guarded or in a
 * recurrence, and its gradients carry no reach count of their own; otherwise
 * its backward stays as autodiff wrote it.  Mathematically the same gradient;
 * the rounding differs (fewer operations).  Not run in the exact default,
 * whose generated C does not change. */
#include <string.h>

#include "arena.h"
#include "opt.h"

static int plain(const Stmt *s) { return !s->guard && !s->rec && !s->nograd && !s->accumulate; }

/* the forward statement that writes t, when exactly one does */
static Stmt *writer(const Graph *g, const Tensor *t)
{
    Stmt *w = NULL;
    for (int i = 0; i < g->fwd.n; i++)
        if (g->fwd.items[i]->out == t) {
            if (w)
                return NULL;
            w = g->fwd.items[i];
        }
    return w;
}

/* the indices are distinct loop variables, one per output loop, in order */
static int identity_index(const Stmt *s)
{
    if (s->nloop - s->nred != s->out->rank)
        return 0;
    for (int k = 0; k < s->out->rank; k++)
        if (s->oidx[k]->kind != IX_VAR || s->oidx[k]->var != s->loops[k].var)
            return 0;
    return 1;
}

static int same_index(Ix *const *a, Ix *const *b, int rank)
{
    for (int k = 0; k < rank; k++)
        if (!ix_equal(a[k], b[k]))
            return 0;
    return 1;
}

/* A softmax found around its last statement p = e * pow(s, -1) */
typedef struct Softmax {
    Stmt *p, *s, *e;
    const Ex *x;            /* e's read of x (in e's loop variables) */
    const Ex *sread;        /* p's read of s */
} Softmax;

/* e * pow(s, -1) or pow(s, -1) * e, with e and s reads: the reads */
static int quotient(const Ex *v, const Ex **e, const Ex **s)
{
    if (v->kind != EX_MUL)
        return 0;
    for (int k = 0; k < 2; k++) {
        const Ex *a = k ? v->b : v->a, *b = k ? v->a : v->b;
        if (a->kind == EX_READ && b->kind == EX_POW && b->c == -1.0 && b->a->kind == EX_READ) {
            *e = a, *s = b->a;
            return 1;
        }
    }
    return 0;
}

static int find_softmax(const Graph *g, Stmt *p, Softmax *f)
{
    const Ex *er, *sr;
    if (!plain(p) || p->red != RED_NONE_ || !p->out->grad || !identity_index(p) || !quotient(p->e, &er, &sr))
        return 0;
    Tensor *e = er->t, *s = sr->t;
    if (e == s || e->rank != p->out->rank || !same_index(er->idx, p->oidx, e->rank) || s->rank != e->rank - 1)
        return 0;
    for (int k = 0; k < s->rank; k++)
        if (!ix_equal(sr->idx[k], p->oidx[k]))
            return 0;
    Stmt *se = writer(g, e), *ss = writer(g, s);
    if (!se || !ss || !plain(se) || !plain(ss) || !e->grad || !s->grad)
        return 0;
    /* s[R] = sum(i) e[R, i] */
    if (ss->red != RED_SUM_ || ss->nred != 1 || !identity_index(ss) || ss->e->kind != EX_READ || ss->e->t != e)
        return 0;
    for (int k = 0; k < ss->nloop; k++)
        if (!ix_equal(ss->e->idx[k], ix_var(ss->loops[k].var)))
            return 0;
    /* e[R, i] = exp(x[...] - (no gradient)) */
    const Ex *v = se->e;
    if (se->red != RED_NONE_ || !identity_index(se) || v->kind != EX_EXP || v->a->kind != EX_SUB)
        return 0;
    const Ex *x = v->a->a, *m = v->a->b;
    if (x->kind != EX_READ || !x->t->grad || x->t == e || x->t == s)
        return 0;
    if (m->kind == EX_READ ? m->t->needs_grad : m->kind != EX_NOGRAD && m->kind != EX_CONST)
        return 0;
    /* nothing else reads e or s (the backward reads them in the statements replaced) */
    for (int i = 0; i < g->fwd.n; i++) {
        const Stmt *t = g->fwd.items[i];
        if ((t != ss && t != p && opt_reads(t->e, e)) || (t != p && opt_reads(t->e, s)))
            return 0;
    }
    f->p = p, f->s = ss, f->e = se, f->x = x, f->sread = sr;
    return 1;
}

/* Is t the gradient or a reach count of e or s? */
static int of_softmax(const Tensor *t, const Softmax *f)
{
    return t->kind == TK_GRAD && (t->primal == f->e->out || t->primal == f->s->out);
}

static int reads_softmax_grad(const Ex *e, const Softmax *f)
{
    if (!e)
        return 0;
    if (e->kind == EX_READ && of_softmax(e->t, f))
        return 1;
    return reads_softmax_grad(e->a, f) || reads_softmax_grad(e->b, f);
}

/* x's index in e's statement, rewritten into p's loop variables */
static Ix *x_index(Graph *g, const Softmax *f, int k)
{
    Ix *x = f->x->idx[k];
    int n = f->e->nloop, fresh[IR_MAX_LOOPS];
    for (int j = 0; j < n; j++) {
        fresh[j] = ir_new_var(g, g->varname[f->e->loops[j].var]);
        x = ix_subst_var(x, f->e->loops[j].var, ix_var(fresh[j]));
    }
    for (int j = 0; j < n; j++)
        x = ix_subst_var(x, fresh[j], f->p->oidx[j]);
    return x;
}

static Stmt *new_like(const Stmt *p, const char *what)
{
    Stmt *b = ir_new_stmt(p->loc);
    b->site = p->site;
    b->nloop = p->nloop;
    memcpy(b->loops, p->loops, sizeof p->loops);
    b->what = what;
    return b;
}

/* l without the statements del marks, a and b where the first of them was */
static void splice(StmtList *l, const char *del, int first, Stmt *a, Stmt *b)
{
    Stmt **items = arena_alloc((size_t)(l->n + 2) * sizeof *items);
    int n = 0;
    for (int i = 0; i < l->n; i++) {
        if (i == first)
            items[n++] = a, items[n++] = b;
        if (!del[i])
            items[n++] = l->items[i];
    }
    l->cap = l->n + 2;
    l->items = items;
    l->n = n;
}

/* The two statements of the closed form; 0 (nothing changed) when the
 * backward is not the one expected */
static int rewrite(Graph *g, const Softmax *f)
{
    StmtList *l = &g->bwd;
    Tensor *x = f->x->t, *p = f->p->out, *s = f->s->out;
    char *del = arena_alloc((size_t)l->n + 1);
    int first = -1, dx = 0;
    for (int i = 0; i < l->n; i++) {
        const Stmt *b = l->items[i];
        int mine = of_softmax(b->out, f), reads = reads_softmax_grad(b->e, f);
        if (!mine && !reads)
            continue;
        if (!mine) {
            /* only e's own backward, d_x += exp(...) * d_e, may read them */
            if (b->out != x->grad || b->loc.line != f->e->loc.line || b->loc.file != f->e->loc.file || dx++)
                return 0;
        } else if (b->out != f->e->out->grad && b->out != s->grad) {
            return 0;   /* a reach count of e or s: keep autodiff's statements */
        }
        if (b->guard || b->rec)
            return 0;
        del[i] = 1;
        if (first < 0)
            first = i;
    }
    if (first < 0 || dx != 1)
        return 0;
    Ix *pidx[IR_MAX_RANK], *xidx[IR_MAX_RANK];
    for (int k = 0; k < p->rank; k++)
        pidx[k] = f->p->oidx[k];
    for (int k = 0; k < x->rank; k++)
        xidx[k] = x_index(g, f, k);
    Ex *pv = ex_read(p, p->rank, pidx), *dp = ex_read(p->grad, p->rank, pidx);
    Tensor *c = ir_new_tensor(g, TK_GRAD, arena_printf("dot_%s", s->name), s->rank, s->ext, s->loc);
    c->primal = s;
    Stmt *sc = new_like(f->p, arena_printf("closed form: dot_%s = sum p * dp", s->name));
    sc->nred = 1;
    sc->red = RED_SUM_;
    sc->out = c;
    for (int k = 0; k < s->rank; k++)
        sc->oidx[k] = f->sread->idx[k];
    sc->e = ex_bin(EX_MUL, pv, dp);
    Stmt *sx = new_like(f->p, arena_printf("closed form: d%s += p * (dp - dot_%s)", x->name, s->name));
    sx->accumulate = 1;
    sx->out = x->grad;
    for (int k = 0; k < x->rank; k++)
        sx->oidx[k] = xidx[k];
    sx->e = ex_bin(EX_MUL, pv, ex_bin(EX_SUB, dp, ex_read(c, s->rank, (Ix **)f->sread->idx)));
    splice(l, del, first, sc, sx);
    return 1;
}

/* ------------------------------------------------------------- rmsnorm */

/* An rmsnorm found around its last statement y = x * scale:
 *
 *     sum[R] = sum(i) x[R, i] * x[R, i]      ms[R] = sum[R] * c
 *     scale[R] = pow(ms[R] + eps, -0.5)      y[R, i] = x[R, i] * scale[R]
 *
 * whose backward (d_x += scale * d_y, d_scale, d_ms, d_sum, d_x += x * d_sum
 * twice: three passes over each row) becomes two statements, two passes:
 *
 *     dot[R] = sum(i) x[R, i] * d_y[R, i]
 *     d_x[R, i] += scale[R] * d_y[R, i] - x[R, i] * (scale[R]^3 * c * dot[R])
 *
 * (d scale / d x[R, i] = -scale^3 * c * x[R, i]).  The same conditions as a
 * softmax's: sum, ms and scale have no other reader. */
typedef struct Rms {
    Stmt *sum, *ms, *scale, *y;
    const Ex *x, *sread;    /* y's reads of x and scale */
    double c;
} Rms;

/* the only forward statement that reads t is r */
static int only_reader(const Graph *g, const Tensor *t, const Stmt *r)
{
    for (int i = 0; i < g->fwd.n; i++)
        if (g->fwd.items[i] != r && opt_reads(g->fwd.items[i]->e, t))
            return 0;
    return 1;
}

/* a read of t at the statement's own output index */
static int read_at_out(const Ex *e, const Stmt *s)
{
    return e->kind == EX_READ && e->t->rank == s->out->rank && same_index(e->idx, s->oidx, s->out->rank);
}

/* a read of t (rank one less than s's output) at the first indices of s's output */
static int read_at_row(const Ex *e, const Stmt *s)
{
    return e->kind == EX_READ && e->t->rank == s->out->rank - 1 && same_index(e->idx, s->oidx, e->t->rank);
}

static int find_rms(const Graph *g, Stmt *y, Rms *f)
{
    if (!plain(y) || y->red != RED_NONE_ || !y->out->grad || !identity_index(y) || y->e->kind != EX_MUL)
        return 0;
    const Ex *x = y->e->a, *sr = y->e->b;
    if (!read_at_out(x, y) || !read_at_row(sr, y) || !x->t->grad)
        return 0;
    Stmt *ss = writer(g, sr->t);
    if (!ss || !plain(ss) || ss->red != RED_NONE_ || !identity_index(ss) || ss->e->kind != EX_POW || ss->e->c != -0.5)
        return 0;
    const Ex *v = ss->e->a;
    if (v->kind != EX_ADD || v->b->kind != EX_CONST || !read_at_out(v->a, ss))
        return 0;
    Stmt *sm = writer(g, v->a->t);
    if (!sm || !plain(sm) || sm->red != RED_NONE_ || !identity_index(sm) || sm->e->kind != EX_MUL ||
        sm->e->b->kind != EX_CONST || !read_at_out(sm->e->a, sm))
        return 0;
    Stmt *su = writer(g, sm->e->a->t);
    if (!su || !plain(su) || su->red != RED_SUM_ || su->nred != 1 || !identity_index(su) || su->e->kind != EX_MUL)
        return 0;
    /* sum(i) x[R, i] * x[R, i], the x y reads, over the same loops */
    const Ex *a = su->e->a, *b = su->e->b;
    if (a->kind != EX_READ || b->kind != EX_READ || a->t != x->t || b->t != x->t || su->nloop != y->nloop)
        return 0;
    for (int k = 0; k < x->t->rank; k++) {
        Ix *v = ix_var(su->loops[k].var);
        if (!ix_equal(a->idx[k], v) || !ix_equal(b->idx[k], v) || !ix_equal(x->idx[k], ix_var(y->loops[k].var)))
            return 0;
    }
    if (!sr->t->grad || !sm->out->grad || !su->out->grad || !only_reader(g, sr->t, y) ||
        !only_reader(g, sm->out, ss) || !only_reader(g, su->out, sm))
        return 0;
    f->sum = su, f->ms = sm, f->scale = ss, f->y = y, f->x = x, f->sread = sr, f->c = sm->e->b->c;
    return 1;
}

static int of_rms(const Tensor *t, const Rms *f)
{
    return t->kind == TK_GRAD && (t->primal == f->sum->out || t->primal == f->ms->out || t->primal == f->scale->out);
}

static int reads_rms_grad(const Ex *e, const Rms *f)
{
    if (!e)
        return 0;
    if (e->kind == EX_READ && of_rms(e->t, f))
        return 1;
    return reads_rms_grad(e->a, f) || reads_rms_grad(e->b, f);
}

static int rewrite_rms(Graph *g, const Rms *f)
{
    StmtList *l = &g->bwd;
    Tensor *x = f->x->t, *y = f->y->out, *scale = f->scale->out;
    char *del = arena_alloc((size_t)l->n + 1);
    int first = -1, direct = 0;
    for (int i = 0; i < l->n; i++) {
        const Stmt *b = l->items[i];
        int mine = of_rms(b->out, f), reads = reads_rms_grad(b->e, f);
        /* y's own d_x += scale * d_y */
        int own = b->out == x->grad && opt_reads(b->e, scale) && opt_reads(b->e, y->grad) && !reads;
        if (!mine && !reads && !own)
            continue;
        if (mine ? b->out != f->sum->out->grad && b->out != f->ms->out->grad && b->out != scale->grad
                 : b->out != x->grad)
            return 0;   /* a reach count, or some other statement: keep autodiff's */
        if (b->guard || b->rec || (own && direct++))
            return 0;
        del[i] = 1;
        if (first < 0)
            first = i;
    }
    if (first < 0 || direct != 1)
        return 0;
    Ix *idx[IR_MAX_RANK];
    for (int k = 0; k < y->rank; k++)
        idx[k] = f->y->oidx[k];
    Ex *xv = ex_read(x, x->rank, idx), *dy = ex_read(y->grad, y->rank, idx), *sv = (Ex *)f->sread;
    Tensor *c = ir_new_tensor(g, TK_GRAD, arena_printf("rms_dot_%s", scale->name), scale->rank, scale->ext,
                              scale->loc);
    c->primal = scale;
    Stmt *sc = new_like(f->y, arena_printf("closed form: rms_dot_%s = sum x * dy", scale->name));
    sc->nred = 1;
    sc->red = RED_SUM_;
    sc->out = c;
    for (int k = 0; k < c->rank; k++)
        sc->oidx[k] = f->sread->idx[k];
    sc->e = ex_bin(EX_MUL, xv, dy);
    Stmt *sx = new_like(f->y, arena_printf("closed form: d%s += scale * dy - x * scale^3 * c * rms_dot", x->name));
    sx->accumulate = 1;
    sx->out = x->grad;
    for (int k = 0; k < x->rank; k++)
        sx->oidx[k] = f->x->idx[k];
    Ex *k3 = ex_bin(EX_MUL, ex_bin(EX_MUL, ex_bin(EX_MUL, sv, sv), sv),
                    ex_bin(EX_MUL, ex_const(f->c), ex_read(c, c->rank, (Ix **)f->sread->idx)));
    sx->e = ex_bin(EX_SUB, ex_bin(EX_MUL, sv, dy), ex_bin(EX_MUL, xv, k3));
    splice(l, del, first, sc, sx);
    return 1;
}

void opt_closed(Graph *g)
{
    if (!g->fast && !g->f32)
        return;
    for (int i = 0; i < g->fwd.n; i++) {
        Softmax f;
        Rms r;
        if (find_softmax(g, g->fwd.items[i], &f))
            rewrite(g, &f);
        else if (find_rms(g, g->fwd.items[i], &r))
            rewrite_rms(g, &r);
    }
}
