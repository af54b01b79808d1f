/* opt_cse.c: common-subexpression elimination across statements.  Takes the
 * Graph after autodiff (and LICM); hands on statements in which a
 * subexpression that an earlier elementwise statement already computed, over
 * the same range, is replaced by a read of that statement's tensor: the
 * backward pass of softmax reads e instead of calling exp again, and two
 * hoisted pow(s, -1) become one.  A statement left copying another tensor
 * whole is removed and its readers read the original.  Exact: a reused value
 * is the same expression on operands nobody has changed since (a definition
 * may read only parameters, tokens and activations, which are written once). */
#include <string.h>

#include "arena.h"
#include "opt.h"

typedef struct Cse {
    Graph *g;
    int *writers;       /* per tensor id */
    Ix **map;           /* per var id: what a definition's variable matches */
    int replaced, copies;
} Cse;

static int is_plain_def(const Cse *C, const Stmt *s)
{
    if (s->red != RED_NONE_ || s->accumulate || s->guard || s->out->kind != TK_ACT || C->writers[s->out->id] != 1)
        return 0;
    if (s->nloop != s->out->rank)
        return 0;
    for (int k = 0; k < s->nloop; k++)
        if (s->oidx[k]->kind != IX_VAR || s->oidx[k]->var != s->loops[k].var)
            return 0;
    return 1;
}

static int reads_only_fixed(const Cse *C, const Ex *e)
{
    if (!e)
        return 1;
    if (e->kind == EX_READ && (e->t->kind == TK_GRAD || (e->t->kind == TK_ACT && C->writers[e->t->id] != 1)))
        return 0;
    return reads_only_fixed(C, e->a) && reads_only_fixed(C, e->b);
}

/* x with every variable of the definition replaced at once by C->map */
static Ix *ssubst(const Cse *C, Ix *x)
{
    switch (x->kind) {
    case IX_CONST:
    case IX_T:
    case IX_AXIS: return x;
    case IX_VAR: return C->map[x->var] ? C->map[x->var] : x;
    case IX_READ: return ix_read(x->t, ssubst(C, x->idx[0]));
    case IX_PAD: {
        Ix *idx[IR_MAX_RANK];
        for (int k = 0; k < x->var; k++)
            idx[k] = ssubst(C, x->idx[k]);
        return ix_pad(idx, x->var, x->ext, (unsigned)x->val, ssubst(C, x->a), ssubst(C, x->b));
    }
    default: return ix_bin(x->kind, ssubst(C, x->a), ssubst(C, x->b));
    }
}

/* phase 1: bind the definition's variables from plain-variable indices */
static int bind(Cse *C, const Stmt *d, const Ex *p, const Ex *e)
{
    if (!p || !e)
        return p == e;
    if (p->kind != e->kind)
        return 0;
    if (p->kind == EX_READ) {
        if (p->t != e->t)
            return 0;
        for (int k = 0; k < p->t->rank; k++) {
            const Ix *pi = p->idx[k];
            if (pi->kind != IX_VAR)
                continue;
            int own = 0;
            for (int j = 0; j < d->nloop; j++)
                own |= d->loops[j].var == pi->var;
            if (!own)
                continue;
            if (e->idx[k]->kind != IX_VAR)
                return 0;
            if (!C->map[pi->var])
                C->map[pi->var] = e->idx[k];
            else if (!ix_equal(C->map[pi->var], e->idx[k]))
                return 0;
        }
        return 1;
    }
    return bind(C, d, p->a, e->a) && bind(C, d, p->b, e->b);
}

static Ix *ssubst_map(void *C, Ix *x) { return ssubst(C, x); }

/* phase 2: equal under the binding */
static int same(const Cse *C, const Ex *p, const Ex *e) { return opt_ex_equal_map(p, e, ssubst_map, (void *)C); }

static const Loop *loop_of(const Stmt *s, int var)
{
    for (int j = 0; j < s->nloop; j++)
        if (s->loops[j].var == var)
            return &s->loops[j];
    return NULL;
}

/* Does e in statement s compute what definition d does?  Fills idx. */
static int matches(Cse *C, const Stmt *d, const Stmt *s, const Ex *e, Ix **idx)
{
    for (int j = 0; j < d->nloop; j++)
        C->map[d->loops[j].var] = NULL;
    if (!bind(C, d, d->e, e))
        return 0;
    for (int j = 0; j < d->nloop; j++) {
        Ix *m = C->map[d->loops[j].var];
        const Loop *l = m ? loop_of(s, m->var) : NULL;
        /* the same range: every point s reads, d wrote */
        if (!l || !ix_equal(ssubst(C, d->loops[j].hi), l->hi))
            return 0;
        idx[j] = m;
    }
    return same(C, d->e, e);
}

/* The definitions so far, found by a hash of what bind() and same() compare
 * exactly (kinds, tensors read, constants; not indices): only a definition of
 * the same hash can match, and each bucket keeps the order of definition, so
 * the first match is the one a scan of every definition would find. */
typedef struct Def {
    Stmt *s;
    unsigned long hash;
    struct Def *next;
} Def;

typedef struct Ctx {
    Cse *C;
    Def **bucket;       /* nbucket lists, each in order of definition */
    Def **tail;
    unsigned long nbucket;
    ExMemo *memo;       /* shape_hash per node */
} Ctx;

/* the hash of e's shape, each node hashed once (X->memo): replace() asks
 * it of every node of a long chain */
static unsigned long shape_hash(Ctx *X, const Ex *e)
{
    if (!e)
        return 1;
    unsigned long h = (unsigned long)e->kind * 1000003u, bits = 0;
    if (e->kind == EX_READ)
        return h ^ ((unsigned long)e->t->id + 1) * 2654435761u;
    if (ex_memo_get(X->memo, e, &bits))
        return bits;
    if (e->kind == EX_CONST || e->kind == EX_POW) {
        unsigned char b[sizeof e->c];
        memcpy(b, &e->c, sizeof b);
        for (size_t i = 0; i < sizeof b; i++)
            bits = bits * 131 + b[i];
    }
    h ^= bits;
    h = h * 31 + shape_hash(X, e->a);
    h = h * 37 + shape_hash(X, e->b);
    ex_memo_put(X->memo, e, h);
    return h;
}

static void add_def(Ctx *X, Stmt *s)
{
    Def *d = arena_alloc(sizeof *d);
    d->s = s;
    d->hash = shape_hash(X, s->e);
    unsigned long k = d->hash & (X->nbucket - 1);
    if (X->tail[k])
        X->tail[k]->next = d;
    else
        X->bucket[k] = d;
    X->tail[k] = d;
}

static Ex *replace(Ctx *X, Stmt *s, Ex *e)
{
    if (!e || e->kind == EX_READ || e->kind == EX_CONST || e->kind == EX_INT)
        return e;
    unsigned long h = shape_hash(X, e);
    for (Def *def = X->bucket[h & (X->nbucket - 1)]; def; def = def->next) {
        Stmt *d = def->s;
        Ix *idx[IR_MAX_RANK];
        if (def->hash == h && d != s && d->e->kind == e->kind && matches(X->C, d, s, e, idx)) {
            X->C->replaced++;
            return ex_read(d->out, d->out->rank, idx);
        }
    }
    Ex *a = replace(X, s, e->a), *b = replace(X, s, e->b);
    if (a == e->a && b == e->b)
        return e;
    Ex *c = arena_alloc(sizeof *c);
    *c = *e;
    c->a = a, c->b = b;
    return c;
}

static void cse_list(Ctx *X, StmtList *l)
{
    for (int i = 0; i < l->n; i++) {
        Stmt *s = l->items[i];
        s->e = replace(X, s, s->e);
        Ex *e = s->e;
        /* a recurrence's value at one step is not there at the steps after it */
        if (!s->rec && is_plain_def(X->C, s) && e->kind != EX_READ && e->kind != EX_CONST && e->kind != EX_INT &&
            reads_only_fixed(X->C, e))
            add_def(X, s);
    }
}

/* ---- copies: out2[i..] = t[i..] over t's whole range ---- */

/* t, or the tensor its readers now read (to[]: per tensor id, NULL if none) */
static Tensor *resolve(Tensor *const *to, Tensor *t)
{
    while (to[t->id])
        t = to[t->id];
    return t;
}

/* the tensor s copies whole (its read redirected by to[]), or NULL */
static Tensor *copy_source(const Cse *C, const Graph *g, const Stmt *s, Tensor *const *to)
{
    const Ex *e = s->e;
    if (!is_plain_def(C, s) || e->kind != EX_READ || s->out == g->loss || s->out == g->logits)
        return NULL;
    Tensor *t = resolve(to, e->t);
    const Tensor *o = s->out;
    if (t->kind != TK_ACT || C->writers[t->id] != 1 || t->rank != o->rank)
        return NULL;
    for (int k = 0; k < t->rank; k++)
        if (e->idx[k]->kind != IX_VAR || e->idx[k]->var != s->loops[k].var || !ix_equal(t->ext[k], o->ext[k]))
            return NULL;
    return t;
}

static Ex *redirect(Ex *e, Stmt *s, void *arg)
{
    (void)s;
    Tensor *const *to = arg;
    if (e->kind == EX_READ && to[e->t->id])
        return ex_read(resolve(to, e->t), e->t->rank, e->idx);
    if (e->kind == EX_PAD && to[e->t->id])      /* the copy has the source's extents */
        return ex_pad(resolve(to, e->t), e->idx, e->pad, e->a, e->b);
    return e;
}

/* Copies in order, each redirecting every reader of its output to its
 * source (to[]), then every statement's reads rewritten in one pass. */
static void drop_copies(Cse *C, Graph *g)
{
    Tensor **to = arena_alloc((size_t)(g->ntensors + 1) * sizeof *to);
    StmtList *lists[2] = {&g->fwd, &g->bwd};
    for (int li = 0; li < 2; li++) {
        StmtList *l = lists[li];
        char *del = arena_alloc((size_t)l->n + 1);
        for (int i = 0; i < l->n; i++) {
            Tensor *src = copy_source(C, g, l->items[i], to);
            if (!src)
                continue;
            to[l->items[i]->out->id] = src;
            del[i] = 1;
            C->copies++;
        }
        opt_compact(l, del);
    }
    if (C->copies)
        for (int li = 0; li < 2; li++)
            for (int j = 0; j < lists[li]->n; j++) {
                Stmt *s = lists[li]->items[j];
                s->e = opt_rewrite(s->e, s, redirect, to);
            }
}

void opt_cse(Graph *g)
{
    Cse C = {g, arena_alloc((size_t)(g->ntensors + 1) * sizeof(int)), arena_alloc((size_t)(g->nvars + 1) * sizeof(Ix *)),
             0, 0};
    opt_count_writers(g, C.writers);
    unsigned long nb = 64;
    while (nb < 2ul * (unsigned long)(g->fwd.n + g->bwd.n))
        nb *= 2;
    Ctx X = {&C, arena_alloc(nb * sizeof(Def *)), arena_alloc(nb * sizeof(Def *)), nb, ex_memo_new()};
    cse_list(&X, &g->fwd);
    cse_list(&X, &g->bwd);
    drop_copies(&C, g);
}
