/* emit_dot.c: the traced graph as Graphviz DOT (mgc --emit=dot).
 * Takes the Graph after autodiff and before the passes ("the traced Value
 * graph", so --no-opt and -O0 do not change it) and writes a digraph: one box
 * per tensor statement labelled with its op, output and shape, and .mg line;
 * one ellipse per parameter and input; an edge from every writer of a tensor
 * to each later statement that reads it.  Every string is quoted and escaped. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "emit_dot.h"
#include "ops.h"

/* ---- strings ---- */
/* s as a DOT string: in double quotes, with '"' and '\' escaped, newlines as \n */
static void dot_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f), fputc(*s, f);
        else if (*s == '\n')
            fputs("\\n", f);
        else if ((unsigned char)*s >= ' ')
            fputc(*s, f);
    }
    fputc('"', f);
}

/* "[T, 16]" */
static const char *shape_text(const Tensor *t, const Graph *g)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&buf, &n);
    if (!m)
        MGC_INTERNAL("out of memory");
    fputc('[', m);
    for (int k = 0; k < t->rank; k++) {
        if (k)
            fputs(", ", m);
        ix_print(m, t->ext[k], g);
    }
    fputc(']', m);
    fclose(m);
    const char *s = arena_strdup(buf);
    free(buf);
    return s;
}

/* "mlp.mg:18": the file without its folder */
static const char *loc_text(SrcLoc l)
{
    if (!l.file)
        return "?";
    const char *b = strrchr(l.file, '/');
    return arena_printf("%s:%d", b ? b + 1 : l.file, l.line);
}

/* ---- what a statement computes ---- */
typedef struct Ops {
    const char *w[6];
    int n, more;
} Ops;

static void ops_add(Ops *o, const char *w)
{
    for (int i = 0; i < o->n; i++)
        if (!strcmp(o->w[i], w))
            return;
    if (o->n < 4)
        o->w[o->n++] = w;
    else
        o->more = 1;
}

/* the calls (calls = 1) or the arithmetic (calls = 0) of e, in pre-order */
static void ops_collect(const Ex *e, Ops *o, int calls)
{
    if (!e)
        return;
    switch (e->kind) {
    case EX_ADD: if (!calls) ops_add(o, "+"); break;
    case EX_SUB: if (!calls) ops_add(o, "-"); break;
    case EX_MUL: if (!calls) ops_add(o, "*"); break;
    case EX_POW: {
        char buf[40];
        snprintf(buf, sizeof buf, "pow %.6g", e->c);
        if (calls) ops_add(o, arena_strdup(buf));
        break;
    }
    case EX_IFPOS: if (calls) ops_add(o, "ifpos"); break;
    case EX_PAD: if (calls) ops_add(o, "else"); break;
    MG_OPS(OP_CASE) if (calls) ops_add(o, op_info(e->kind)->name); break;
    case EX_CONST: case EX_READ: case EX_INT: case EX_NOGRAD: break;
    }
    ops_collect(e->a, o, calls);
    ops_collect(e->b, o, calls);
}

static const Ex *skip_nograd(const Ex *e)
{
    while (e->kind == EX_NOGRAD)
        e = e->a;
    return e;
}

static int gathers(const Ex *e)
{
    for (int i = 0; i < IR_MAX_RANK && e->kind == EX_READ && i < e->t->rank; i++)
        if (e->idx[i]->kind == IX_READ)
            return 1;
    return 0;
}

const char *emit_dot_op(const Stmt *s)
{
    const Ex *e = skip_nograd(s->e);
    const char *pre = s->accumulate ? "+= " : "";
    if (s->red == RED_SUM_ && e->kind == EX_MUL && skip_nograd(e->a)->kind == EX_READ &&
        skip_nograd(e->b)->kind == EX_READ)
        return arena_printf("%s%s", pre, s->nloop > s->nred ? "matvec/sum" : "dot/sum");
    Ops o = {0};
    ops_collect(e, &o, 1);
    ops_collect(e, &o, 0);
    char body[128] = "";
    for (int i = 0; i < o.n; i++)
        snprintf(body + strlen(body), sizeof body - strlen(body), "%s%s", i ? " " : "", o.w[i]);
    if (o.more)
        snprintf(body + strlen(body), sizeof body - strlen(body), " ...");
    if (s->red != RED_NONE_)
        return arena_printf("%s%s%s%s", pre, s->red == RED_SUM_ ? "sum" : "max", o.n ? ": " : "", body);
    if (o.n)
        return arena_printf("%s%s", pre, body);
    if (e->kind == EX_CONST) {
        char buf[40];
        snprintf(buf, sizeof buf, "%.6g", e->c);
        return arena_printf("%sconst %s", pre, buf);
    }
    return arena_printf("%s%s", pre, gathers(e) || (s->out->rank && s->oidx[0]->kind == IX_READ) ? "gather" : "copy");
}

/* ---- reads ---- */
static void mark_ix(const Ix *x, char *mask)
{
    if (!x)
        return;
    if (x->kind == IX_READ) {
        mask[x->t->id] = 1;
        mark_ix(x->idx[0], mask);
    }
    for (int k = 0; x->kind == IX_PAD && k < x->var; k++)
        mark_ix(x->idx[k], mask);
    mark_ix(x->a, mask);
    mark_ix(x->b, mask);
}

static void mark_ex(const Ex *e, char *mask)
{
    if (!e)
        return;
    if (e->kind == EX_READ || e->kind == EX_PAD) {
        mask[e->t->id] |= e->kind == EX_READ;
        for (int i = 0; i < e->t->rank; i++)
            mark_ix(e->idx[i], mask);
    }
    if (e->kind == EX_INT)
        mark_ix(e->ix, mask);
    mark_ex(e->a, mask);
    mark_ex(e->b, mask);
}

/* ---- the graph ---- */
static const Stmt *stmt_at(const Graph *g, int i)
{
    return i < g->fwd.n ? g->fwd.items[i] : g->bwd.items[i - g->fwd.n];
}

static void node_id(FILE *f, const Graph *g, int i)
{
    fprintf(f, "\"%c%d\"", i < g->fwd.n ? 'f' : 'b', i < g->fwd.n ? i : i - g->fwd.n);
}

static void stmt_node(FILE *f, const Graph *g, int i)
{
    const Stmt *s = stmt_at(g, i);
    const Tensor *t = s->out;
    const char *where = loc_text(s->loc);
    if (s->site.file && (s->site.file != s->loc.file || s->site.line != s->loc.line))
        where = arena_printf("%s (%s)", loc_text(s->site), where);
    fputs("    ", f);
    node_id(f, g, i);
    fputs(" [label=", f);
    const char *name = t->kind == TK_GRAD || !t->display ? t->name : t->display;   /* d_x, not x */
    dot_str(f, arena_printf("%s\n%s %s\n%s", emit_dot_op(s), name, shape_text(t, g), where));
    if (t == g->loss)
        fputs(", style=\"rounded,filled,bold\", fillcolor=\"gold\", penwidth=3", f);
    else if (t->kind == TK_GRAD && t->primal && t->primal->kind == TK_PARAM)
        fputs(", style=\"rounded,filled\", fillcolor=\"lightblue\"", f);
    fputs("];\n", f);
}

static void tensor_node(FILE *f, const Graph *g, const Tensor *t)
{
    fputs("  ", f);
    dot_str(f, arena_printf("t_%s", t->name));
    fputs(" [label=", f);
    dot_str(f, arena_printf("%s %s\n%s %s", t->kind == TK_PARAM ? "param" : "input",
                            t->display ? t->display : t->name, shape_text(t, g), loc_text(t->loc)));
    if (t->kind == TK_PARAM)
        fputs(", shape=ellipse, style=filled, fillcolor=\"lightblue\"", f);
    else
        fputs(", shape=invhouse, style=filled, fillcolor=\"lightgrey\"", f);
    fputs("];\n", f);
}

/* edges into statement i from the writers before it of every tensor it reads */
static void edges_into(FILE *f, const Graph *g, int i, char *mask)
{
    const Stmt *s = stmt_at(g, i);
    memset(mask, 0, (size_t)g->ntensors);
    mark_ex(s->e, mask);
    for (int k = 0; k < s->out->rank; k++)
        mark_ix(s->oidx[k], mask);
    for (int id = 0; id < g->ntensors; id++) {
        if (!mask[id])
            continue;
        const Tensor *t = g->tensors[id];
        if (t->kind == TK_PARAM || t->kind == TK_INPUT) {
            fputs("  ", f);
            dot_str(f, arena_printf("t_%s", t->name));
            fputs(" -> ", f);
            node_id(f, g, i);
            fputs(";\n", f);
            continue;
        }
        for (int w = 0; w < i; w++)
            if (stmt_at(g, w)->out == t) {
                fputs("  ", f);
                node_id(f, g, w);
                fputs(" -> ", f);
                node_id(f, g, i);
                fputs(";\n", f);
            }
    }
}

static void cluster(FILE *f, const Graph *g, const char *name, const char *label, int from, int to)
{
    fprintf(f, "  subgraph %s {\n    label=", name);
    dot_str(f, label);
    fputs(";\n    style=\"rounded\";\n    color=\"grey50\";\n", f);
    for (int i = from; i < to; i++)
        stmt_node(f, g, i);
    fputs("  }\n", f);
}

void emit_dot(FILE *f, const Graph *g)
{
    fputs("digraph ", f);
    dot_str(f, g->model);
    fputs(" {\n  // generated by mgc --emit=dot: the traced graph after autodiff, before the passes\n", f);
    fputs("  label=", f);
    dot_str(f, arena_printf("%s: T <= %ld, %ld parameters", g->source ? g->source : g->model, g->Tmax, g->nscalars));
    fputs(";\n  labelloc=t;\n  rankdir=TB;\n  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n"
          "  edge [color=\"grey40\"];\n", f);
    for (int i = 0; i < g->ntensors; i++)
        if (g->tensors[i]->kind == TK_PARAM || g->tensors[i]->kind == TK_INPUT)
            tensor_node(f, g, g->tensors[i]);
    int n = g->fwd.n + g->bwd.n;
    cluster(f, g, "cluster_forward", "forward", 0, g->fwd.n);
    cluster(f, g, "cluster_backward", "backward", g->fwd.n, n);
    char *mask = malloc((size_t)g->ntensors + 1);
    if (!mask)
        MGC_INTERNAL("out of memory");
    for (int i = 0; i < n; i++)
        edges_into(f, g, i, mask);
    free(mask);
    fputs("}\n", f);
}
