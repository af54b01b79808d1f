/* autodiff.c: reverse-mode differentiation of the forward statements.
 * Takes a traced Graph and appends to g->bwd, in reverse statement order, one
 * accumulation per differentiable read: for out[I] = red_J e(..., x[idx], ...)
 * it adds  d_x[idx] += de/dx * d_out[I]  over the same loops (I and J).  The
 * local derivative is the product of the local gradients on the path from the
 * root to that read, multiplied in the order the reference's backward() does:
 * starting from d_out and moving down.  A max or min passes its gradient to
 * the one term it chose (choose()); nograd passes none.  Gradient buffers
 * start at zero (the memory plan clears them), so every statement adds.
 * The statements of a recurrence's step get the backward statements of that
 * step (Stmt.rec): the emitter runs them for each step in reverse, so what a
 * step reads of the previous one has its whole gradient when that step runs.
 *
 * The reference backpropagates only through the Values the loss reaches; an
 * element of an activation that nothing differentiable reads gets no gradient
 * and passes none on, even where its local derivative is inf (exp overflowed).
 * Where mgc cannot show that the loss reaches every element of a tensor x (by
 * enumerating its readers' loops), it counts, in reach_x, the reached elements
 * that read each element, and guards what x passes on: ifpos(reach_x, ...). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "autodiff.h"
#include "ops.h"

/* Does a gradient pass through e to its operands?  Not through a leaf, a
 * nograd or an op such as step. */
static int passes_grad(const Ex *e)
{
    switch (e->kind) {
    case EX_CONST:
    case EX_READ:
    case EX_INT:
    EX_CMPS     /* piecewise constant: no gradient */
    case EX_NOGRAD:
    case EX_DPOWA:
    case EX_DPOWB:
    case EX_PICK: return 0;
    case EX_ADD:
    case EX_SUB:
    case EX_MUL:
    case EX_POWX:
    case EX_POW:
    case EX_PAD:
    case EX_SELECT:     /* to its arms: its condition is a comparison or a nograd */
    case EX_ARMS:
    case EX_IFPOS: return 1;
    MG_OPS(OP_CASE) return op_info(e->kind)->grad;
    }
    MGC_INTERNAL("unknown expression kind");
}

/* Does e read a tensor that needs a gradient, through a differentiable path?
 * With a memo (once every tensor's needs_grad is final), each node is
 * answered once, so walking a long chain down its spine stays linear. */
static int ex_needs_grad(ExMemo *m, const Ex *e)
{
    unsigned long v;
    if (e->kind == EX_READ)
        return e->t->needs_grad;
    if (!passes_grad(e))
        return 0;
    if (m && ex_memo_get(m, e, &v))
        return (int)v;
    v = ex_needs_grad(m, e->a) || (e->b && ex_needs_grad(m, e->b));
    if (m)
        ex_memo_put(m, e, v);
    return (int)v;
}

/* Repeated until nothing changes: a recur block's statement reads the
 * previous step of one defined after it (z reads h[t - 1], h reads z). */
static void mark_needs_grad(Graph *g)
{
    int changed = 1;
    while (changed) {
        changed = 0;
        for (int i = 0; i < g->fwd.n; i++) {
            Stmt *s = g->fwd.items[i];
            if (!s->nograd && !s->out->needs_grad && ex_needs_grad(NULL, s->e))
                s->out->needs_grad = 1, changed = 1;
        }
    }
}

/* The local gradient of node e with respect to its child `which` (0: a, 1: b). */
static Ex *local_grad(const Ex *e, int which)
{
    switch (e->kind) {
    case EX_ADD: return ex_const(1);
    case EX_SUB: return ex_const(which ? -1 : 1);
    case EX_MUL: return which ? e->a : e->b;
    case EX_POWX: return ex_bin(which ? EX_DPOWB : EX_DPOWA, e->a, e->b);
    case EX_POW:
        /* k * x ** (k - 1), as the reference records it */
        return ex_bin(EX_MUL, ex_const(e->c), ex_pow(e->a, e->c - 1));
    case EX_EXP: return (Ex *)e;
    case EX_LOG: return ex_pow(e->a, -1);
    case EX_RELU: return ex_un(EX_STEP, e->a);
    case EX_TANH: return ex_bin(EX_SUB, ex_const(1), ex_pow((Ex *)e, 2));
    case EX_SQRT: return ex_bin(EX_MUL, ex_const(0.5), ex_pow(e->a, -0.5));   /* as the reference's a ** 0.5 */
    case EX_ABS: return ex_un(EX_SIGN, e->a);
    case EX_SIN: return ex_un(EX_COS, e->a);
    case EX_COS: return ex_bin(EX_MUL, ex_un(EX_SIN, e->a), ex_const(-1));   /* -sin(a), negated as the reference's -x */
    case EX_SIGMOID: return ex_bin(EX_MUL, (Ex *)e, ex_bin(EX_SUB, ex_const(1), (Ex *)e));   /* s * (1 - s) */
    case EX_ERF:   /* 2 / sqrt(pi) * exp(a * a * -1) */
        return ex_bin(EX_MUL, ex_const(OP_2_SQRTPI), ex_un(EX_EXP, ex_bin(EX_MUL, ex_bin(EX_MUL, e->a, e->a), ex_const(-1))));
    case EX_CONST:
    case EX_READ:
    case EX_INT:
    case EX_STEP:
    case EX_SIGN:
    EX_CMPS
    case EX_SELECT:     /* walk() sends the gradient to the arm chosen */
    case EX_ARMS:
    case EX_NOGRAD:
    case EX_DPOWA:
    case EX_DPOWB:
    case EX_PICK:
    case EX_PAD:        /* walk takes it apart: its branches are not operands */
    case EX_IFPOS: break;
    }
    MGC_INTERNAL("local gradient of a leaf");
}

static int is_choice(const Stmt *s) { return s->red == RED_MAX_ || s->red == RED_MIN_; }

static int is_one(const Ex *e) { return e->kind == EX_CONST && e->c == 1.0; }

/* grad * local, skipping the exact multiplications by 1 */
static Ex *chain(Ex *local, Ex *grad)
{
    if (is_one(local))
        return grad;
    if (is_one(grad))
        return local;
    return ex_bin(EX_MUL, local, grad);
}

/* The selects on the path from the root to the node a walk is at: the
 * gradient reaches the node only where each chose the arm it is in. */
typedef struct Sel {
    Ex *cond;
    int side;           /* 0: the arm taken where cond != 0; 1: the other */
    const struct Sel *up;
} Sel;

/* value where every select of s chose the path's arm, else exactly 0: a C
 * select, so an inf or NaN computed for the arm not taken stays out */
static Ex *under_sels(const Sel *s, Ex *value)
{
    for (; s; s = s->up)
        value = s->side ? ex_select(s->cond, ex_const(0), value) : ex_select(s->cond, value, ex_const(0));
    return value;
}

typedef struct Emit {
    Graph *g;
    const Sel *sel;     /* the selects above the node walk() is at */
    const Stmt *s;
    Ex *guard;          /* reach count of the statement's output, or NULL */
    Tensor **mask;      /* per tensor id: its reach count tensor, or NULL */
    const char *fully;  /* per tensor id: the loss reaches every element */
    ExMemo *memo;       /* ex_needs_grad per node */
    ExMemo *sizes;      /* ex_size per node */
    long work;          /* nodes in the backward statements made for s so far */
    Ix *at;             /* a max or min: the position of the term being visited */
    Ex *chosen;         /* ... and the position of the term it chose */
} Emit;

/* ---- which elements the loss reaches ----
 * level[x]: for every value of x's first level[x] indices the loss reaches at
 * least one element of x; level == rank means every element (-1: unknown).
 * The loss has level 0 = its rank.  A reader s of x whose output has level L
 * reaches, for every value of its first L output indices and of its
 * reduction indices ("for all" variables), x at the read's index; so x gets
 * the longest prefix of that index which mentions only those variables and
 * which, enumerated over them, covers x's leading axes for every T. */

enum { COVER_BUDGET = 4000000 };   /* loop iterations tried per read */

/* One zeroed entry per loop variable (and per axis variable after them), for
 * one check at a time: each kind of buffer is reused, so the checks of every
 * statement take memory for one, not one each.  reach_everywhere owns them. */
enum { SCRATCH_ONLY, SCRATCH_NONE, SCRATCH_OK, SCRATCH_VALS, NSCRATCH };
typedef struct Scratch {
    void *buf[NSCRATCH];    /* malloc'ed: reused and grown, freed at the end */
    size_t cap[NSCRATCH];
} Scratch;

typedef struct Cover {
    Scratch *scratch;
    const Stmt *s;
    const Ex *read;
    const char *forall;     /* per loop position */
    int prefix;             /* axes of x being covered */
    long T, *vals, budget;
    char *hit;
    char sep[IR_MAX_RANK];  /* axis checked apart (separable), this T */
    char once[IR_MAX_LOOPS];    /* loop enumerated at 0 only: its axis is separable */
} Cover;

static int only_vars(const Ix *x, const char *ok)
{
    if (!x)
        return 1;
    if (x->kind == IX_VAR)
        return ok[x->var];
    if (x->kind == IX_READ || x->kind == IX_PAD)
        return 0;
    return only_vars(x->a, ok) && only_vars(x->b, ok);
}

/* the offset of x's first `prefix` indices, row-major over their maxext (a
 * separable axis at 0) */
static long flat_prefix(const Tensor *t, Ix *const *idx, int prefix, long T, const long *vals, const char *sep)
{
    long off = 0;
    for (int k = 0; k < prefix; k++)
        off = off * t->maxext[k] + (sep[k] ? 0 : ix_eval(idx[k], T, vals, NULL));
    return off;
}

static int visit(Cover *c, int d)
{
    if (d == c->s->nloop) {
        c->hit[flat_prefix(c->read->t, c->read->idx, c->prefix, c->T, c->vals, c->sep)] = 1;
        return --c->budget > 0;
    }
    if (!c->forall[d])
        return visit(c, d + 1);
    const Loop *l = &c->s->loops[d];
    long hi = ix_eval(l->hi, c->T, c->vals, NULL);
    if (c->once[d] && hi > 1)
        hi = 1;
    for (long v = 0; v < hi; v++) {
        c->vals[l->var] = v;
        if (!visit(c, d + 1))
            return 0;
    }
    return 1;
}

/* every prefix of t's domain at this T is hit (a separable axis at 0) */
static int all_hit(const Tensor *t, Ix **axes, int prefix, long T, long *vals, int k, long off, const Cover *c)
{
    if (k == prefix || k >= IR_MAX_RANK)    /* (prefix <= rank: the second test only tells GCC so) */
        return c->hit[off];
    long hi = ix_eval(ix_subst_axes(t->ext[k], axes), T, vals, NULL);
    if (c->sep[k] && hi > 1)
        hi = 1;
    for (long v = 0; v < hi; v++) {
        vals[axes[k]->var] = v;
        if (!all_hit(t, axes, prefix, T, vals, k + 1, off * t->maxext[k] + v, c))
            return 0;
    }
    return 1;
}

static void *per_var(Scratch *sc, const Graph *g, int which, size_t elem)
{
    size_t n = (size_t)(g->nvars + IR_MAX_RANK) * elem;
    if (n > sc->cap[which]) {
        void *p = realloc(sc->buf[which], 2 * n);
        if (!p) {
            fputs("mgc: error: out of memory\n", stderr);
            exit(1);
        }
        sc->buf[which] = p;
        sc->cap[which] = 2 * n;
    }
    memset(sc->buf[which], 0, n);
    return sc->buf[which];
}

static void scratch_free(Scratch *sc)
{
    for (int i = 0; i < NSCRATCH; i++)
        free(sc->buf[i]);
}
/* Axis k of the prefix is separable when the "for all" loop variables its
 * index mentions (at least one) appear in no other index and no loop bound,
 * their own bounds mention no variable, and the axis's extent and the other
 * axes' extents do not mention one another: the index then takes the same
 * values for every choice of the other variables, so those values are checked
 * apart (its variables enumerated alone; they must fill the axis) and the
 * joint enumeration takes them at 0 only.  (Attention's p[c // head_dim, t, s]
 * read over c < n_embd, q[t, h * head_dim + j] over h and j: n_embd times
 * fewer iterations.)  Marks the loops of those variables in `mine`. */
static int separable(Graph *g, Cover *c, Ix **axes, int k, const char *none, char *mine)
{
    const Stmt *s = c->s;
    const Tensor *t = c->read->t;
    char *only = per_var(c->scratch, g, SCRATCH_ONLY, 1);
    int n = 0;
    for (int i = 0; i < s->nloop; i++) {
        int v = s->loops[i].var;
        mine[i] = ix_mentions_var(c->read->idx[k], v);
        if (!mine[i])
            continue;
        if (!c->forall[i] || !only_vars(s->loops[i].hi, none))
            return 0;
        for (int k2 = 0; k2 < t->rank; k2++)
            if (k2 != k && ix_mentions_var(c->read->idx[k2], v))
                return 0;
        for (int i2 = 0; i2 < s->nloop; i2++)
            if (ix_mentions_var(s->loops[i2].hi, v))
                return 0;
        only[v] = 1;
        n++;
    }
    if (!n || !only_vars(c->read->idx[k], only))
        return 0;
    for (int k2 = 0; k2 < t->rank; k2++)
        if (ix_mentions_var(ix_subst_axes(t->ext[k], axes), axes[k2]->var) ||
            (k2 != k && ix_mentions_var(ix_subst_axes(t->ext[k2], axes), axes[k]->var)))
            return 0;
    return 1;
}

/* enumerate the loops marked in mine from position d, marking the values of
 * index k in seen */
static void axis_values(Cover *c, const char *mine, int k, int d, char *seen)
{
    const Stmt *s = c->s;
    const Tensor *t = c->read->t;
    if (d == s->nloop) {
        long i = ix_eval(c->read->idx[k], c->T, c->vals, NULL);
        if (i >= 0 && i < t->maxext[k])
            seen[i] = 1;
        return;
    }
    if (!mine[d]) {
        axis_values(c, mine, k, d + 1, seen);
        return;
    }
    long hi = ix_eval(s->loops[d].hi, c->T, c->vals, NULL);
    for (long x = 0; x < hi; x++) {
        c->vals[s->loops[d].var] = x;
        axis_values(c, mine, k, d + 1, seen);
    }
}

/* the values the index of separable axis k takes at c->T fill the axis */
static int fills_axis(Cover *c, Ix **axes, int k, const char *mine)
{
    const Tensor *t = c->read->t;
    long ext = ix_eval(ix_subst_axes(t->ext[k], axes), c->T, c->vals, NULL);
    if (ext > t->maxext[k])
        return 0;
    char *seen = arena_alloc((size_t)t->maxext[k] + 1);
    axis_values(c, mine, k, 0, seen);
    for (long i = 0; i < ext; i++)
        if (!seen[i])
            return 0;
    return 1;
}

static int covered(Graph *g, Cover *c)
{
    const Tensor *t = c->read->t;
    Ix *axes[IR_MAX_RANK];
    for (int k = 0; k < t->rank; k++)
        axes[k] = ix_var(g->nvars + k);
    long size = 1;
    for (int k = 0; k < c->prefix; k++)
        size *= t->maxext[k];
    c->hit = arena_alloc((size_t)size + 1);
    c->budget = COVER_BUDGET;
    char *none = per_var(c->scratch, g, SCRATCH_NONE, 1);
    char can[IR_MAX_RANK], mine[IR_MAX_RANK][IR_MAX_LOOPS];
    for (int k = 0; k < c->prefix; k++)
        can[k] = separable(g, c, axes, k, none, mine[k]);
    for (long T = 1; T <= g->Tmax; T++) {
        memset(c->hit, 0, (size_t)size + 1);
        memset(c->once, 0, sizeof c->once);
        c->T = T;
        for (int k = 0; k < c->prefix; k++) {
            c->sep[k] = can[k] && fills_axis(c, axes, k, mine[k]);
            for (int i = 0; c->sep[k] && i < c->s->nloop; i++)
                c->once[i] |= mine[k][i];
        }
        if (!visit(c, 0) || !all_hit(t, axes, c->prefix, T, c->vals, 0, 0, c))
            return 0;
    }
    return 1;
}

/* The common case without enumerating: every index is a distinct "for all"
 * loop variable whose range is that axis's extent, and every other "for all"
 * loop runs at least once. */
static int plainly_covers(Graph *g, const Stmt *s, const char *forall, const Ex *read)
{
    const Tensor *t = read->t;
    char used[IR_MAX_LOOPS] = {0};
    Ix *axes[IR_MAX_RANK];
    for (int k = 0; k < t->rank; k++) {
        const Ix *x = read->idx[k];
        int j = 0;
        while (j < s->nloop && !(x->kind == IX_VAR && s->loops[j].var == x->var))
            j++;
        if (j == s->nloop || !forall[j] || used[j])
            return 0;
        used[j] = 1;
        axes[k] = ix_var(x->var);
    }
    for (int k = 0; k < t->rank; k++) {
        int j = 0;
        while (s->loops[j].var != read->idx[k]->var)
            j++;
        if (!ix_equal(ix_subst_axes(t->ext[k], axes), s->loops[j].hi))
            return 0;
    }
    for (int j = 0; j < s->nloop; j++)
        if (forall[j] && !used[j] &&
            !ix_nonneg(ix_bin(IX_SUB, s->loops[j].hi, ix_const(1)), s->loops, s->nloop, g->Tmax))
            return 0;
    return 1;
}

/* the level statement s (output at level lo) gives the tensor it reads */
static int read_level(Graph *g, Scratch *sc, const Stmt *s, int lo, const Ex *read)
{
    if (read->kind == EX_PAD)
        return -1;      /* its index leaves the axes: what it covers is not enumerated */
    char *ok = per_var(sc, g, SCRATCH_OK, 1);
    char forall[IR_MAX_LOOPS] = {0};
    int nout = s->nloop - s->nred;
    for (int k = 0; k < lo; k++) {
        if (s->oidx[k]->kind != IX_VAR)
            return -1;
        ok[s->oidx[k]->var] = 1;
    }
    for (int j = 0; j < s->nloop; j++)
        if (j >= nout || lo == s->out->rank)
            ok[s->loops[j].var] = 1;
    for (int j = 0; j < s->nloop; j++) {
        forall[j] = ok[s->loops[j].var];
        if (forall[j] && !only_vars(s->loops[j].hi, ok))
            return -1;
    }
    int prefix = 0;
    while (prefix < read->t->rank && only_vars(read->idx[prefix], ok))
        prefix++;
    if (prefix == read->t->rank && plainly_covers(g, s, forall, read))
        return prefix;
    long *vals = per_var(sc, g, SCRATCH_VALS, sizeof(long));
    for (; prefix >= 0; prefix--) {
        Cover c = {.scratch = sc, .s = s, .read = read, .forall = forall, .prefix = prefix, .vals = vals};
        if (covered(g, &c))
            return prefix;
    }
    return -1;
}

/* Is e a read whose tensor gets a gradient?  A read past the edge is the
 * EX_PAD, which knows where its read is inside. */
static int grad_read(const Ex *e)
{
    const Ex *r = e->kind == EX_PAD ? e->a : e;
    return r->kind == EX_READ && r->t->needs_grad && r->t->grad;
}

enum { MAX_READS = 256 };

/* The fallbacks a read lies in, innermost first: it is read only where the
 * read of each of them is outside. */
typedef struct Under {
    const Ex *pad;
    const struct Under *next;
} Under;

typedef struct Reads {
    const Ex *read[MAX_READS];  /* a read past the edge as its EX_PAD */
    const Under *under[MAX_READS];
    const Sel *sel[MAX_READS];  /* the selects above it */
    int n;
} Reads;

/* the differentiable reads of e, in walk order, with the fallbacks and the
 * selects they are in */
static void diff_reads(ExMemo *m, const Ex *e, Reads *r, const Under *u, const Sel *sel)
{
    if (e->kind == EX_READ || e->kind == EX_PAD) {
        if (grad_read(e) && r->n < MAX_READS) {
            r->read[r->n] = e;
            r->sel[r->n] = sel;
            r->under[r->n++] = u;
        }
        if (e->kind == EX_PAD && ex_needs_grad(m, e->b)) {
            Under *in = arena_alloc(sizeof *in);
            *in = (Under){e, u};
            diff_reads(m, e->b, r, in, sel);
        }
        return;
    }
    if (!passes_grad(e))
        return;
    if (e->kind == EX_SELECT) {
        Sel *x = arena_alloc(sizeof *x), *y = arena_alloc(sizeof *y);
        *x = (Sel){e->a, 0, sel};
        *y = (Sel){e->a, 1, sel};
        if (ex_needs_grad(m, e->b->a))
            diff_reads(m, e->b->a, r, u, x);
        if (ex_needs_grad(m, e->b->b))
            diff_reads(m, e->b->b, r, u, y);
        return;
    }
    if (ex_needs_grad(m, e->a))
        diff_reads(m, e->a, r, u, sel);
    if (e->b && ex_needs_grad(m, e->b))
        diff_reads(m, e->b, r, u, sel);
}

/* fully[t]: the loss reaches every element of t (statements in reverse) */
static char *reach_everywhere(Graph *g, ExMemo *memo)
{
    int *level = arena_alloc((size_t)g->ntensors * sizeof *level);
    for (int i = 0; i < g->ntensors; i++)
        level[i] = -1;
    level[g->loss->id] = g->loss->rank;
    Scratch sc = {0};
    for (int i = g->fwd.n - 1; i >= 0; i--) {
        const Stmt *s = g->fwd.items[i];
        /* a max or min reaches only the term it chooses, which enumeration cannot show */
        if (s->nograd || is_choice(s) || !s->out->grad || level[s->out->id] < 0)
            continue;
        Reads r = {.n = 0};
        diff_reads(memo, s->e, &r, NULL, NULL);
        for (int k = 0; k < r.n; k++) {
            const Tensor *t = r.read[k]->t;
            /* a read in a fallback happens only where another is outside, one in a
             * select's arm only where it is chosen: no proof of coverage */
            if (t->kind == TK_ACT && level[t->id] < t->rank && !r.under[k] && !r.sel[k]) {
                int l = read_level(g, &sc, s, level[s->out->id], r.read[k]);
                if (l > level[t->id])
                    level[t->id] = l;
            }
        }
    }
    scratch_free(&sc);
    char *fully = arena_alloc((size_t)g->ntensors + 1);
    for (int i = 0; i < g->ntensors; i++)
        fully[i] = g->tensors[i]->kind != TK_ACT || level[i] == g->tensors[i]->rank;
    return fully;
}

/* The backward expressions of one forward statement hold at most this many
 * nodes in all (as printed, shared subtrees counted each time).  A long
 * product needs n^2 / 2: each factor's derivative is the product of the
 * others, so a 20,000-factor chain would be gigabytes of C. */
enum { AD_MAX_WORK = 2000000 };

/* e's size as a tree, each node counted once per use (saturates above AD_MAX_WORK) */
static long ex_size(ExMemo *m, const Ex *e)
{
    unsigned long v;
    if (!e)
        return 0;
    if (!e->a)
        return 1;
    if (ex_memo_get(m, e, &v))
        return (long)v;
    long n = 1 + ex_size(m, e->a) + ex_size(m, e->b);
    n = n > AD_MAX_WORK ? AD_MAX_WORK + 1 : n;
    ex_memo_put(m, e, (unsigned long)n);
    return n;
}

/* value, where the loss reaches the element the statement computes: under
 * the selects that chose the path to it and, for a max or min, only in its
 * chosen term */
static Ex *reached(const Emit *em, Ex *value)
{
    value = under_sels(em->sel, value);
    if (em->at)
        value = ex_pick(em->at, em->chosen, value);
    return em->guard ? ex_bin(EX_IFPOS, em->guard, value) : value;
}

static void accumulate(Emit *em, const Ex *read, Ex *value)
{
    const Stmt *s = em->s;
    Stmt *b = ir_new_stmt(s->loc);
    b->site = s->site;
    b->nloop = s->nloop;
    memcpy(b->loops, s->loops, sizeof s->loops);
    b->nred = 0;
    b->red = RED_NONE_;
    b->accumulate = 1;
    b->rec = s->rec;     /* runs in the recurrence's backward loop, at the same step */
    b->out = read->t->grad;
    b->guard = read->kind == EX_PAD ? read->pad : 0;
    for (int i = 0; i < read->t->rank; i++)
        b->oidx[i] = read->idx[i];
    b->e = reached(em, value);
    b->what = arena_printf("d%s += d%s * d%s/d%s", read->t->name, s->out->name, s->out->name, read->t->name);
    em->work += ex_size(em->sizes, b->e);
    ir_push(&em->g->bwd, b);
}

/* reach_x[idx] += reach_out[I] (or 1 where the loss reaches all of out),
 * only where the read happens: inside its axes (the statement's guard) and,
 * in a fallback, where that fallback is taken (a select: 0 elsewhere) */
static void count_reach(Emit *em)
{
    Reads r = {.n = 0};
    diff_reads(em->memo, em->s->e, &r, NULL, NULL);
    const Ex **reads = r.read;
    for (int k = 0; k < r.n; k++) {
        Tensor *m = em->mask[reads[k]->t->id];
        if (!m)
            continue;
        Stmt *b = ir_new_stmt(em->s->loc);
        b->site = em->s->site;
        b->nloop = em->s->nloop;
        memcpy(b->loops, em->s->loops, sizeof b->loops);
        b->accumulate = 1;
        b->rec = em->s->rec;
        b->out = m;
        b->guard = reads[k]->kind == EX_PAD ? reads[k]->pad : 0;
        for (int i = 0; i < m->rank; i++)
            b->oidx[i] = reads[k]->idx[i];
        b->e = em->at ? reached(em, ex_const(1)) : em->guard ? em->guard : ex_const(1);
        b->e = under_sels(r.sel[k], b->e);
        for (const Under *u = r.under[k]; u; u = u->next)
            b->e = ex_pad(u->pad->t, (Ix **)u->pad->idx, u->pad->pad, ex_const(0), b->e);
        b->what = arena_printf("reach %s", reads[k]->t->name);
        ir_push(&em->g->bwd, b);
    }
}

/* Walk down from the root carrying the gradient that reaches each node. */
static void walk(Emit *em, const Ex *e, Ex *grad)
{
    if (em->work > AD_MAX_WORK)
        return;         /* reported by ad_differentiate */
    if (e->kind == EX_READ) {
        if (e->t->needs_grad && e->t->grad)
            accumulate(em, e, grad);
        return;
    }
    if (e->kind == EX_PAD) {
        /* the read gets the gradient where it is inside (its statement is
         * guarded), the fallback where it is not: selected, never scaled by 0 */
        if (grad_read(e))
            accumulate(em, e, grad);
        if (ex_needs_grad(em->memo, e->b))
            walk(em, e->b, ex_pad(e->t, (Ix **)e->idx, e->pad, ex_const(0), grad));
        return;
    }
    if (!passes_grad(e))
        return;
    if (e->kind == EX_SELECT) {
        /* each arm gets the gradient where it is chosen (accumulate selects) */
        const Sel *up = em->sel;
        Sel x = {e->a, 0, up}, y = {e->a, 1, up};
        em->sel = &x;
        if (ex_needs_grad(em->memo, e->b->a))
            walk(em, e->b->a, grad);
        em->sel = &y;
        if (ex_needs_grad(em->memo, e->b->b))
            walk(em, e->b->b, grad);
        em->sel = up;
        return;
    }
    if (ex_needs_grad(em->memo, e->a))
        walk(em, e->a, chain(local_grad(e, 0), grad));
    if (e->b && ex_needs_grad(em->memo, e->b))
        walk(em, e->b, chain(local_grad(e, 1), grad));
}

/* The position of a term of s among its reduction loops, row-major with
 * each loop at its largest bound; NULL (after an error) when positions would
 * not all be exact in a double. */
static Ix *term_position(Graph *g, const Stmt *s)
{
    Ix *pos = ix_const(0);
    long count = 1;
    for (int i = s->nloop - s->nred; i < s->nloop; i++) {
        long lo = 0, hi = 1;
        if (ix_interval(s->loops[i].hi, s->loops, s->nloop, 1, g->Tmax, g->vocab, &lo, &hi) < 0)
            MGC_INTERNAL("a reduction loop without a bounded range");
        hi = hi < 1 ? 1 : hi;
        /* (the 10^12 iterations cap keeps this far below 2^53; checked all the same) */
        if (__builtin_mul_overflow(count, hi, &count) || count > (1L << 53)) {
            diag_error(s->site, "this max or min has too many terms to find the one it chose (more than 2^53)");
            return NULL;
        }
        pos = ix_bin(IX_ADD, ix_bin(IX_MUL, pos, ix_const(hi)), ix_var(s->loops[i].var));
    }
    return pos;
}

/* A max or min passes its gradient to the term it chose: the first equal to
 * its result (forward: the first strictly above every earlier term).  A
 * backward statement finds that term's position again, over the same loops
 * and by the same comparisons, and each accumulation is picked by it. */
static int choose(Emit *em, Ix **oidx)
{
    const Stmt *s = em->s;
    Tensor *o = s->out;
    Ix *at = term_position(em->g, s);
    if (!at)
        return 0;
    Tensor *t = ir_new_tensor(em->g, TK_GRAD, arena_printf("arg_%s", o->name), o->rank, o->ext, o->loc);
    t->primal = o;
    Stmt *b = ir_new_stmt(s->loc);
    b->site = s->site;
    b->nloop = s->nloop;
    memcpy(b->loops, s->loops, sizeof s->loops);
    b->nred = s->nred;
    b->red = s->red == RED_MAX_ ? RED_ARGMAX_ : RED_ARGMIN_;
    b->out = t;
    for (int k = 0; k < o->rank; k++)
        b->oidx[k] = oidx[k];
    b->e = s->e;
    b->arg = at;
    b->what = arena_printf("the term %s chose", o->name);
    ir_push(&em->g->bwd, b);
    em->at = at;
    em->chosen = ex_read(t, t->rank, oidx);
    return 1;
}

/* Mark what e reads through a path that carries a gradient (not through a
 * nograd, a comparison or a select's condition); seen keeps a shared
 * subexpression to one visit. */
static void mark_grad_reads(ExMemo *m, ExMemo *seen, const Ex *e, char *reach, int *changed)
{
    unsigned long v;
    if (!ex_needs_grad(m, e) || ex_memo_get(seen, e, &v))
        return;
    ex_memo_put(seen, e, 1);
    if (e->kind == EX_READ) {
        *changed |= !reach[e->t->id];
        reach[e->t->id] = 1;
        return;
    }
    mark_grad_reads(m, seen, e->a, reach, changed);
    if (e->b)
        mark_grad_reads(m, seen, e->b, reach, changed);
}

/* The tensors the loss reaches through gradient-carrying paths: only these
 * get a gradient buffer.  A tensor read only under nograd gets none (it
 * would be read by its backward statements but never written).  Repeated
 * until nothing changes, since a recur block's statements read later ones. */
static char *grad_reach(Graph *g, ExMemo *m)
{
    char *reach = arena_alloc((size_t)g->ntensors + 1);
    reach[g->loss->id] = 1;
    int changed = 1;
    while (changed) {
        changed = 0;
        for (int i = g->fwd.n - 1; i >= 0; i--) {
            const Stmt *s = g->fwd.items[i];
            if (!s->nograd && reach[s->out->id])
                mark_grad_reads(m, ex_memo_new(), s->e, reach, &changed);
        }
    }
    return reach;
}

void ad_differentiate(Graph *g)
{
    mark_needs_grad(g);
    if (!g->loss->needs_grad)
        return;      /* nothing to differentiate: every gradient is zero */
    ExMemo *memo = ex_memo_new(), *sizes = ex_memo_new();     /* every needs_grad is final */
    char *reach = grad_reach(g, memo);
    int n = g->ntensors;
    for (int i = 0; i < n; i++) {
        Tensor *t = g->tensors[i];
        if (!t->needs_grad || !reach[t->id] || t->kind == TK_GRAD)
            continue;
        Tensor *d = ir_new_tensor(g, TK_GRAD, t->name, t->rank, t->ext, t->loc);
        d->primal = t;
        t->grad = d;
    }
    /* d loss = 1 */
    Stmt *seed = ir_new_stmt(g->loss->loc);
    seed->out = g->loss->grad;
    seed->e = ex_const(1);
    seed->what = "dloss = 1";
    ir_push(&g->bwd, seed);
    char *fully = reach_everywhere(g, memo);
    Tensor **mask = arena_alloc((size_t)g->ntensors * sizeof *mask);
    for (int i = 0; i < n; i++) {
        Tensor *t = g->tensors[i];
        if (t->grad && t->kind == TK_ACT && !fully[t->id]) {
            mask[t->id] = ir_new_tensor(g, TK_GRAD, arena_printf("reach_%s", t->name), t->rank, t->ext, t->loc);
            mask[t->id]->primal = t;
        }
    }
    for (int i = g->fwd.n - 1; i >= 0; i--) {
        const Stmt *s = g->fwd.items[i];
        if (s->nograd || !s->out->grad)
            continue;
        Ix *oidx[IR_MAX_RANK];
        for (int k = 0; k < s->out->rank; k++)
            oidx[k] = s->oidx[k];
        Tensor *m = mask[s->out->id];
        Emit em = {g, NULL, s, m ? ex_read(m, m->rank, oidx) : NULL, mask, fully, memo, sizes, 0, NULL, NULL};
        if (is_choice(s) && !choose(&em, oidx))
            return;
        Ex *dout = ex_read(s->out->grad, s->out->rank, oidx);
        walk(&em, s->e, dout);
        if (em.work > AD_MAX_WORK) {
            diag_error(s->site, "the derivative of this statement is too large: its backward statements would "
                       "hold more than %d operations (a long product: each factor's derivative is the product "
                       "of all the others); compute it in steps", AD_MAX_WORK);
            return;
        }
        count_reach(&em);
    }
}
