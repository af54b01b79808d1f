/* opt_fuse.c: loop fusion and scalar replacement.  Takes the optimised Graph;
 * marks runs of adjacent statements that loop over the same output ranges
 * (stmt->fused: share the loops of the statement before), so an elementwise
 * chain such as rmsnorm's sum, mean and scale, or the two accumulations a
 * linear layer's backward makes, runs as one loop nest.  A tensor written and
 * read only inside one fused nest, always at the element being produced,
 * becomes a C local (tensor->local) and takes no memory.  Exact: fused
 * statements still run in order for each element, and two statements that
 * touch the same tensor must touch the same element in the same iteration,
 * so no value is read or added in a different order. */
#include <string.h>

#include "arena.h"
#include "opt.h"

/* the schedule computes these sums four at a time; they keep their own loop */
int opt_blockable(const Stmt *s, long *extent)
{
    int nout = s->nloop - s->nred;
    if (s->red != RED_SUM_ || nout < 1 || !ix_is_const(s->loops[nout - 1].hi, extent) || *extent < 4)
        return 0;
    int u = s->loops[nout - 1].var, direct = 0;
    for (int i = nout; i < s->nloop; i++)
        if (ix_mentions_var(s->loops[i].hi, u))
            return 0;
    for (int k = 0; k < s->out->rank; k++)
        direct |= opt_plus_var(s->oidx[k], u);
    return direct;
}

typedef struct Access {
    const Tensor *t;
    Ix *const *idx;
    int write;
} Access;

static void collect(const Ex *e, Access *acc, int *n, int cap)
{
    if (!e)
        return;
    if (e->kind == EX_READ && *n < cap)
        acc[(*n)++] = (Access){e->t, e->idx, 0};
    collect(e->a, acc, n, cap);
    collect(e->b, acc, n, cap);
}

static int same_index(const Tensor *t, Ix *const *a, Ix *const *b)
{
    for (int k = 0; k < t->rank; k++)
        if (!ix_equal(a[k], b[k]))
            return 0;
    return 1;
}

/* reads of b's reduction variables never count as the produced element */
static int mentions_red(const Stmt *s, Ix *const *idx, int rank)
{
    for (int k = 0; k < rank; k++)
        for (int j = s->nloop - s->nred; j < s->nloop; j++)
            if (ix_mentions_var(idx[k], s->loops[j].var))
                return 1;
    return 0;
}

/* each output loop variable of s appears as a whole index: one element per iteration */
static int injective(const Stmt *s, Ix *const *idx, int rank)
{
    for (int j = 0; j < s->nloop - s->nred; j++) {
        int found = 0;
        for (int k = 0; k < rank; k++)
            found |= idx[k]->kind == IX_VAR && idx[k]->var == s->loops[j].var;
        if (!found)
            return 0;
    }
    return 1;
}

enum { MAXACC = 64 };

/* b renamed so that its output loops are a's; NULL if the ranges differ */
static Stmt *align(const Stmt *a, const Stmt *b)
{
    int n = a->nloop - a->nred;
    if (b->nloop - b->nred != n || n == 0)
        return NULL;
    Stmt *c = arena_alloc(sizeof *c);
    *c = *b;
    for (int j = 0; j < n; j++) {
        int from = b->loops[j].var, to = a->loops[j].var;
        if (from == to)
            continue;
        for (int k = j; k < c->nloop; k++)
            c->loops[k].hi = ix_subst_var(c->loops[k].hi, from, ix_var(to));
        c->loops[j].var = to;
        for (int k = 0; k < c->out->rank; k++)
            c->oidx[k] = ix_subst_var(c->oidx[k], from, ix_var(to));
        c->e = opt_subst(c->e, from, ix_var(to));
        if (c->arg)
            c->arg = ix_subst_var(c->arg, from, ix_var(to));
    }
    /* the reduction variables must not collide with a's output variables */
    for (int j = n; j < c->nloop; j++)
        for (int i = 0; i < n; i++)
            if (c->loops[j].var == a->loops[i].var)
                return NULL;
    for (int j = 0; j < n; j++)
        if (!ix_equal(c->loops[j].hi, a->loops[j].hi))
            return NULL;
    return c;
}

/* A statement c may join the run when every tensor that c and a statement of
 * the run both touch, one of them writing, is touched at one element by both:
 * the same index (ix_equal, an equivalence), not mentioning either
 * statement's reduction variables, and, on the run's side, naming every
 * output loop variable as a whole index (one element per iteration).  So the
 * run keeps, per tensor, the index of its first touch and of its first
 * write, and whether every touch (every write) since was a good one at that
 * same index: c is then checked against each tensor once, not against every
 * statement of the run. */
typedef struct Class {
    Ix *const *any, *const *wr; /* index of the first touch, of the first write (NULL: none yet) */
    int any_ok, wr_ok;          /* every touch (write) so far: good, at that index */
} Class;

typedef struct Run {
    Class *cls;         /* per tensor id: valid when stamp[id] == id_ */
    int *stamp, id_;
    int big;            /* a statement of the run has MAXACC accesses or more */
} Run;

static void accesses(const Stmt *s, Access *x, int *n)
{
    *n = 0;
    collect(s->e, x, n, MAXACC);
    x[(*n)++] = (Access){s->out, s->oidx, 1};
}

static void run_start(Run *r)
{
    r->id_++;
    r->big = 0;
}

/* fold access x of run statement s into its tensor's class */
static void class_add(Class *c, const Stmt *s, const Access *x)
{
    int rank = x->t->rank, good = !mentions_red(s, x->idx, rank) && injective(s, x->idx, rank);
    if (!c->any)
        c->any = x->idx, c->any_ok = 1;
    c->any_ok &= good && same_index(x->t, c->any, x->idx);
    if (!x->write)
        return;
    if (!c->wr)
        c->wr = x->idx, c->wr_ok = 1;
    c->wr_ok &= good && same_index(x->t, c->wr, x->idx);
}

static void run_add(Run *r, const Stmt *s)
{
    Access x[MAXACC + 1];
    int n;
    accesses(s, x, &n);
    r->big |= n > MAXACC;
    for (int j = 0; j < n; j++) {
        int id = x[j].t->id;
        if (r->stamp[id] != r->id_)
            r->stamp[id] = r->id_, r->cls[id] = (Class){0};
        class_add(&r->cls[id], s, &x[j]);
    }
}

/* is every statement of the run independent of c? */
static int run_independent(const Run *r, const Stmt *c)
{
    Access x[MAXACC + 1];
    int n;
    accesses(c, x, &n);
    if (r->big || n > MAXACC)
        return 0;
    for (int j = 0; j < n; j++) {
        int id = x[j].t->id;
        if (r->stamp[id] != r->id_)
            continue;
        const Class *k = &r->cls[id];
        Ix *const *rep = x[j].write ? k->any : k->wr;   /* what c's access conflicts with */
        int ok = x[j].write ? k->any_ok : k->wr_ok;
        if (rep && (!ok || !same_index(x[j].t, rep, x[j].idx) || mentions_red(c, x[j].idx, x[j].t->rank)))
            return 0;
    }
    return 1;
}

static void fuse_list(const Graph *g, StmtList *l, const char *group_of)
{
    long ext;
    Run r = {arena_alloc((size_t)(g->ntensors + 1) * sizeof *r.cls),
             arena_alloc((size_t)(g->ntensors + 1) * sizeof *r.stamp), 0, 0};
    if (l->n > 0) {
        run_start(&r);
        run_add(&r, l->items[0]);
    }
    for (int i = 1; i < l->n; i++) {
        Stmt *a = l->items[i - 1], *b = l->items[i];
        b->fused = 0;
        /* a guarded statement (a gradient read past the edge) keeps its own loops; a
         * recurrence's statements run one step at a time, each in its own nest */
        Stmt *c = (group_of && group_of[i] != group_of[i - 1]) || opt_blockable(a, &ext) ||
                  opt_blockable(b, &ext) || a->guard || b->guard || a->rec || b->rec ? NULL : align(a, b);
        /* the whole run so far must be independent of b */
        if (c && run_independent(&r, c)) {
            *b = *c;
            b->fused = 1;
        } else {
            run_start(&r);
        }
        run_add(&r, b);
    }
}

/* ---- scalar replacement ---- */

/* count statement `at` once as a reader of each tensor e reads */
static void count_reads(const Ex *e, int at, int *readers, int *last)
{
    if (!e)
        return;
    if (e->kind == EX_READ && last[e->t->id] != at) {
        last[e->t->id] = at;
        readers[e->t->id]++;
    }
    count_reads(e->a, at, readers, last);
    count_reads(e->b, at, readers, last);
}

static int reads_at(const Ex *e, const Tensor *t, Ix *const *idx)
{
    if (!e)
        return 1;
    if (e->kind == EX_READ && e->t == t && !same_index(t, e->idx, idx))
        return 0;
    return reads_at(e->a, t, idx) && reads_at(e->b, t, idx);
}

/* readers[t->id]: how many statements (fwd and bwd) read t */
static int *count_readers(const Graph *g)
{
    int *readers = arena_alloc((size_t)(g->ntensors + 1) * sizeof *readers);
    int *last = arena_alloc((size_t)(g->ntensors + 1) * sizeof *last);   /* 1 + the last statement counted */
    const StmtList *lists[2] = {&g->fwd, &g->bwd};
    int at = 0;
    for (int li = 0; li < 2; li++)
        for (int k = 0; k < lists[li]->n; k++)
            count_reads(lists[li]->items[k]->e, ++at, readers, last);
    return readers;
}

/* The statements of l that read each tensor, in order: those of tensor id
 * are at[first[id]] .. at[first[id + 1] - 1]. */
typedef struct ReaderList {
    int *first, *at;
} ReaderList;

/* file statement k once under each tensor e reads */
static void file_reads(const Ex *e, int k, ReaderList *r, int *filed, int *last)
{
    if (!e)
        return;
    if (e->kind == EX_READ && last[e->t->id] != k + 1) {
        last[e->t->id] = k + 1;
        r->at[r->first[e->t->id] + filed[e->t->id]++] = k;
    }
    file_reads(e->a, k, r, filed, last);
    file_reads(e->b, k, r, filed, last);
}

static ReaderList list_readers(const Graph *g, const StmtList *l)
{
    size_t nt = (size_t)g->ntensors + 1;
    int *count = arena_alloc(nt * sizeof *count), *last = arena_alloc(nt * sizeof *last);
    ReaderList r = {arena_alloc((nt + 1) * sizeof *r.first), NULL};
    for (int k = 0; k < l->n; k++)
        count_reads(l->items[k]->e, k + 1, count, last);
    for (size_t id = 0; id < nt; id++)
        r.first[id + 1] = r.first[id] + count[id];
    r.at = arena_alloc(((size_t)r.first[nt] + 1) * sizeof *r.at);
    memset(last, 0, nt * sizeof *last);
    memset(count, 0, nt * sizeof *count);
    for (int k = 0; k < l->n; k++)
        file_reads(l->items[k]->e, k, &r, count, last);   /* count: readers filed so far */
    return r;
}

/* A tensor written once by w, read only inside w's fused run, is local:
 * every statement that reads it comes after w in the run and reads it at
 * the element w writes. */
static void localise(Graph *g, StmtList *l, const int *writers, const int *readers)
{
    ReaderList r = list_readers(g, l);
    int *start = arena_alloc(((size_t)l->n + 1) * sizeof *start), *end = arena_alloc(((size_t)l->n + 1) * sizeof *end);
    for (int i = 0; i < l->n; i++)
        start[i] = i > 0 && l->items[i]->fused ? start[i - 1] : i;
    for (int i = l->n - 1; i >= 0; i--)
        end[i] = i + 1 < l->n && l->items[i + 1]->fused ? end[i + 1] : i + 1;
    for (int i = 0; i < l->n; i++) {
        Stmt *w = l->items[i];
        Tensor *t = w->out;
        if (t->kind != TK_ACT || t == g->loss || t == g->logits || w->accumulate || writers[t->id] != 1)
            continue;
        int ok = end[i] > i + 1, inside = 0;
        for (int j = r.first[t->id]; ok && j < r.first[t->id + 1]; j++) {
            int k = r.at[j];
            if (k < start[i] || k >= end[i])
                continue;
            ok = k > i && reads_at(l->items[k]->e, t, w->oidx);
            inside++;
        }
        t->local = ok && inside == readers[t->id];     /* no statement outside the run reads it */
    }
}

void opt_fuse(Graph *g)
{
    char *need = arena_alloc((size_t)g->fwd.n + 1), *tn = arena_alloc((size_t)g->ntensors + 1);
    ir_depends(g, g->logits, tn, need);
    fuse_list(g, &g->fwd, need);
    fuse_list(g, &g->bwd, NULL);
    int *writers = arena_alloc((size_t)(g->ntensors + 1) * sizeof *writers), *readers = count_readers(g);
    opt_count_writers(g, writers);
    localise(g, &g->fwd, writers, readers);
    localise(g, &g->bwd, writers, readers);
}
