/* autodiff.c: reverse-mode differentiation of the forward statements.
 * Takes a traced Graph and appends to g->bwd, in reverse statement order, one
 * accumulation per differentiable read: for out[I] = red_J e(..., x[idx], ...)
 * it adds  d_x[idx] += de/dx * d_out[I]  over the same loops (I and J).  The
 * local derivative is the product of the local gradients on the path from the
 * root to that read, multiplied in the order the reference's backward() does:
 * starting from d_out and moving down.  A max carries no gradient.  Gradient
 * buffers start at zero (the emitter clears them), so every statement adds. */
#include <string.h>

#include "arena.h"
#include "autodiff.h"

/* Does e read a tensor that needs a gradient, through a differentiable path? */
static int ex_needs_grad(const Ex *e)
{
    switch (e->kind) {
    case EX_READ: return e->t->needs_grad;
    case EX_CONST:
    case EX_INT:
    case EX_STEP:
    case EX_NOGRAD: return 0;
    default: return ex_needs_grad(e->a) || (e->b && ex_needs_grad(e->b));
    }
}

static void mark_needs_grad(Graph *g)
{
    for (int i = 0; i < g->fwd.n; i++) {
        Stmt *s = g->fwd.items[i];
        if (s->red == RED_MAX_)
            continue;
        if (ex_needs_grad(s->e))
            s->out->needs_grad = 1;
    }
}

/* The local gradient of node e with respect to its child `which` (0: a, 1: b). */
static Ex *local_grad(const Ex *e, int which)
{
    switch (e->kind) {
    case EX_ADD: return ex_const(1);
    case EX_SUB: return ex_const(which ? -1 : 1);
    case EX_MUL: return which ? e->a : e->b;
    case EX_POW:
        /* k * x ** (k - 1), as the reference records it */
        return ex_bin(EX_MUL, ex_const(e->c), ex_pow(e->a, e->c - 1));
    case EX_EXP: return (Ex *)e;
    case EX_LOG: return ex_pow(e->a, -1);
    case EX_RELU: return ex_un(EX_STEP, e->a);
    case EX_TANH: return ex_bin(EX_SUB, ex_const(1), ex_pow((Ex *)e, 2));
    default: MGC_INTERNAL("local gradient of a leaf");
    }
}

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

typedef struct Emit {
    Graph *g;
    const Stmt *s;
    Ex *seed;
} Emit;

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
    b->out = read->t->grad;
    for (int i = 0; i < read->t->rank; i++)
        b->oidx[i] = read->idx[i];
    b->e = value;
    b->what = arena_printf("d%s += d%s * d%s/d%s", read->t->name, s->out->name, s->out->name, read->t->name);
    ir_push(&em->g->bwd, b);
}

/* Walk down from the root carrying the gradient that reaches each node. */
static void walk(Emit *em, const Ex *e, Ex *grad)
{
    switch (e->kind) {
    case EX_READ:
        if (e->t->needs_grad && e->t->grad)
            accumulate(em, e, grad);
        return;
    case EX_CONST:
    case EX_INT:
    case EX_STEP:
    case EX_NOGRAD: return;
    default: break;
    }
    if (ex_needs_grad(e->a))
        walk(em, e->a, chain(local_grad(e, 0), grad));
    if (e->b && ex_needs_grad(e->b))
        walk(em, e->b, chain(local_grad(e, 1), grad));
}

void ad_differentiate(Graph *g)
{
    mark_needs_grad(g);
    if (!g->loss->needs_grad)
        return;      /* nothing to differentiate: every gradient is zero */
    char *reach = arena_alloc((size_t)g->ntensors + 1);
    ir_depends(g, g->loss, reach, NULL);
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
    for (int i = g->fwd.n - 1; i >= 0; i--) {
        const Stmt *s = g->fwd.items[i];
        if (s->red == RED_MAX_ || !s->out->grad)
            continue;
        Ix *oidx[IR_MAX_RANK];
        for (int k = 0; k < s->out->rank; k++)
            oidx[k] = s->oidx[k];
        Emit em = {g, s, NULL};
        Ex *dout = ex_read(s->out->grad, s->out->rank, oidx);
        walk(&em, s->e, dout);
    }
}
