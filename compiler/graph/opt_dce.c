/* opt_dce.c: dead-code elimination.  Takes the Graph after the other passes;
 * hands on only the statements that the loss, the logits or a parameter's
 * gradient depends on (a value CSE made redundant, the gradient of something
 * that reaches no parameter).  Walks the program backwards once: statements
 * only read what earlier statements wrote. */
#include "arena.h"
#include "opt.h"

static void mark_ix(const Ix *x, char *live)
{
    if (!x)
        return;
    if (x->kind == IX_READ) {
        live[x->t->id] = 1;
        mark_ix(x->idx[0], live);
    }
    for (int k = 0; x->kind == IX_PAD && k < x->var; k++)
        mark_ix(x->idx[k], live);
    mark_ix(x->a, live);
    mark_ix(x->b, live);
}

static void mark_ex(const Ex *e, char *live)
{
    if (!e)
        return;
    if (e->kind == EX_READ) {
        live[e->t->id] = 1;
        for (int k = 0; k < e->t->rank; k++)
            mark_ix(e->idx[k], live);
    }
    for (int k = 0; e->kind == EX_PAD && k < e->t->rank; k++)
        mark_ix(e->idx[k], live);      /* (its read, e->a, marks e->t when it has one) */
    mark_ix(e->ix, live);
    mark_ex(e->a, live);
    mark_ex(e->b, live);
}

/* A recurrence reads what its later statements write (at another step), so
 * one sweep back can pass a writer before its reader is live: sweep again
 * until nothing changes. */
static void sweep(StmtList *l, char *live)
{
    char *keep = arena_alloc((size_t)l->n + 1), *del = arena_alloc((size_t)l->n + 1);
    for (int again = 1; again;) {
        again = 0;
        for (int i = l->n - 1; i >= 0; i--) {
            const Stmt *s = l->items[i];
            if (keep[i] || !live[s->out->id])
                continue;
            keep[i] = 1;
            again |= s->rec != 0;
            mark_ex(s->e, live);
            for (int k = 0; k < s->out->rank; k++)
                mark_ix(s->oidx[k], live);
            for (int j = 0; j < s->nloop; j++)
                mark_ix(s->loops[j].hi, live);
        }
    }
    for (int i = 0; i < l->n; i++)
        del[i] = !keep[i];
    opt_compact(l, del);
}

void opt_dce(Graph *g)
{
    char *live = arena_alloc((size_t)g->ntensors + 1);
    live[g->loss->id] = 1;
    if (g->logits)
        live[g->logits->id] = 1;
    for (int i = 0; i < g->nparams; i++)
        if (g->params[i]->grad)
            live[g->params[i]->grad->id] = 1;
    sweep(&g->bwd, live);
    sweep(&g->fwd, live);
}
