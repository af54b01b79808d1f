/* recur.c: recurrences (see trace_internal.h).
 * `recur t < T { a[t, j < H] = ...; h[t, j < H] = ... }` runs its statements
 * once per step t, in order; a statement reads the block's tensors at t (if
 * an earlier statement defined them) or at t - k, a constant k >= 1, with a
 * fallback for the steps before the start (`h[t - 1, i] else 0.0`).  A
 * statement that reads its own earlier elements is a block of one.
 * A tensor read k steps back is written into a buffer of k more rows, its
 * first k rows holding the fallback, so that no read needs a guard; a copy
 * after the block gives the tensor its own shape.  Statements that depend on
 * the step get Stmt.rec; those that do not (a sum over a parameter alone)
 * run before the block. */
#define _POSIX_C_SOURCE 200809L
#include <string.h>

#include "arena.h"
#include "opt.h"
#include "trace_internal.h"

/* the constant c of a first index written `step - c` (0 for `step`), or -1 */
static long step_back(Tr *tr, const Node *x, const char *step)
{
    if (x->kind == A_NAME && !strcmp(x->name, step))
        return 0;
    if (x->kind != A_BINARY || x->op != '-' || x->a->kind != A_NAME || strcmp(x->a->name, step))
        return -1;
    const Node *c = x->b;
    if (c->kind == A_NUM)
        return c->is_int && c->inum > 0 && c->inum <= MAX_EXTENT ? (long)c->inum : -1;
    Bind *b = c->kind == A_NAME ? lookup(tr, c->name) : NULL;     /* a named constant: t - k */
    return b && b->kind == B_INT && b->ival > 0 && b->ival <= MAX_EXTENT ? b->ival : -1;
}

static RecT *rec_find(Rec *r, const char *name)
{
    for (int i = 0; i < r->nt; i++)
        if (!strcmp(r->t[i].name, name))
            return &r->t[i];
    return NULL;
}

/* the furthest step back each of the block's tensors is read at (in n);
 * down a chain's left spine in a loop, as chains may be long */
static void scan_reads(Tr *tr, Rec *r, const Node *n)
{
    for (; n; n = n->a) {
        if (n->kind == A_INDEX && n->a->kind == A_NAME && n->list.n > 0) {
            RecT *rt = rec_find(r, n->a->name);
            long c = rt ? step_back(tr, n->list.items[0], r->step) : -1;
            if (rt && c > rt->back)
                rt->back = c;
        }
        scan_reads(tr, r, n->b);
        for (int i = 0; i < n->list.n; i++)
            scan_reads(tr, r, n->list.items[i]);
    }
}

/* The extent of a range of the block, in no index: NULL after an error. */
static Ix *range_extent(Tr *tr, const Node *r, const Node *bound, int op)
{
    if (!bound) {
        diag_error(r->loc, "give the range of '%s' here (as in '%s < H'): a recurrence's tensors are made "
                   "before its statements run", r->name, r->name);
        return NULL;
    }
    Val v = elab(tr, bound);
    if (v.kind == V_ERR)
        return NULL;
    if (v.kind != V_INT || !ix_is_affine(v.ix)) {
        diag_error(bound->loc, "the range of '%s' must be an integer expression affine in T", r->name);
        return NULL;
    }
    return op == OP_LE ? ix_bin(IX_ADD, v.ix, ix_const(1)) : v.ix;
}

/* The buffer of statement n's tensor: [steps + back, ranges...], bound to its name. */
static int make_buffer(Tr *tr, Rec *r, RecT *rt, const Node *lhs)
{
    Ix *ext[IR_MAX_RANK];
    if (lhs->list.n > IR_MAX_RANK) {
        diag_error(lhs->loc, "tensor '%s' would have %d axes; at most %d are supported", rt->name, lhs->list.n,
                   IR_MAX_RANK);
        return 0;
    }
    ext[0] = ix_bin(IX_ADD, r->steps, ix_const(rt->back));
    for (int k = 1; k < lhs->list.n; k++) {
        const Node *g = lhs->list.items[k];
        begin_stmt(tr, g->loc);
        if (!(ext[k] = range_extent(tr, g, g->a, g->op)))
            return 0;
    }
    for (int k = 1; k < lhs->list.n; k++)
        rt->axvar[k] = ir_new_var(tr->g, lhs->list.items[k]->name);
    const char *display = rt->back ? arena_printf("%s_steps", rt->name) : rt->name;
    rt->buf = ir_new_tensor(tr->g, TK_ACT, display, lhs->list.n, ext, lhs->loc);
    rt->bind = new_bind(tr, rt->name, B_TENSOR, lhs->loc);
    rt->bind->t = rt->buf;
    rt->bind->rec = rt;
    push_bind(tr, rt->bind);
    return 1;
}

/* The statement, its first range made the step's: `name[step < bound, ...]`. */
static Node *step_stmt(const Rec *r, const Node *n)
{
    Node *lhs = ast_new(A_LHS, n->a->loc), *st = ast_new(A_ASSIGN, n->loc);
    *lhs = *n->a;
    *st = *n;
    lhs->list = (NodeList){0};
    Node *range = ast_new(A_RANGE, n->a->list.items[0]->loc);
    range->name = r->step;
    range->op = r->n->op;
    range->a = r->n->a;
    ast_push(&lhs->list, range);
    for (int k = 1; k < n->a->list.n; k++)
        ast_push(&lhs->list, n->a->list.items[k]);
    st->a = lhs;
    return st;
}

/* Check the block's statements and make their tensors; 0 after an error. */
static int open_block(Tr *tr, Rec *r)
{
    const NodeList *l = &r->n->list;
    r->t = arena_alloc((size_t)(l->n + 1) * sizeof *r->t);
    for (int i = 0; i < l->n; i++) {
        const Node *lhs = l->items[i]->a, *first = lhs->list.items[0];
        if (first->a || strcmp(first->name, r->step)) {
            diag_error(first->loc, "the first index of a statement in a 'recur' block is its step '%s' alone, "
                       "as in '%s[%s, j < H]'", r->step, lhs->name, r->step);
            return 0;
        }
        if (rec_find(r, lhs->name)) {
            diag_error(lhs->loc, "'%s' is defined twice in this recurrence", lhs->name);
            diag_note(rec_find(r, lhs->name)->loc, "'%s' defined here", lhs->name);
            return 0;
        }
        r->t[r->nt++] = (RecT){.name = lhs->name, .loc = lhs->loc};
    }
    for (int i = 0; i < l->n; i++)
        scan_reads(tr, r, l->items[i]->b);
    for (int i = 0; i < l->n; i++)
        if (!make_buffer(tr, r, &r->t[i], l->items[i]->a))
            return 0;
    return 1;
}

static int fail(void) { return 0; }

/* The fallback of a read of rt at idx: an expression of the read's other
 * indices (0.0, h0[k]), the same at every read; the rows before the first
 * step hold it (close_tensor), so the gradient reaches what it reads. */
static int rec_fallback(Tr *tr, RecT *rt, const Node *fb, Ix **idx)
{
    Val f = elab(tr, fb);
    long k;
    if (f.kind == V_ERR)
        return 0;
    Ex *e = f.kind == V_REAL ? f.e : ix_is_const(f.ix, &k) ? ex_const((double)k) : ex_int(f.ix);
    for (int a = 1; a < rt->buf->rank; a++)
        if (idx[a]->kind == IX_VAR)
            e = opt_subst(e, idx[a]->var, ix_var(rt->axvar[a]));
    char *mask = arena_alloc((size_t)tr->g->nvars + 1);
    opt_ex_vars(e, mask);
    for (int a = 1; a < rt->buf->rank; a++)
        mask[rt->axvar[a]] = 0;
    for (int v = 0; v < tr->g->nvars; v++)
        if (mask[v]) {
            diag_error(fb->loc, "the value of '%s' before the start may depend only on the plain indices the read "
                       "gives its other axes; this one uses '%s'", rt->name, tr->g->varname[v]);
            return 0;
        }
    if (rt->init && !opt_ex_equal(rt->init, e)) {
        diag_error(fb->loc, "'%s' starts from one value, but this fallback differs from that of an earlier read "
                   "of it; give every read of '%s' the same one", rt->name, rt->name);
        return 0;
    }
    rt->init = e;
    return 1;
}

/* A read of the block's tensor rt at idx, its fallback (or NULL) in n->b:
 * 1 with idx[0] moved to rt's buffer, 0 after an error. */
int rec_read(Tr *tr, RecT *rt, Ix **idx, const Node *n)
{
    Rec *r = tr->rec;
    const Node *at = n->list.items[0];
    long c;
    if (!ix_var_offset(idx[0], r->step_var, &c)) {
        diag_error(at->loc, "a recurrence reads '%s' at its step '%s' or a constant number of steps back "
                   "('%s - 1'); this index is neither", rt->name, r->step, r->step);
        return fail();
    }
    if (c > 0) {
        diag_error(at->loc, "'%s' is read %ld step%s ahead, but a recurrence runs forward in '%s' and can read "
                   "only earlier steps ('%s - 1')", rt->name, c, c == 1 ? "" : "s", r->step, r->step);
        return fail();
    }
    if (c == 0 && !rt->defined) {
        if (rt == r->current) {
            diag_error(at->loc, "'%s' reads itself at the step being computed; it can read only earlier steps "
                       "('%s - 1'), and a recurrence along a second axis is not supported", rt->name, r->step);
            return fail();
        }
        diag_error(at->loc, "'%s' is read at step '%s' before the statement that defines it; move that "
                   "statement up, or read an earlier step ('%s - 1')", rt->name, r->step, r->step);
        diag_note(rt->loc, "'%s' defined here", rt->name);
        return fail();
    }
    if (-c > rt->back) {
        diag_error(at->loc, "write this step back as '%s - %ld', with a constant after the '-'", r->step, -c);
        return fail();
    }
    if (c < 0 && !n->b) {
        diag_error(at->loc, "'%s' is read %ld step%s back, before the start when %s < %ld; give its value "
                   "there with 'else', as in '%s[%s - %ld, ...] else 0.0'", rt->name, -c, c == -1 ? "" : "s",
                   r->step, -c, rt->name, r->step, -c);
        return fail();
    }
    if (c < 0 && !rec_fallback(tr, rt, n->b, idx))
        return fail();
    idx[0] = ix_bin(IX_ADD, idx[0], ix_const(rt->back));
    return 1;
}

/* define()'s output when the block defines `name`: its buffer, the step
 * index moved past the fallback rows */
Bind *rec_output(Tr *tr, const char *name, Stmt *s)
{
    RecT *rt = tr->rec ? rec_find(tr->rec, name) : NULL;
    if (!rt || s->out != rt->buf)
        return NULL;
    s->oidx[0] = ix_bin(IX_ADD, s->oidx[0], ix_const(rt->back));
    return rt->bind;
}

RecT *rec_tensor(Tr *tr, const char *name) { return tr->rec ? rec_find(tr->rec, name) : NULL; }

/* buf[s < back, ...] = fallback, and the tensor the rest of the program reads */
static void close_tensor(Tr *tr, Rec *r, RecT *rt, StmtList *after)
{
    rt->bind->rec = NULL;
    if (!rt->back)
        return;
    Tensor *b = rt->buf;
    Loop loops[IR_MAX_RANK];
    Ix *ext[IR_MAX_RANK], *axes[IR_MAX_RANK], *src[IR_MAX_RANK];
    for (int k = 0; k < b->rank; k++) {
        loops[k].var = k ? rt->axvar[k] : ir_new_var(tr->g, r->step);
        axes[k] = ix_var(loops[k].var);
    }
    Stmt *init = ir_new_stmt(rt->loc), *copy = ir_new_stmt(rt->loc);
    for (int k = 0; k < b->rank; k++) {
        ext[k] = k ? b->ext[k] : r->steps;
        loops[k].hi = k ? ix_subst_axes(b->ext[k], axes) : ix_const(rt->back);
        src[k] = k ? axes[k] : ix_bin(IX_ADD, axes[0], ix_const(rt->back));
        init->oidx[k] = copy->oidx[k] = axes[k];
    }
    init->site = copy->site = tr->site;
    init->nloop = copy->nloop = b->rank;
    memcpy(init->loops, loops, sizeof loops);
    memcpy(copy->loops, loops, sizeof loops);
    copy->loops[0].hi = r->steps;
    init->out = b;
    init->e = rt->init;
    init->what = arena_printf("%s before the first step", rt->name);
    copy->out = ir_new_tensor(tr->g, TK_ACT, rt->name, b->rank, ext, rt->loc);
    copy->e = ex_read(b, b->rank, src);
    ir_push(&tr->g->fwd, init);
    ir_push(after, copy);
    rt->bind->t = copy->out;
}

static int reads_any(const Ex *e, const char *in)
{
    if (!e)
        return 0;
    return (e->kind == EX_READ && in[e->t->id]) || reads_any(e->a, in) || reads_any(e->b, in);
}

/* A statement that reads nothing the steps write (x[t] @ w) need not run
 * step by step: it runs before them, over every t at once. */
static void leave_steps(Tr *tr, Rec *r, Stmt **body, int n)
{
    char *in = arena_alloc((size_t)tr->g->ntensors + 1);
    for (int i = 0; i < r->nt; i++)
        in[r->t[i].buf->id] = 1;
    for (int i = 0; i < n; i++) {
        if (body[i]->rec != r->id)
            continue;
        if (in[body[i]->out->id] || reads_any(body[i]->e, in))
            in[body[i]->out->id] = 1;
        else
            body[i]->rec = 0;
    }
}

/* fwd[from..]: what does not depend on the steps (a fallback may read it),
 * the fallbacks, the steps, then the copies */
static void order_block(Tr *tr, Rec *r, int from, int ninit, StmtList *after)
{
    StmtList *l = &tr->g->fwd;
    int n = l->n - from - ninit, k = from;
    Stmt **body = arena_alloc((size_t)(n + ninit + 1) * sizeof *body);
    if (n + ninit > 0) /* after a poisoned read the block may have made nothing */
        memcpy(body, l->items + from, (size_t)(n + ninit) * sizeof *body);
    leave_steps(tr, r, body, n);
    for (int i = 0; i < n; i++)
        if (body[i]->rec != r->id)
            l->items[k++] = body[i];
    for (int i = n; i < n + ninit; i++)
        l->items[k++] = body[i];
    for (int i = 0; i < n; i++)
        if (body[i]->rec == r->id)
            l->items[k++] = body[i];
    for (int i = 0; i < after->n; i++)
        ir_push(l, after->items[i]);
}

static void run_block(Tr *tr, Rec *r)
{
    const NodeList *l = &r->n->list;
    for (int i = 0; i < l->n; i++) {
        int before = tr->g->fwd.n, errors = diag_errors();
        r->current = &r->t[i];
        do_assign(tr, step_stmt(r, l->items[i]));
        r->t[i].defined = 1;
        for (int k = before; k < tr->g->fwd.n; k++) {
            Stmt *s = tr->g->fwd.items[k];
            if (s->nloop > s->nred && s->loops[0].var == r->step_var)
                s->rec = r->id;
        }
        if (diag_errors() > errors)
            return;
    }
}

/* after an error: the block's names are poison, its buffers plain tensors */
static void fail_block(Tr *tr, Rec *r)
{
    for (int i = 0; i < r->nt; i++)
        if (r->t[i].bind)
            r->t[i].bind->rec = NULL;
    for (int i = 0; i < r->n->list.n; i++)
        poison(tr, r->n->list.items[i]->a->name, "tensor", 0, r->n->list.items[i]->loc);
}

void do_recur(Tr *tr, const Node *n)
{
    if (tr->in_fn || tr->rec) {
        diag_error(n->loc, "a recurrence inside a function is not supported; write it at the top level");
        return;
    }
    Rec r = {.n = n, .step = n->name, .id = tr->g->nrec + 1};
    Node range = {.kind = A_RANGE, .loc = n->loc, .name = n->name};
    begin_stmt(tr, n->loc);
    int errors = diag_errors();
    if (!(r.steps = range_extent(tr, &range, n->a, n->op)) || !open_block(tr, &r)) {
        fail_block(tr, &r);
        return;
    }
    tr->g->nrec++;
    int from = tr->g->fwd.n;
    tr->rec = &r;
    run_block(tr, &r);
    tr->rec = NULL;
    if (diag_errors() > errors) {
        fail_block(tr, &r);
        return;
    }
    StmtList after = {0};
    int ninit = tr->g->fwd.n;
    for (int i = 0; i < r.nt; i++)
        close_tensor(tr, &r, &r.t[i], &after);
    ninit = tr->g->fwd.n - ninit;
    order_block(tr, &r, from, ninit, &after);
}

/* Does n read the tensor `name` anywhere (a[...] with a the name)?  Down
 * a chain's left spine in a loop. */
static int reads_name(const Node *n, const char *name)
{
    for (; n; n = n->a) {
        if (n->kind == A_INDEX && n->a->kind == A_NAME && !strcmp(n->a->name, name))
            return 1;
        if (reads_name(n->b, name))
            return 1;
        for (int i = 0; i < n->list.n; i++)
            if (reads_name(n->list.items[i], name))
                return 1;
    }
    return 0;
}

int rec_self_read(Tr *tr, Node *n)
{
    const Node *lhs = n->a;
    if (lhs->kind != A_LHS || tr->rec || lookup(tr, lhs->name) || !reads_name(n->b, lhs->name))
        return 0;
    const Node *first = lhs->list.items[0];
    if (!first->a) {
        diag_error(first->loc, "'%s' reads its own earlier elements along '%s': give that range here, as in "
                   "'%s[%s < T, ...]'", lhs->name, first->name, lhs->name, first->name);
        poison(tr, lhs->name, "tensor", 0, n->loc);
        return 1;
    }
    Node *block = ast_new(A_RECUR, n->loc);
    block->name = first->name;
    block->op = first->op;
    block->a = first->a;
    Node *st = ast_new(A_ASSIGN, n->loc), *l2 = ast_new(A_LHS, lhs->loc), *r0 = ast_new(A_RANGE, first->loc);
    *st = *n;
    *l2 = *lhs;
    r0->name = first->name;
    l2->list = (NodeList){0};
    ast_push(&l2->list, r0);
    for (int k = 1; k < lhs->list.n; k++)
        ast_push(&l2->list, lhs->list.items[k]);
    st->a = l2;
    ast_push(&block->list, st);
    do_recur(tr, block);
    return 1;
}
