/* explain.c: the numbers mgc --explain prints.  Takes the Graph at each stage
 * (sizes), after autodiff (traced FLOPs) and after the memory plan (emitted
 * FLOPs, scratch), and writes an aligned table.  Only reads the graph.
 * FLOPs: every +, -, *, pow, exp, log, tanh, relu, step and ifpos is one op;
 * a sum adds (a max compares) once per term; `+=` adds once per element;
 * reads, constants and index arithmetic are free.  Loops run at T = Tmax. */
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "ops.h"

/* ---- sizes ---- */
static long ex_nodes(const Ex *e)
{
    return e ? 1 + ex_nodes(e->a) + ex_nodes(e->b) : 0;
}

static long list_nodes(const StmtList *l)
{
    long n = 0;
    for (int i = 0; i < l->n; i++)
        n += ex_nodes(l->items[i]->e);
    return n;
}

void explain_stage(const Graph *g, const char *name, int ran, void *arg)
{
    Explain *x = arg;
    if (x->n >= EXPLAIN_MAX_STAGES)
        MGC_INTERNAL("too many stages for --explain");
    ExplainStage *s = &x->st[x->n++];
    s->name = name;
    s->ran = ran;
    s->nfwd = g->fwd.n;
    s->nbwd = g->bwd.n;
    s->exfwd = list_nodes(&g->fwd);
    s->exbwd = list_nodes(&g->bwd);
}

/* ---- FLOPs ---- */
static long ex_ops(const Ex *e)
{
    if (!e)
        return 0;
    long n = ex_ops(e->a) + ex_ops(e->b);
    switch (e->kind) {
    case EX_ADD: case EX_SUB: case EX_MUL: case EX_POW: case EX_IFPOS: return n + 1;
    case EX_PAD: return n;      /* a test, no arithmetic (and only one branch runs) */
    MG_OPS(OP_CASE) return n + op_info(e->kind)->flops;
    case EX_CONST: case EX_READ: case EX_INT: case EX_NOGRAD: return n;
    }
    return n;
}

/* iterations of loops d .. end-1 of s, the outer ones at vals[] */
static double trips(const Stmt *s, int d, int end, long T, long *vals)
{
    if (d == end)
        return 1;
    long hi = ix_eval(s->loops[d].hi, T, vals, NULL);
    int inner_uses = 0;
    for (int k = d + 1; k < end; k++)
        inner_uses |= ix_mentions_var(s->loops[k].hi, s->loops[d].var);
    if (!inner_uses)
        return hi > 0 ? (double)hi * trips(s, d + 1, end, T, vals) : 0;
    double n = 0;
    for (long v = 0; v < hi; v++) {
        vals[s->loops[d].var] = v;
        n += trips(s, d + 1, end, T, vals);
    }
    return n;
}

static double stmt_flops(const Stmt *s, int emitted, long T, long *vals)
{
    double n = trips(s, 0, s->nloop, T, vals) * (double)(ex_ops(s->e) + (s->red != RED_NONE_));
    int adds = s->accumulate;
    if (emitted)
        adds = s->accumulate && !s->assign_first && !(s->red != RED_NONE_ && s->acc_from_out);
    if (adds)
        n += trips(s, 0, s->nloop - s->nred, T, vals);
    return n;
}

void explain_flops(const Graph *g, int emitted, double out[2])
{
    long *vals = calloc((size_t)g->nvars + 1, sizeof *vals);
    if (!vals)
        MGC_INTERNAL("out of memory");
    const StmtList *l[2] = {&g->fwd, &g->bwd};
    for (int k = 0; k < 2; k++) {
        out[k] = 0;
        for (int i = 0; i < l[k]->n; i++)
            out[k] += stmt_flops(l[k]->items[i], emitted, g->Tmax, vals);
    }
    free(vals);
}

/* ---- the report ---- */
static void print_stages(FILE *f, const Explain *x)
{
    fputs("graph size per stage (statements: forward + backward; expression nodes)\n", f);
    fprintf(f, "  %-10s %10s %8s %8s %10s\n", "stage", "statements", "forward", "backward", "expr nodes");
    for (int i = 0; i < x->n; i++) {
        const ExplainStage *s = &x->st[i];
        if (!s->ran) {
            fprintf(f, "  %-10s %10s\n", s->name, "(off)");
            continue;
        }
        fprintf(f, "  %-10s %10d %8d %8d %10ld\n", s->name, s->nfwd + s->nbwd, s->nfwd, s->nbwd,
                s->exfwd + s->exbwd);
    }
}

static void print_params(FILE *f, const Graph *g)
{
    fprintf(f, "\nparameters: %ld scalars in %d tensors\n", g->nscalars, g->nparams);
    for (int i = 0; i < g->nparams; i++) {
        const Tensor *t = g->params[i];
        fprintf(f, "  %-24s %8ld  [", t->display ? t->display : t->name, t->size);
        for (int k = 0; k < t->rank; k++)
            fprintf(f, "%s%ld", k ? ", " : "", t->maxext[k]);
        fputs("]\n", f);
    }
}

static void print_flops(FILE *f, const Explain *x, const Graph *g)
{
    double em[2];
    explain_flops(g, 1, em);
    double T = (double)g->Tmax;
    fprintf(f, "\nFLOPs at T = %ld (the largest T), per position = total / %ld\n", g->Tmax, g->Tmax);
    fputs("  (+ - * and each exp, log, pow, tanh, relu, step, ifpos count one; a sum adds and a max\n"
          "   compares once per term; += adds once per element; reads and index arithmetic are free)\n", f);
    fprintf(f, "  %-10s %14s %14s %14s %14s\n", "", "traced total", "per position", "emitted total", "per position");
    const char *rows[3] = {"forward", "backward", "total"};
    for (int k = 0; k < 3; k++) {
        double a = k < 2 ? x->traced[k] : x->traced[0] + x->traced[1];
        double b = k < 2 ? em[k] : em[0] + em[1];
        fprintf(f, "  %-10s %14.0f %14.1f %14.0f %14.1f\n", rows[k], a, a / T, b, b / T);
    }
    fputs("  traced: the graph after autodiff; emitted: after the passes, as the C computes it\n", f);
}

void explain_print(FILE *f, const Explain *x, const Graph *g, long c_lines)
{
    fprintf(f, "model %s (%s), T <= %ld, vocab %d\n\n", g->model, g->source ? g->source : "?", g->Tmax, g->vocab);
    print_stages(f, x);
    print_params(f, g);
    print_flops(f, x, g);
    fprintf(f, "\nactivation memory (memory plan): %ld doubles = %ld bytes of scratch at T = %ld\n", g->scratch,
            g->scratch * (long)sizeof(double), g->Tmax);
    fprintf(f, "emitted C: %ld lines\n", c_lines);
}
