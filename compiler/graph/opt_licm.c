/* opt_licm.c: loop-invariant code motion for libm calls.  Takes the Graph
 * after autodiff; hands on statements in which every subexpression that calls
 * exp, log, pow or tanh and does not depend on some loop of its statement is
 * computed by a new statement, just before, over only the loops it depends on
 * (softmax's e * pow(s, -1) computes pow(s, -1) once per row, not per
 * element).  Exact: the hoisted value is the same expression on the same
 * operands.  Invariant: a hoisted expression is only evaluated at points its
 * statement evaluated it (every dropped loop runs at least once). */
#include <string.h>

#include "arena.h"
#include "ops.h"
#include "opt.h"

typedef struct Licm {
    Graph *g;
    Stmt *s;
    StmtList *out;      /* the new list being built */
    int hoisted;
} Licm;

static const char *call_name(const Ex *e)
{
    if (!e)
        return NULL;
    if (e->kind == EX_POW || e->kind == EX_POWX)
        return "pow";
    if (e->kind == EX_DPOWA || e->kind == EX_DPOWB)
        return e->kind == EX_DPOWA ? "dpow_a" : "dpow_b";
    const OpInfo *o = op_info(e->kind);
    if (o && o->libm)
        return o->name;
    const char *a = call_name(e->a);
    return a ? a : call_name(e->b);
}

/* The loops (by position) e needs: those it mentions and, transitively,
 * those their bounds mention.  Returns how many. */
static int needed_loops(const Graph *g, const Stmt *s, const Ex *e, char *need)
{
    char *vars = arena_alloc((size_t)g->nvars + 1);
    opt_ex_vars(e, vars);
    int n = 0;
    for (int j = s->nloop - 1; j >= 0; j--) {
        need[j] = vars[s->loops[j].var];
        if (need[j]) {
            opt_ix_vars(s->loops[j].hi, vars);
            n++;
        }
    }
    return n;
}

static Ex *hoist(Licm *L, Ex *e)
{
    Stmt *s = L->s;
    Graph *g = L->g;
    char need[IR_MAX_LOOPS] = {0};
    int n = needed_loops(g, s, e, need);
    if (n >= s->nloop || n > IR_MAX_RANK)
        return NULL;
    for (int j = 0; j < s->nloop; j++)
        if (!need[j] && !ix_nonneg(ix_bin(IX_SUB, s->loops[j].hi, ix_const(1)), s->loops, s->nloop, g->Tmax))
            return NULL;
    /* the new statement: new loop variables, one axis per needed loop */
    Stmt *h = ir_new_stmt(s->loc);
    h->site = s->site;
    h->what = "hoisted";
    Ix *ext[IR_MAX_RANK], *idx[IR_MAX_RANK];
    int oldv[IR_MAX_RANK];
    Ex *body = e;
    int k = 0;
    for (int j = 0; j < s->nloop; j++) {
        if (!need[j])
            continue;
        int v = s->loops[j].var, nv = ir_new_var(g, g->varname[v]);
        Ix *hi = s->loops[j].hi, *ax = hi;
        for (int i = 0; i < k; i++) {
            hi = ix_subst_var(hi, oldv[i], ix_var(h->loops[i].var));
            ax = ix_subst_var(ax, oldv[i], ix_axis(i));
        }
        ext[k] = ax;
        h->loops[h->nloop++] = (Loop){nv, hi};
        idx[k] = ix_var(v);
        oldv[k] = v;
        body = opt_subst(body, v, ix_var(nv));
        k++;
    }
    const char *name = call_name(e);
    Tensor *t = ir_new_tensor(g, TK_ACT, name ? name : "hoisted", k, ext, s->loc);
    t->loc = s->loc;
    h->out = t;
    for (int i = 0; i < k; i++)
        h->oidx[i] = ix_var(h->loops[i].var);
    h->e = body;
    ir_push(L->out, h);
    L->hoisted++;
    return ex_read(t, k, idx);
}

/* top-down: the largest invariant call-bearing subexpressions */
static Ex *walk(Licm *L, Ex *e)
{
    if (!e || !opt_has_call(e))
        return e;
    if (e != L->s->e && e->kind != EX_ARMS) {    /* a select keeps its arms; each may go */
        Ex *r = hoist(L, e);
        if (r)
            return r;
    }
    Ex *a = walk(L, e->a), *b = walk(L, e->b);
    if (a == e->a && b == e->b)
        return e;
    Ex *c = arena_alloc(sizeof *c);
    *c = *e;
    c->a = a, c->b = b;
    return c;
}

static void licm_list(Graph *g, StmtList *l)
{
    StmtList out = {0};
    Licm L = {g, NULL, &out, 0};
    for (int i = 0; i < l->n; i++) {
        L.s = l->items[i];
        if (L.s->rec) {     /* hoisted out of its step, it would read steps not yet computed */
            ir_push(&out, L.s);
            continue;
        }
        /* the whole right-hand side too, when it is not all of the statement */
        Ex *r = L.s->red == RED_NONE_ && opt_has_call(L.s->e) ? hoist(&L, L.s->e) : NULL;
        L.s->e = r ? r : walk(&L, L.s->e);
        ir_push(&out, L.s);
    }
    *l = out;
}

void opt_licm(Graph *g)
{
    licm_list(g, &g->fwd);
    licm_list(g, &g->bwd);
}
