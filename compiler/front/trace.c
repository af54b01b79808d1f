/* trace.c: elaborate the syntax tree into the tensor graph (see trace.h).
 * The driver: it runs the prelude's and the program's items in order,
 * unrolling `for` loops, and hands each to names.c (declarations) or lower.c
 * (assignments); shapes.c checks the outputs at the end.  The state of one
 * trace is a Tr (trace_internal.h), which every step takes. */
#define _POSIX_C_SOURCE 200809L
#include <string.h>

#include "arena.h"
#include "trace_internal.h"

/* A loop that cannot run: what its body would have defined is poison. */
static void poison_body(Tr *tr, const NodeList *l)
{
    for (int i = 0; i < l->n; i++) {
        const Node *n = l->items[i];
        switch (n->kind) {
        case A_ASSIGN: poison(tr, n->a->name, "tensor", 0, n->loc); break;
        case A_CONST: poison(tr, n->name, "constant", 1, n->loc); break;
        case A_PARAM: poison(tr, path_name(tr, n->a, 1), "parameter", 1, n->loc); break;
        case A_FOR:
        case A_RECUR: poison_body(tr, &n->list); break;
        default: break;
        }
    }
}

static void do_for(Tr *tr, const Node *n)
{
    long count;
    if (!const_dim(tr, n->a, "a loop bound", &count, 1)) {
        poison_body(tr, &n->list);
        return;
    }
    if (n->op == OP_LE)
        count += 1;
    Bind *old = lookup(tr, n->name);
    if (old && old->decl && old->kind != B_FN && !old->prelude) {
        diag_error(n->loc, "loop variable '%s' shadows the %s '%s'", n->name, kind_word(old), n->name);
        diag_note(old->loc, "'%s' defined here", n->name);
        poison_body(tr, &n->list);
        return;
    }
    for (long i = 0; i < count; i++) {
        Bind *b = new_bind(tr, n->name, B_INT, n->loc);
        b->ival = i;
        push_bind(tr, b);
        int before = diag_errors();
        exec_list(tr, &n->list);
        unlink_bind(tr, b);
        if (diag_errors() > before)
            break;     /* the same error would repeat for every iteration */
    }
}

static void exec_item(Tr *tr, Node *n)
{
    if (!tr->in_fn)
        tr->site = n->loc;
    switch (n->kind) {
    case A_CONST: do_const(tr, n); break;
    case A_DIM: do_dim(tr, n); break;
    case A_INPUT: do_input(tr, n); break;
    case A_PARAM: do_param(tr, n); break;
    case A_OPTIMIZER: do_optimizer(tr, n); break;
    case A_FN: do_fn(tr, n); break;
    case A_FOR: do_for(tr, n); break;
    case A_RECUR: do_recur(tr, n); break;
    case A_ASSIGN: do_assign(tr, n); break;
    default: diag_error(n->loc, "expected a declaration or a statement");
    }
}

void exec_list(Tr *tr, const NodeList *l)
{
    for (int i = 0; i < l->n; i++)
        exec_item(tr, l->items[i]);
}

Graph *trace_program(const Node *prelude, const Node *prog, const char *model, const char *source,
                     const TraceOpts *opts)
{
    static const TraceOpts none;
    Tr tr;
    memset(&tr, 0, sizeof tr);
    tr.opts = opts ? opts : &none;
    tr.g = ir_new_graph(model, source);
    tr.g->optim = (MgOptim){.kind = MG_OPT_SGD, .lr = 0.01, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8,
                            .steps = 1000, .schedule = MG_SCHED_LINEAR, .gamma = 0.1};
    tr.scope = new_scope();
    tr.globals = new_scope();
    if (prelude) {
        for (int i = 0; i < prelude->list.n; i++) {
            Node *n = prelude->list.items[i];
            exec_item(&tr, n);
            Bind *f = n->kind == A_FN ? scope_find(tr.scope, n->name) : NULL;
            if (f && f->kind == B_FN && f->fn == n)
                f->prelude = 1, scope_find(tr.globals, n->name)->prelude = 1;
        }
    }
    int before = diag_errors();
    exec_list(&tr, &prog->list);
    for (int i = 0; i < tr.opts->ndef; i++)
        if (!tr.used[i])
            diag_plain("-D %s=%s: %s has no top-level 'const %s'", tr.opts->def[i].name, tr.opts->def[i].value,
                       source, tr.opts->def[i].name);
    if (diag_errors() == before)
        check_outputs(&tr, prog);
    if (diag_errors())
        return NULL;
    return tr.g;
}
