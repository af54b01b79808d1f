/* shapes.c: the shape and range checks of a trace (see trace_internal.h).
 * Every index stays inside its extent for every runtime length T, written
 * ranges are sane and unwritten ones inferred from the reads, a statement's
 * iterations are capped, and the model's outputs (logits, loss, its
 * parameters) are checked at the end.  Takes the loops of the statement being
 * built (Tr.sb); reports errors and adds nothing to the graph. */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "trace_internal.h"

/* ------------------------------------------------------- shapes as text */

static void print_shape_buf(char *buf, size_t cap, Tensor *t, int nb, const Graph *g)
{
    FILE *f = fmemopen(buf, cap, "w");
    if (!f) {
        snprintf(buf, cap, "[?]");
        return;
    }
    fputc('[', f);
    for (int k = nb; k < t->rank; k++) {
        if (k > nb)
            fputs(", ", f);
        ix_print(f, t->ext[k], g);
    }
    fputc(']', f);
    fclose(f);
}

const char *shape_str(Tr *tr, Tensor *t, int nb)
{
    char buf[256];
    print_shape_buf(buf, sizeof buf, t, nb, tr->g);
    return arena_strdup(buf);
}

/* A call as its reader sees it, its parameters with their arguments'
 * shapes: "cross_entropy(logits[T, 10], targets[T])". */
const char *call_text(Tr *tr, const Node *call, const Node *fn, Bind **args, int n)
{
    char buf[512];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    if (!f)
        return call->name;
    fprintf(f, "%s(", call->name);
    for (int i = 0; i < n; i++) {
        const Bind *a = args[i];
        fprintf(f, "%s%s", i ? ", " : "", fn->list.items[i]->name);
        if (a->kind != B_TENSOR && a->kind != B_VIEW)
            continue;
        Tensor t = {.rank = a->kind == B_TENSOR ? a->t->rank : a->view->rank};
        memcpy(t.ext, a->kind == B_TENSOR ? a->t->ext : a->view->ext, sizeof t.ext);
        char sh[256];
        print_shape_buf(sh, sizeof sh, &t, a->nb, tr->g);
        fputs(sh, f);
    }
    fputc(')', f);
    fclose(f);
    return arena_strdup(buf);
}

const char *ix_str(Tr *tr, Ix *x)
{
    char buf[256];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    if (!f)
        return "?";
    ix_print(f, x, tr->g);
    fclose(f);
    return arena_strdup(buf);
}

/* The cap on one statement's iterations: the product of its loops' ranges,
 * reductions included, at T = its bound. */
static const long MAX_ITERATIONS = 1000000000000L;

static long t_max(const Tr *tr);

static int same_loc(SrcLoc a, SrcLoc b) { return a.file == b.file && a.line == b.line && a.col == b.col; }

/* Refuse a statement whose loops run more than MAX_ITERATIONS times in all
 * (0), reported once per top-level statement.  Each range is already at most
 * MAX_EXTENT (check_range), but not their product. */
int check_iterations(Tr *tr, const Stmt *s)
{
    long total = 1, lo, hi, T = t_max(tr);
    int over = 0;
    for (int k = 0; k < s->nloop; k++) {
        int r = ix_interval(s->loops[k].hi, s->loops, s->nloop, T, T, tr->g->vocab, &lo, &hi);
        if (r == 0 || (r == 1 && hi <= 0))
            return 1;               /* an empty loop: no iteration at all */
        if (r == 1)
            over |= __builtin_mul_overflow(total, hi, &total);
    }
    if (!over && total <= MAX_ITERATIONS)
        return 1;
    if (same_loc(tr->too_long, tr->site))
        return 0;
    tr->too_long = tr->site;
    diag_error(tr->site, "this statement would run %s%ld iterations at T = %ld (the product of its loops' ranges); "
               "the cap is 10^12", over ? "more than " : "", over ? LONG_MAX : total, T);
    if (!same_loc(s->loc, tr->site))
        diag_note(s->loc, "in the loops of this part of it");
    return 0;
}

/* ------------------------------------------------------ bounds checking */

/* The largest T, and at least 1 (before 'dim' is declared). */
static long t_max(const Tr *tr) { return tr->g->Tmax > 0 ? tr->g->Tmax : 1; }

/* Interval of x over the loops in scope and every T (see ix_interval). */
int interval_all_T(Tr *tr, const Ix *x, long *lo, long *hi)
{
    return ix_interval(x, tr->sb.loops, tr->sb.nloops, 1, t_max(tr), tr->g->vocab, lo, hi);
}

/* Check 0 <= idx < ext for every value of the loops in scope and every T.  An
 * affine proof (ix_nonneg) or one interval over all T settles most indices at
 * once; only what neither can show is checked T by T, which also finds the T
 * that a message names. */
static int check_index_in(Tr *tr, Ix *idx, Ix *ext, const Node *at, const char *tname, int axis, SrcLoc decl)
{
    const Loop *L = tr->sb.loops;
    int n = tr->sb.nloops;
    long lo, hi, elo, ehi;
    int r = interval_all_T(tr, idx, &lo, &hi);
    if (r == IX_OVERFLOW) {
        diag_error(at->loc, "index %d of '%s' overflows: it can exceed the range of a 64-bit integer", axis + 1, tname);
        diag_note(decl, "'%s' defined here", tname);
        return 0;
    }
    if (r == 0)
        return 1;              /* a loop it needs never runs */
    int dependent = 0;
    for (int i = 0; i < n; i++)
        if (ix_mentions_var(ext, L[i].var))
            dependent = 1;
    Ix *room = ix_bin(IX_SUB, ix_bin(IX_SUB, ext, ix_const(1)), idx);    /* overflowed: not affine, proves nothing */
    if (ix_nonneg(idx, L, n, tr->g->Tmax) && ix_nonneg(room, L, n, tr->g->Tmax))
        return 1;
    if (dependent) {
        diag_error(at->loc, "cannot show that index %d of '%s' stays below its extent %s", axis + 1, tname,
                   ix_str(tr, ext));
        diag_note(decl, "'%s' defined here", tname);
        return 0;
    }
    if (r == 1 && lo >= 0 && interval_all_T(tr, ext, &elo, &ehi) == 1 && hi < elo)
        return 1;
    for (long T = 1; T <= tr->g->Tmax; T++) {
        r = ix_interval(idx, L, n, T, T, tr->g->vocab, &lo, &hi);
        if (r == 0)
            continue;
        if (r < 0 || ix_interval(ext, L, n, T, T, tr->g->vocab, &elo, &ehi) != 1) {
            diag_error(at->loc, "cannot bound index %d of '%s'", axis + 1, tname);
            return 0;
        }
        if (lo < 0 || hi >= elo) {
            if (lo < 0)
                diag_error(at->loc, "index %d of '%s' can be negative (as low as %ld)", axis + 1, tname, lo);
            else if (ix_is_const(ext, NULL))
                diag_error(at->loc, "index %d of '%s' is out of range: it reaches %ld but the extent is %ld", axis + 1,
                           tname, hi, elo);
            else
                diag_error(at->loc, "index %d of '%s' is out of range: it reaches %ld but the extent is %s (here %ld)",
                           axis + 1, tname, hi, ix_str(tr, ext), elo);
            if (tr->have_dim && (!ix_is_const(ext, NULL) || !ix_is_const(idx, NULL)))
                diag_note(at->loc, "with T = %ld", T);
            diag_note(decl, "'%s' defined here", tname);
            return 0;
        }
    }
    return 1;
}

/* check_index_in, and after an error inside a function a note at the call
 * whose arguments gave the extents. */
int check_index(Tr *tr, Ix *idx, Ix *ext, const Node *at, const char *tname, int axis, SrcLoc decl)
{
    int before = diag_errors();
    if (check_index_in(tr, idx, ext, at, tname, axis, decl))
        return 1;
    if (diag_errors() > before)
        diag_call_note(at->loc);
    return 0;
}

/* A read past the edge, x[idx] else fb: which sides of 0 <= idx < ext the
 * index can leave, for some value of the loops in scope and some T (a side
 * nothing shows it stays on is tested); 0 after an overflow, reported. */
int pad_tests(Tr *tr, Ix *idx, Ix *ext, const Node *at, const char *tname, int axis, SrcLoc decl, unsigned *lo_hi)
{
    const Loop *L = tr->sb.loops;
    int n = tr->sb.nloops;
    long lo, hi, elo, ehi;
    int r = interval_all_T(tr, idx, &lo, &hi);
    *lo_hi = 0;
    if (r == IX_OVERFLOW) {
        diag_error(at->loc, "index %d of '%s' overflows: it can exceed the range of a 64-bit integer", axis + 1, tname);
        diag_note(decl, "'%s' defined here", tname);
        return 0;
    }
    if (r == 0)
        return 1;
    int dependent = 0;
    for (int i = 0; i < n; i++)
        dependent |= ix_mentions_var(ext, L[i].var);
    int may_lo = !ix_nonneg(idx, L, n, tr->g->Tmax) && !(r == 1 && lo >= 0);
    Ix *room = ix_bin(IX_SUB, ix_bin(IX_SUB, ext, ix_const(1)), idx);
    int may_hi = !ix_nonneg(room, L, n, tr->g->Tmax);
    if (may_hi && !dependent && r == 1 && interval_all_T(tr, ext, &elo, &ehi) == 1 && hi < elo)
        may_hi = 0;
    if (may_hi && !dependent) {
        /* T by T: the index may stay below the extent at every T */
        may_hi = 0;
        for (long T = 1; T <= tr->g->Tmax && !may_hi; T++) {
            int rt = ix_interval(idx, L, n, T, T, tr->g->vocab, &lo, &hi);
            if (rt != 0)
                may_hi = rt < 0 || ix_interval(ext, L, n, T, T, tr->g->vocab, &elo, &ehi) != 1 || hi >= elo;
        }
    }
    *lo_hi = (may_lo ? 1u : 0u) | (may_hi ? 2u : 0u);
    return 1;
}

/* A written range 'r < hi' must not be negative and, like a loop bound or an
 * extent, at most MAX_EXTENT, for every T and every value of the outer loops. */
int check_range(Tr *tr, const Node *r, Ix *hi)
{
    long lo, h;
    int res = interval_all_T(tr, hi, &lo, &h);
    if (res == IX_OVERFLOW) {
        diag_error(r->a->loc, "the range of '%s' overflows: it can exceed the range of a 64-bit integer", r->name);
        return 0;
    }
    Ix *room = ix_bin(IX_SUB, ix_const(MAX_EXTENT), hi);
    if (!ix_nonneg(room, tr->sb.loops, tr->sb.nloops, tr->g->Tmax) && res == 1 && h > MAX_EXTENT) {
        diag_error(r->a->loc, "the range of '%s' must be at most %d, but it can reach %ld", r->name, MAX_EXTENT, h);
        return 0;
    }
    if (ix_nonneg(hi, tr->sb.loops, tr->sb.nloops, tr->g->Tmax) || (res == 1 && lo >= 0))
        return 1;
    for (long T = 1; T <= tr->g->Tmax; T++)
        if (ix_interval(hi, tr->sb.loops, tr->sb.nloops, T, T, tr->g->vocab, &lo, &h) == 1 && lo < 0) {
            diag_error(r->a->loc, "the range of '%s' can be negative", r->name);
            return 0;
        }
    return 1;
}

/* Does x mention IX_AXIS(j) for some lo <= j < hi? */
int mentions_axis_from(const Ix *x, int lo, int hi)
{
    switch (x->kind) {
    case IX_AXIS: return x->var >= lo && x->var < hi;
    case IX_CONST:
    case IX_T:
    case IX_VAR: return 0;
    case IX_READ: return mentions_axis_from(x->idx[0], lo, hi);
    case IX_PAD:
        for (int k = 0; k < x->var; k++)
            if (mentions_axis_from(x->idx[k], lo, hi))
                return 1;
        return mentions_axis_from(x->a, lo, hi) || mentions_axis_from(x->b, lo, hi);
    default: return mentions_axis_from(x->a, lo, hi) || mentions_axis_from(x->b, lo, hi);
    }
}

/* Collect extents for `var` from reads like x[..., var, ...] in the body. */
static void collect_uses(Tr *tr, const char *var, const Node *n, Ix **cand, int *nc, const char **from, int depth)
{
    if (!n || depth > 200)
        return;
    if (n->kind == A_REDUCE)
        for (int i = 0; i < n->list.n; i++)
            if (!strcmp(n->list.items[i]->name, var))
                return;   /* rebound inside: a different variable */
    if (n->kind == A_INDEX && (n->a->kind == A_NAME || n->a->kind == A_MEMBER)) {
        const char *name = path_name(tr, n->a, 1);
        Bind *b = name ? lookup(tr, name) : NULL;
        for (int k = 0; k < n->list.n && b && b->kind == B_POISON; k++)
            if (n->list.items[k]->kind == A_NAME && !strcmp(n->list.items[k]->name, var))
                (void)poisoned(tr, b);      /* it would have given the range */
        if (b && (b->kind == B_TENSOR || b->kind == B_VIEW)) {
            int prank = b->kind == B_TENSOR ? b->t->rank : b->view->rank;
            Ix **ext = b->kind == B_TENSOR ? b->t->ext : b->view->ext;
            for (int k = 0; k < n->list.n && b->nb + k < prank; k++) {
                const Node *ik = n->list.items[k];
                if (ik->kind != A_NAME || strcmp(ik->name, var))
                    continue;
                /* the extent, with batch axes and earlier plain-index axes substituted */
                Ix *phys[IR_MAX_RANK];
                int ok = 1;
                for (int j = 0; j < b->nb; j++)
                    phys[j] = ix_var(tr->sb.bvar[j]);
                for (int j = 0; j < k; j++) {
                    const Node *ij = n->list.items[j];
                    Bind *vb = ij->kind == A_NAME ? lookup(tr, ij->name) : NULL;
                    phys[b->nb + j] = vb && vb->kind == B_INDEX ? ix_var(vb->var) : NULL;
                }
                for (int j = b->nb + k; j < IR_MAX_RANK; j++)
                    phys[j] = NULL;
                Ix *e = ext[b->nb + k];
                /* an extent that needs an axis we could not name is no evidence */
                for (int j = b->nb; j < b->nb + k && ok; j++)
                    if (!phys[j]) {
                        if (mentions_axis_from(e, j, j + 1))
                            ok = 0;
                        else
                            phys[j] = ix_const(0);
                    }
                if (!ok || *nc >= 8)
                    continue;
                cand[*nc] = ix_subst_axes(e, phys);
                from[*nc] = b->name;
                (*nc)++;
            }
        }
    }
    if (n->a)
        collect_uses(tr, var, n->a, cand, nc, from, depth + 1);
    if (n->b)
        collect_uses(tr, var, n->b, cand, nc, from, depth + 1);
    for (int i = 0; i < n->list.n; i++)
        collect_uses(tr, var, n->list.items[i], cand, nc, from, depth + 1);
}

Ix *infer_range(Tr *tr, const char *var, const Node *body, const Node *at)
{
    Ix *cand[8];
    const char *from[8];
    int nc = 0, npoison = tr->npoison;
    collect_uses(tr, var, body, cand, &nc, from, 0);
    if (nc == 0) {
        if (tr->npoison == npoison)     /* else a poisoned tensor may have named it */
            diag_error(at->loc, "cannot infer the range of '%s'; write it, as in '%s < N'", var, var);
        return NULL;
    }
    for (int i = 1; i < nc; i++)
        if (!ix_equal(cand[i], cand[0])) {
            diag_error(at->loc, "the range of '%s' is ambiguous: %s from '%s' but %s from '%s'; write it, as in '%s < %s'",
                       var, ix_str(tr, cand[0]), from[0], ix_str(tr, cand[i]), from[i], var, ix_str(tr, cand[0]));
            return NULL;
        }
    return cand[0];
}

/* ------------------------------------------------------------ the model */

static Bind *top(Tr *tr, const char *name)
{
    return scope_find(tr->scope, name);
}

/* Does x read the token input at an index that can reach T (the last target)
 * in statement s?  Sampling only has tokens[0..T-1]. */
static int reads_target_ix(const Graph *g, const Stmt *s, const Ix *x)
{
    switch (x->kind) {
    case IX_READ: {
        /* T - 1 - idx >= 0 proves it at once; otherwise look T by T */
        Ix *room = ix_bin(IX_SUB, ix_bin(IX_SUB, ix_T(), ix_const(1)), x->idx[0]);
        int below_T = ix_nonneg(room, s->loops, s->nloop, g->Tmax);
        for (long T = 1; T <= g->Tmax && !below_T; T++) {
            long lo, hi;
            if (ix_interval(x->idx[0], s->loops, s->nloop, T, T, g->vocab, &lo, &hi) == 1 && hi >= T)
                return 1;
        }
        return reads_target_ix(g, s, x->idx[0]);
    }
    case IX_PAD:
        for (int k = 0; k < x->var; k++)
            if (reads_target_ix(g, s, x->idx[k]))
                return 1;
        return reads_target_ix(g, s, x->a) || reads_target_ix(g, s, x->b);
    case IX_CONST:
    case IX_T:
    case IX_VAR:
    case IX_AXIS: return 0;
    default: return reads_target_ix(g, s, x->a) || reads_target_ix(g, s, x->b);
    }
}

static int reads_target_ex(const Graph *g, const Stmt *s, const Ex *e)
{
    if (e->kind == EX_INT && reads_target_ix(g, s, e->ix))
        return 1;
    if (e->kind == EX_READ || e->kind == EX_PAD)
        for (int i = 0; i < e->t->rank; i++)
            if (reads_target_ix(g, s, e->idx[i]))
                return 1;
    return (e->a && reads_target_ex(g, s, e->a)) || (e->b && reads_target_ex(g, s, e->b));
}

/* The logits at position t may use tokens[0..t] at most, never the target tokens[T]. */
static void check_logits_inputs(Tr *tr)
{
    Graph *g = tr->g;
    char *need_t = arena_alloc((size_t)g->ntensors + 1);
    char *need_s = arena_alloc((size_t)g->fwd.n + 1);
    ir_depends(g, g->logits, need_t, need_s);
    for (int i = 0; i < g->fwd.n; i++) {
        const Stmt *s = g->fwd.items[i];
        if (need_s[i] && reads_target_ex(g, s, s->e)) {
            diag_error(s->loc, "the logits depend on tokens[T], the last target: sampling cannot know it");
            return;
        }
    }
}

void check_outputs(Tr *tr, const Node *prog)
{
    Graph *g = tr->g;
    SrcLoc end = prog->loc;
    if (!tr->have_dim && !tr->have_input)
        diag_error(end, "the model declares no runtime length; add 'dim T <= block_size'");
    if (!tr->have_input)
        diag_error(end, "the model declares no input; add 'input tokens[T + 1] < vocab'");
    if (!tr->have_input)
        return;
    Bind *logits = top(tr, "logits"), *loss = top(tr, "loss");
    if (!g->tokens) {
        /* a model of examples: its logits, if any, are its output, of any shape */
        if (logits && logits->kind == B_TENSOR && logits->t->kind != TK_ACT)
            diag_error(logits->loc, "'logits' must be computed, not %s", a_kind(logits));
        else if (logits && logits->kind == B_TENSOR)
            g->logits = logits->t;
    } else if (!logits || logits->kind != B_TENSOR) {
        diag_error(end, "the model must define 'logits', the next-token scores of shape [T, %d]", g->vocab);
    } else {
        Tensor *t = logits->t;
        if (t->rank != 2 || !ix_equal(t->ext[0], ix_T()) || !ix_equal(t->ext[1], ix_const(g->vocab))) {
            diag_error(logits->loc, "'logits' must have shape [T, %d], but it has %s", g->vocab, shape_str(tr, t, 0));
        } else if (t->kind != TK_ACT) {
            diag_error(logits->loc, "'logits' must be computed, not a parameter");
        }
        g->logits = t;
        check_logits_inputs(tr);
    }
    if (!loss || loss->kind != B_TENSOR) {
        diag_error(end, "the model must define 'loss', the scalar to minimise");
    } else if (loss->t->rank != 0) {
        diag_error(loss->loc, "'loss' must be a scalar, but it has shape %s", shape_str(tr, loss->t, 0));
    } else if (loss->t->kind != TK_ACT) {
        diag_error(loss->loc, "'loss' must be computed, not a parameter");
    } else {
        g->loss = loss->t;
    }
    if (g->nparams == 0)
        diag_error(end, "the model declares no parameters");
    /* a parameter that nothing reads is probably a mistake */
    char *used = arena_alloc((size_t)g->ntensors + 1);
    for (int s = 0; s < g->fwd.n; s++) {
        const Ex *stack[256];
        int sp = 0;
        stack[sp++] = g->fwd.items[s]->e;
        while (sp) {
            const Ex *e = stack[--sp];
            if (e->kind == EX_READ)
                used[e->t->id] = 1;
            if (e->a && sp < 255) stack[sp++] = e->a;
            if (e->b && sp < 255) stack[sp++] = e->b;
        }
    }
    for (int i = 0; i < g->nparams; i++)
        if (!used[g->params[i]->id])
            diag_warning(g->params[i]->loc, "parameter '%s' is never used", g->params[i]->display);
}

/* ---------------------------------------------------------- broadcasting */

/* The shape of part of `y = expr`, over the statement's implicit axes
 * (tr->sb.impl_var): its last `rank` axes of impl_rank, extents over their
 * loop variables; ext[k] for k < impl_rank - rank is unused. */
typedef struct Shape {
    int rank;
    Ix *ext[IR_MAX_RANK];
} Shape;

/* An unindexed operand with axes of its own (an unindexed scalar is rank 0). */
Bind *whole_operand(Tr *tr, const Node *n)
{
    const char *name = path_name(tr, n, 1);
    Bind *b = name ? lookup(tr, name) : NULL;
    if (b && b->kind == B_TENSOR && b->t->rank > b->nb)
        return b;
    if (b && b->kind == B_VIEW && b->view->rank > b->nb)
        return b;
    return NULL;
}

static int bind_rank(const Bind *b) { return (b->kind == B_TENSOR ? b->t->rank : b->view->rank) - b->nb; }

/* The most axes an unindexed operand of n has: the statement's rank.  Reads
 * and reductions are numbers; a chain (a + b + ... + z) is walked down its
 * left spine in a loop, so only nesting recurses. */
int whole_rank(Tr *tr, const Node *n)
{
    int r = 0;
    for (; n; n = n->kind == A_BINARY || n->kind == A_UNARY ? n->a : NULL) {
        if (n->kind == A_NAME || n->kind == A_MEMBER) {
            Bind *b = whole_operand(tr, n);
            int rb = b ? bind_rank(b) : 0;
            return rb > r ? rb : r;
        }
        if (n->kind == A_CALL && op_builtin(n->name))
            for (int i = 0; i < n->list.n; i++) {
                int ri = whole_rank(tr, n->list.items[i]);
                r = ri > r ? ri : r;
            }
        if (n->kind == A_BINARY) {
            int rb = whole_rank(tr, n->b);
            r = rb > r ? rb : r;
        }
    }
    return r;
}

/* The shape of operand b, its axes aligned with the statement's last ones. */
static void operand_shape(Tr *tr, const Bind *b, Shape *s)
{
    int R = tr->sb.impl_rank, r = bind_rank(b);
    Ix **ext = b->kind == B_TENSOR ? b->t->ext : b->view->ext;
    Ix *phys[IR_MAX_RANK];
    for (int k = 0; k < b->nb; k++)
        phys[k] = ix_var(tr->sb.bvar[k]);
    for (int j = 0; j < r; j++)
        phys[b->nb + j] = ix_var(tr->sb.impl_var[R - r + j]);
    s->rank = r;
    for (int j = 0; j < r; j++)
        s->ext[R - r + j] = ix_subst_axes(ext[b->nb + j], phys);
}

/* Extent x of shape s as the user reads it: the statement's loop variables
 * back to the shape's own axes, as a tensor's shape prints them. */
static Ix *own_axes(Tr *tr, const Shape *s, Ix *x)
{
    int R = tr->sb.impl_rank, off = R - s->rank;
    for (int m = off; m < R; m++)
        x = ix_subst_var(x, tr->sb.impl_var[m], ix_axis(m - off));
    return x;
}

/* "[T, 64]" */
static const char *shape_text(Tr *tr, const Shape *s)
{
    int R = tr->sb.impl_rank;
    char buf[256];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    if (!f)
        return "[?]";
    fputc('[', f);
    for (int k = R - s->rank; k < R; k++) {
        fputs(k > R - s->rank ? ", " : "", f);
        ix_print(f, own_axes(tr, s, s->ext[k]), tr->g);
    }
    fputc(']', f);
    fclose(f);
    return arena_strdup(buf);
}

static int is_one(const Ix *x)
{
    long c;
    return ix_is_const(x, &c) && c == 1;
}

/* a op b into a, NumPy's rule over trailing axes: an axis present in both
 * has the same extent in both (the same index expression, so a causal range
 * only meets an equal one) or 1 in one of them.  0 after an error at `at`. */
static int combine(Tr *tr, const Node *at, const char *op, Shape *a, const Shape *b)
{
    int R = tr->sb.impl_rank, r = a->rank > b->rank ? a->rank : b->rank;
    for (int k = R - b->rank; k < R; k++) {
        if (k < R - a->rank || is_one(a->ext[k]) || is_one(b->ext[k]) || ix_equal(a->ext[k], b->ext[k]))
            continue;
        diag_error(at->loc, "shape mismatch in '%s': %s and %s: axis %d is %s against %s", op, shape_text(tr, a),
                   shape_text(tr, b), k - (R - r) + 1, ix_str(tr, own_axes(tr, a, a->ext[k])),
                   ix_str(tr, own_axes(tr, b, b->ext[k])));
        diag_call_note(at->loc);
        return 0;
    }
    for (int k = R - b->rank; k < R; k++)
        if (k < R - a->rank || is_one(a->ext[k]))
            a->ext[k] = b->ext[k];
    a->rank = r;
    return 1;
}

static int node_shape(Tr *tr, const Node *n, Shape *s);

/* A chain a + b + ... + z, left to right down its spine (it may be long). */
static int chain_shape(Tr *tr, const Node *n, Shape *s)
{
    int len = 0;
    for (const Node *p = n; p->kind == A_BINARY; p = p->a)
        len++;
    const Node **spine = arena_alloc((size_t)len * sizeof *spine);
    int i = len;
    for (const Node *p = n; p->kind == A_BINARY; p = p->a)
        spine[--i] = p;
    if (!node_shape(tr, spine[0]->a, s))
        return 0;
    for (i = 0; i < len; i++) {
        Shape b;
        if (!node_shape(tr, spine[i]->b, &b) || !combine(tr, spine[i], ast_op_name(spine[i]->op), s, &b))
            return 0;
    }
    return 1;
}

/* The shape of n, a part of `y = expr` (whole_rank's walk); 0 after an error. */
static int node_shape(Tr *tr, const Node *n, Shape *s)
{
    s->rank = 0;
    switch (n->kind) {
    case A_NAME:
    case A_MEMBER: {
        Bind *b = whole_operand(tr, n);
        if (b)
            operand_shape(tr, b, s);
        return 1;
    }
    case A_UNARY: return node_shape(tr, n->a, s);
    case A_BINARY: return chain_shape(tr, n, s);
    case A_CALL:
        for (int i = 0; i < n->list.n && op_builtin(n->name); i++) {
            Shape b;
            if (!node_shape(tr, n->list.items[i], &b) || !combine(tr, n, n->name, s, &b))
                return 0;
        }
        return 1;
    default: return 1;
    }
}

/* The extents of `y = expr` broadcast from its operands, over the implicit
 * axes tr->sb.impl_var[0..impl_rank) (set by the caller); 0 after an error. */
int broadcast_shape(Tr *tr, const Node *rhs, Ix **ext)
{
    Shape s;
    if (!node_shape(tr, rhs, &s))
        return 0;
    if (s.rank != tr->sb.impl_rank)
        MGC_INTERNAL("broadcast rank");
    for (int k = 0; k < s.rank; k++)
        ext[k] = s.ext[k];
    return 1;
}
