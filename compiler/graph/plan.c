/* plan.c: the memory plan.  Takes the optimised Graph; gives every activation
 * and every activation gradient an offset in the caller's scratch array and
 * decides how each gradient starts from zero.  With reuse on, two buffers
 * share memory when their live ranges (first write to last read, over the
 * forward statements followed by the backward ones) do not overlap; buffers
 * are placed first-fit in order of first write, 8-double aligned.  A
 * gradient's first writer either writes every element exactly once (it then
 * assigns instead of adding) or is preceded by a clear of that gradient, so
 * nothing depends on what a reused buffer held before (a recurrence's
 * statements are always cleared first: they write a step at a time).  Parameter gradients
 * no statement writes are cleared at the start (emit_c).  The forward
 * statements the logits need come first. */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "opt.h"

typedef struct Life {
    Tensor *t;
    int first, last;    /* statement positions; -1 before any */
} Life;

static int in_scratch(const Tensor *t)
{
    return t->kind == TK_ACT || (t->kind == TK_GRAD && t->primal->kind == TK_ACT);
}

static void touch(Life *L, const Tensor *t, int pos)
{
    Life *l = &L[t->id];
    if (l->first < 0)
        l->first = pos;
    if (pos > l->last)
        l->last = pos;
}

static void touch_ex(Life *L, const Ex *e, int pos)
{
    if (!e)
        return;
    if (e->kind == EX_READ)
        touch(L, e->t, pos);
    touch_ex(L, e->a, pos);
    touch_ex(L, e->b, pos);
}

/* Does s write every element of its output exactly once? */
static int covers(const Stmt *s)
{
    const Tensor *t = s->out;
    if (s->nloop - s->nred != t->rank || s->guard)
        return 0;
    Ix *axes[IR_MAX_RANK];
    for (int k = 0; k < t->rank; k++) {
        if (s->oidx[k]->kind != IX_VAR || s->oidx[k]->var != s->loops[k].var)
            return 0;
        axes[k] = ix_var(s->loops[k].var);
    }
    for (int k = 0; k < t->rank; k++)
        if (!ix_equal(ix_subst_axes(t->ext[k], axes), s->loops[k].hi))
            return 0;
    return 1;
}

static void plan_zeroing(Graph *g)
{
    char *seen = arena_alloc((size_t)g->ntensors + 1);
    for (int i = 0; i < g->bwd.n; i++) {
        Stmt *s = g->bwd.items[i];
        s->zero_first = s->assign_first = 0;
        if (s->out->kind != TK_GRAD || seen[s->out->id])
            continue;
        seen[s->out->id] = 1;
        /* a recurrence's statement writes one step at a time: only a clear
         * (which the emitter puts before the steps) starts it right */
        if ((!s->accumulate || covers(s)) && !s->rec)
            s->assign_first = 1;
        else
            s->zero_first = 1;
    }
}

/* The lowest multiple of 8 where me fits beside every placed buffer whose
 * life overlaps its own (every placed buffer without reuse).  placed[0..np-1]
 * is sorted by offset, so one sweep finds it: a conflict moves the candidate
 * past that buffer's end, and the first buffer starting past the candidate's
 * end ends the search. */
static long place(Life *const *placed, int np, const Life *me, int reuse)
{
    long off = 0, size = me->t->size;
    for (int j = 0; j < np; j++) {
        const Life *o = placed[j];
        long lo = o->t->offset, hi = lo + o->t->size;
        if (lo >= off + size)
            break;
        if (reuse && (o->last < me->first || me->last < o->first))
            continue;
        if (off < hi)
            off = (hi + 7) / 8 * 8;
    }
    return off;
}

/* insert l into placed[0..np-1], kept sorted by offset */
static void insert_placed(Life **placed, int np, Life *l)
{
    int a = 0, b = np;
    while (a < b) {
        int m = (a + b) / 2;
        if (placed[m]->t->offset <= l->t->offset)
            a = m + 1;
        else
            b = m;
    }
    memmove(placed + a + 1, placed + a, (size_t)(np - a) * sizeof *placed);
    placed[a] = l;
}

static int by_first(const void *a, const void *b)
{
    const Life *x = *(Life *const *)a, *y = *(Life *const *)b;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    return x->t->id - y->t->id;
}

/* Put the forward statements the logits need first, each fused run kept
 * whole and each part in its old order, so that <model>_forward's statements
 * are the start of <model>_loss_grad's and both call one function for them
 * (emit_c).  Moving them ahead is safe: they read only each other. */
static void logits_first(Graph *g)
{
    StmtList *l = &g->fwd;
    char *need_t = arena_alloc((size_t)g->ntensors + 1), *need_s = arena_alloc((size_t)l->n + 1);
    ir_depends(g, g->logits, need_t, need_s);
    Stmt **rest = arena_alloc((size_t)l->n * sizeof *rest);
    int n = 0, nrest = 0;
    for (int i = 0, keep = 0; i < l->n; i++) {
        const Stmt *s = l->items[i];
        if (!s->fused && !(s->rec && i > 0 && l->items[i - 1]->rec == s->rec))
            keep = need_s[i];
        if (keep)
            l->items[n++] = l->items[i];
        else
            rest[nrest++] = l->items[i];
    }
    memcpy(l->items + n, rest, (size_t)nrest * sizeof *rest);
}

long plan_memory(Graph *g, int reuse)
{
    logits_first(g);
    plan_zeroing(g);
    Life *L = arena_alloc((size_t)g->ntensors * sizeof *L);
    for (int i = 0; i < g->ntensors; i++)
        L[i] = (Life){g->tensors[i], -1, -1};
    /* a fused run of statements is one position: its loops interleave them;
     * so is a recurrence: its steps interleave its statements */
    int pos = -1;
    StmtList *lists[2] = {&g->fwd, &g->bwd};
    for (int li = 0; li < 2; li++)
        for (int i = 0; i < lists[li]->n; i++) {
            const Stmt *s = lists[li]->items[i];
            pos += i == 0 || !(s->fused || (s->rec && lists[li]->items[i - 1]->rec == s->rec));
            touch(L, s->out, pos);
            touch_ex(L, s->e, pos);
        }
    pos++;
    touch(L, g->loss, pos);     /* returned at the end */
    Life **order = arena_alloc((size_t)g->ntensors * sizeof *order);
    int n = 0;
    for (int i = 0; i < g->ntensors; i++)
        if (in_scratch(g->tensors[i]) && !g->tensors[i]->local && L[i].first >= 0)
            order[n++] = &L[i];
    qsort(order, (size_t)n, sizeof *order, by_first);
    long total = 0;
    Life **placed = arena_alloc((size_t)(n + 1) * sizeof *placed);
    for (int i = 0; i < n; i++) {
        order[i]->t->offset = place(placed, i, order[i], reuse);
        insert_placed(placed, i, order[i]);
        if (order[i]->t->offset + order[i]->t->size > total)
            total = order[i]->t->offset + order[i]->t->size;
    }
    return total;
}
