/* lower.c: lowering the syntax tree to graph statements (see trace_internal.h).
 * Statements are built in a StmtBuilder: batch loops, output loops,
 * reduction loops.  Element expressions become Ix (integers) and Ex (reals);
 * reductions below the root of an expression and arguments that are
 * expressions become statements of their own before the current one.  A
 * function call opens a frame, a Scope of its own, that sees its parameters
 * and the top-level declarations only, and runs its body with `depth` extra
 * leading batch axes when its arguments have more axes than it declares. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <string.h>

#include "arena.h"
#include "ops.h"
#include "trace_internal.h"

/* ----------------------------------------------------- statement builder */

static int new_var(Tr *tr, const char *hint) { return ir_new_var(tr->g, hint); }

static int loop_index(Tr *tr, int var)
{
    for (int i = 0; i < tr->sb.nloops; i++)
        if (tr->sb.loops[i].var == var)
            return i;
    return -1;
}

static int push_loop(Tr *tr, int var, Ix *hi, SrcLoc loc)
{
    if (tr->sb.nloops >= IR_MAX_LOOPS) {
        diag_error(loc, "too many nested index ranges (at most %d)", IR_MAX_LOOPS);
        return 0;
    }
    tr->sb.loops[tr->sb.nloops].var = var;
    tr->sb.loops[tr->sb.nloops].hi = hi;
    tr->sb.nloops++;
    return 1;
}

/* Batch extents of the frame, with axes replaced by the batch loop variables. */
static Ix *batch_ix(Tr *tr, Ix *x)
{
    Ix *axes[IR_MAX_LOOPS];
    for (int k = 0; k < IR_MAX_LOOPS; k++)
        axes[k] = k < tr->sb.nbatch ? ix_var(tr->sb.bvar[k]) : ix_axis(k);
    return ix_subst_axes(x, axes);
}

void begin_stmt(Tr *tr, SrcLoc loc)
{
    memset(&tr->sb, 0, sizeof tr->sb);
    for (int k = 0; k < tr->depth; k++) {
        int v = new_var(tr, arena_printf("b%d", k));
        tr->sb.bvar[k] = v;
        tr->sb.nbatch = k + 1;
        push_loop(tr, v, batch_ix(tr, tr->bext[k]), loc);
    }
}

/* Map the loop variables of loops[0..n) to tensor axes 0..n-1. */
static Ix *vars_to_axes(Ix *x, const Loop *loops, int n)
{
    for (int k = 0; k < n; k++)
        x = ix_subst_var(x, loops[k].var, ix_axis(k));
    return x;
}

static Tensor *new_act(Tr *tr, const char *name, const Loop *loops, int n, SrcLoc loc)
{
    Ix *ext[IR_MAX_RANK];
    if (n > IR_MAX_RANK) {
        diag_error(loc, "tensor '%s' would have %d axes; at most %d are supported", name, n, IR_MAX_RANK);
        return NULL;
    }
    for (int k = 0; k < n; k++)
        ext[k] = vars_to_axes(loops[k].hi, loops, k);
    const char *display = tr->prefix ? arena_printf("%s%s", tr->prefix, name) : name;
    return ir_new_tensor(tr->g, TK_ACT, display, n, ext, loc);
}

static Stmt *make_stmt(Tr *tr, Tensor *out, const Loop *loops, int nout, const Loop *red, int nred,
                       RedKind rk, Ex *e, SrcLoc loc)
{
    Stmt *s = ir_new_stmt(loc);
    s->site = tr->site;
    for (int k = 0; k < nout; k++) {
        s->loops[k] = loops[k];
        s->oidx[k] = ix_var(loops[k].var);
    }
    for (int k = 0; k < nred; k++)
        s->loops[nout + k] = red[k];
    s->nloop = nout + nred;
    s->nred = nred;
    s->red = nred ? rk : RED_NONE_;
    s->out = out;
    s->e = e;
    if (!check_iterations(tr, s))
        return NULL;
    ir_push(&tr->g->fwd, s);
    return s;
}

/* ------------------------------------------------ element expressions */

static Val v_err(void) { Val v = {V_ERR, NULL, NULL}; return v; }
static Val v_int(Ix *ix) { Val v = {V_INT, ix, NULL}; return v; }
static Val v_real(Ex *e) { Val v = {V_REAL, NULL, e}; return v; }

/* a k b for integer values at `at`: NULL after an error when folding it, or
 * any value it can take over the loops in scope and every T, overflows a long. */
static Ix *int_op(Tr *tr, const Node *at, const char *what, IxKind k, Ix *a, Ix *b)
{
    long lo, hi;
    int overflow = 0;
    Ix *x = ix_bin_checked(k, a, b, &overflow);
    if (overflow || interval_all_T(tr, x, &lo, &hi) == IX_OVERFLOW) {
        diag_error(at->loc, "integer overflow in %s: it can exceed the range of a 64-bit integer", what);
        return NULL;
    }
    return x;
}

/* a folded real constant, finite (finite_const) */
static Val real_const(const Node *n, double r) { return finite_const(n, r) ? v_real(ex_const(r)) : v_err(); }

static Ex *to_real(Val v)
{
    long c;
    if (v.kind == V_REAL)
        return v.e;
    if (ix_is_const(v.ix, &c))
        return ex_const((double)c);
    return ex_int(v.ix);
}

static Bind *call_fn(Tr *tr, const Node *call);
static Bind *materialize(Tr *tr, const Node *n, const char *name);

/* nograd(a): a's value, through which no gradient passes (not an element op
 * of ops.def: EX_NOGRAD is the graph's own) */
static int is_nograd(const char *name) { return !strcmp(name, "nograd"); }

static RedKind red_kind(int op) { return op == RED_MAX ? RED_MAX_ : op == RED_MIN ? RED_MIN_ : RED_SUM_; }

const char *const tr_builtins[] = {"where", "max", "min", "clamp", "nograd", NULL};

int tr_is_builtin(const char *name)
{
    if (op_builtin(name))
        return 1;
    for (int i = 0; tr_builtins[i]; i++)
        if (!strcmp(tr_builtins[i], name))
            return 1;
    return 0;
}

static int is_builtin(const char *name) { return tr_is_builtin(name); }

/* Resolve a tensor-valued expression used as a read base: a path or a call. */
static Bind *resolve_base(Tr *tr, const Node *n)
{
    if (n->kind == A_CALL && !is_builtin(n->name))
        return call_fn(tr, n);
    if (n->kind == A_NAME || n->kind == A_MEMBER || n->kind == A_INDEX) {
        const char *name = path_name(tr, n, 0);
        if (!name)
            return NULL;
        Bind *b = lookup(tr, name);
        if (!b)
            unknown_name(tr, n->loc, name, 0);
        return poisoned(tr, b) ? NULL : b;
    }
    diag_error(n->loc, "only a tensor name or a function call can be indexed");
    return NULL;
}

/* The tests of a read past the edge of `b` at phys, one pair per logical
 * axis the index can leave; fb: the fallback; 0 after an error. */
static int read_tests(Tr *tr, Bind *b, Ix **phys, Ix **idx, int ni, const Node *at, Node *const *inodes,
                      const char *name, unsigned *pad)
{
    Ix **ext = b->kind == B_TENSOR ? b->t->ext : b->view->ext;
    *pad = 0;
    for (int k = 0; k < ni; k++) {
        unsigned lo_hi;
        Ix *e = ix_subst_axes(ext[b->nb + k], phys);
        if (!pad_tests(tr, idx[k], e, inodes ? inodes[k] : at, name, k, b->loc, &lo_hi))
            return 0;
        *pad |= lo_hi << (2 * (b->nb + k));
    }
    return 1;
}

/* A simple operand's spelling for a message ("vocab", "1"), or NULL. */
static const char *operand_text(const Node *n)
{
    return n->kind == A_NAME ? n->name : n->kind == A_NUM ? n->text : NULL;
}

/* `C[tokens[t - 1] else vocab - 1]` is `C[(tokens[t - 1] else vocab) - 1]`:
 * when an index of that form fails its check, say how it was read. */
static void note_fallback_operand(const Node *idx)
{
    if (!idx || idx->kind != A_BINARY || idx->a->kind != A_INDEX || !idx->a->b)
        return;
    const char *fb = operand_text(idx->a->b), *rest = operand_text(idx->b), *op = ast_op_name(idx->op);
    if (fb && rest)
        diag_note(idx->loc, "'else' binds tighter than '%s', so the fallback is '%s' and '%s %s' applies to the read "
                  "as well; write 'else (%s %s %s)'", op, fb, op, rest, fb, op, rest);
    else
        diag_note(idx->loc, "'else' binds tighter than '%s', which applies to the read too; bracket the fallback, "
                  "as in 'else (a %s b)'", op, op);
}

/* A fallback whose read never leaves its axes: warned once per place, though
 * a `for` loop or a function traces it again. */
static void warn_unused_fallback(Tr *tr, const Node *at, const char *name, int ni)
{
    for (int i = 0; i < tr->nunused_fb; i++) {
        SrcLoc l = tr->unused_fb[i];
        if (l.file == at->loc.file && l.line == at->loc.line && l.col == at->loc.col)
            return;
    }
    if (tr->nunused_fb < (int)(sizeof tr->unused_fb / sizeof tr->unused_fb[0]))
        tr->unused_fb[tr->nunused_fb++] = at->loc;
    diag_warning(at->loc, "the %s of '%s' never leave%s %s ax%s, so this fallback is never used",
                 ni == 1 ? "index" : "indices", name, ni == 1 ? "s" : "", ni == 1 ? "its" : "their",
                 ni == 1 ? "is" : "es");
}

/* Read tensor or view `b` at logical indices idx[0..ni); with a fallback
 * (fb), a read past the edge: the indices may leave their axes. */
static Val read_at(Tr *tr, Bind *b, Ix **idx, int ni, const Node *at, Node *const *inodes, const char *name,
                   const Val *fb)
{
    int nb = b->nb;
    int prank = b->kind == B_TENSOR ? b->t->rank : b->view->rank;
    Ix **ext = b->kind == B_TENSOR ? b->t->ext : b->view->ext;
    if (ni != prank - nb) {
        if (ni == 0)
            diag_error(at->loc, "'%s' has shape %s; index it, as in %s[...]", name,
                       b->kind == B_TENSOR ? shape_str(tr, b->t, nb) : "(integer tensor)", name);
        else
            diag_error(at->loc, "'%s' has %d ax%s but is indexed with %d index%s", name, prank - nb,
                       prank - nb == 1 ? "is" : "es", ni, ni == 1 ? "" : "es");
        diag_note(b->loc, "'%s' defined here", name);
        return v_err();
    }
    Ix *phys[IR_MAX_RANK];
    for (int k = 0; k < nb; k++)
        phys[k] = ix_var(tr->sb.bvar[k]);
    for (int k = 0; k < ni; k++)
        phys[nb + k] = idx[k];
    unsigned pad = 0;
    if (fb && !read_tests(tr, b, phys, idx, ni, at, inodes, name, &pad))
        return v_err();
    for (int k = 0; k < ni && !fb; k++) {
        Ix *e = ix_subst_axes(ext[nb + k], phys);
        if (!check_index(tr, idx[k], e, inodes ? inodes[k] : at, name, k, b->loc)) {
            note_fallback_operand(inodes ? inodes[k] : NULL);
            return v_err();
        }
    }
    if (fb && !pad)
        warn_unused_fallback(tr, at, name, ni);
    if (b->kind == B_VIEW) {
        Ix *in = ix_subst_axes(b->view->tmpl, phys);
        return v_int(pad ? ix_pad(phys, prank, ext, pad, in, fb->ix) : in);
    }
    Ex *r = ex_read(b->t, prank, phys);
    return v_real(pad ? ex_pad(b->t, phys, pad, r, to_real(*fb)) : r);
}

/* An unindexed reference in an element expression: read at the statement's
 * last axes (broadcast_shape made them agree), an axis of extent 1 against a
 * longer one at 0. */
static Val read_whole(Tr *tr, Bind *b, const Node *at, const char *name)
{
    int prank = b->kind == B_TENSOR ? b->t->rank : b->view->rank;
    int lrank = prank - b->nb, R = tr->sb.impl_rank;
    if (lrank == 0 || R == 0)
        return read_at(tr, b, NULL, 0, at, NULL, name, NULL);
    if (R < lrank) {
        diag_error(at->loc, "'%s' has shape %s, but this statement's shape has %d ax%s", name,
                   b->kind == B_TENSOR ? shape_str(tr, b->t, b->nb) : "(integer)", R, R == 1 ? "is" : "es");
        diag_note(b->loc, "'%s' defined here", name);
        return v_err();
    }
    Ix **ext = b->kind == B_TENSOR ? b->t->ext : b->view->ext;
    Ix *idx[IR_MAX_RANK], *phys[IR_MAX_RANK];
    for (int k = 0; k < b->nb; k++)
        phys[k] = ix_var(tr->sb.bvar[k]);
    for (int k = 0; k < lrank; k++) {
        int v = tr->sb.impl_var[R - lrank + k];
        phys[b->nb + k] = idx[k] = ix_var(v);
        Ix *e = ix_subst_axes(ext[b->nb + k], phys), *hi = tr->sb.loops[loop_index(tr, v)].hi;
        long c;
        if (ix_equal(e, hi))
            continue;
        if (ix_is_const(e, &c) && c == 1) {
            idx[k] = ix_const(0);
            continue;
        }
        diag_error(at->loc, "shape mismatch: axis %d of '%s' has extent %s, but the statement's has %s", k + 1,
                   name, ix_str(tr, e), ix_str(tr, hi));
        diag_note(b->loc, "'%s' defined here", name);
        diag_call_note(at->loc);
        return v_err();
    }
    return read_at(tr, b, idx, lrank, at, NULL, name, NULL);
}

static Val elab_ref(Tr *tr, const Node *n)
{
    Bind *b = resolve_base(tr, n);
    if (!b)
        return v_err();
    const char *name = n->kind == A_CALL ? n->name : b->name;
    switch (b->kind) {
    case B_INT: return v_int(ix_const(b->ival));
    case B_REAL: return v_real(ex_const(b->rval));
    case B_DIM: return v_int(ix_T());
    case B_SHAPE: return v_int(batch_ix(tr, b->ix));
    case B_INDEX:
        if (loop_index(tr, b->var) < 0) {
            diag_error(n->loc, "index '%s' cannot be used here: function arguments are whole tensors", name);
            return v_err();
        }
        return v_int(ix_var(b->var));
    case B_TENSOR:
    case B_VIEW: return read_whole(tr, b, n, name);
    case B_FN:
        diag_error(n->loc, "'%s' is a function; call it with (...)", name);
        return v_err();
    case B_POISON: return v_err();     /* resolve_base returns no poison */
    }
    return v_err();
}

static Val elab_index(Tr *tr, const Node *n)
{
    /* a path like layer[l].w is a name, not an element read */
    Bind *b = resolve_base(tr, n->a);
    if (!b)
        return v_err();
    const char *name = n->a->kind == A_CALL ? n->a->name : b->name;
    if (b->kind != B_TENSOR && b->kind != B_VIEW) {
        diag_error(n->loc, "'%s' is %s and cannot be indexed", name, a_kind(b));
        return v_err();
    }
    if (n->list.n > IR_MAX_RANK) {
        diag_error(n->loc, "too many indices");
        return v_err();
    }
    Ix *idx[IR_MAX_RANK];
    for (int k = 0; k < n->list.n; k++) {
        Val v = elab(tr, n->list.items[k]);
        if (v.kind == V_ERR)
            return v;
        if (v.kind != V_INT) {
            diag_error(n->list.items[k]->loc, "an index must be an integer expression%s",
                       n->list.items[k]->kind == A_BINARY && n->list.items[k]->op == '/' ?
                       " (use '//' for floor division)" : "");
            const Node *in = n->list.items[k];
            Bind *r = in->kind == A_NAME ? lookup(tr, in->name) : NULL;
            if (r && r->kind == B_TENSOR && r->t->kind == TK_DATA)
                diag_note(r->loc, "'%s' is a real input; an integer label is declared with its range, as in "
                          "'input %s < 10'", r->name, r->name);
            return v_err();
        }
        idx[k] = v.ix;
    }
    if (b->rec && tr->rec) {     /* a recurrence's own tensor (recur.c): its fallback is its start */
        if (!rec_read(tr, b->rec, idx, n))
            return v_err();
        return read_at(tr, b, idx, n->list.n, n, n->list.items, name, NULL);
    }
    if (!n->b)
        return read_at(tr, b, idx, n->list.n, n, n->list.items, name, NULL);
    Val fb = elab(tr, n->b);
    if (fb.kind == V_ERR)
        return fb;
    if (b->kind == B_VIEW && fb.kind != V_INT) {
        diag_error(n->b->loc, "the fallback of a read of the integer tensor '%s' must be an integer expression, "
                   "as its elements are", name);
        return v_err();
    }
    return read_at(tr, b, idx, n->list.n, n, n->list.items, name, &fb);
}

/* Free loop variables of an expression, as a mask over the loop stack. */
static void vars_ix(Tr *tr, const Ix *x, int *mask)
{
    switch (x->kind) {
    case IX_VAR: {
        int i = loop_index(tr, x->var);
        if (i >= 0)
            mask[i] = 1;
        break;
    }
    case IX_READ: vars_ix(tr, x->idx[0], mask); break;
    case IX_PAD:
        for (int k = 0; k < x->var; k++)
            vars_ix(tr, x->idx[k], mask);
        vars_ix(tr, x->a, mask);
        vars_ix(tr, x->b, mask);
        break;
    case IX_CONST:
    case IX_T:
    case IX_AXIS: break;
    default:
        vars_ix(tr, x->a, mask);
        vars_ix(tr, x->b, mask);
    }
}

static void vars_ex(Tr *tr, const Ex *e, int *mask)
{
    if (e->kind == EX_READ || e->kind == EX_PAD)
        for (int i = 0; i < e->t->rank; i++)
            vars_ix(tr, e->idx[i], mask);
    if (e->kind == EX_INT)
        vars_ix(tr, e->ix, mask);
    if (e->a)
        vars_ex(tr, e->a, mask);
    if (e->b)
        vars_ex(tr, e->b, mask);
}

/* Bind the ranges of a reduction or an indexed left-hand side, pushing loops.
 * Returns the number bound, or -1 after an error. */
static int bind_ranges(Tr *tr, const NodeList *ranges, const Node *body, Bind **binds)
{
    for (int k = 0; k < ranges->n; k++) {
        const Node *r = ranges->items[k];
        for (int j = 0; j < k; j++)
            if (!strcmp(ranges->items[j]->name, r->name)) {
                diag_error(r->loc, "index '%s' is bound twice", r->name);
                return -1;
            }
        Bind *old = lookup(tr, r->name);
        if (old && old->kind != B_INDEX && old->kind != B_TENSOR && old->kind != B_VIEW && old->kind != B_POISON) {
            diag_error(r->loc, "index '%s' shadows the %s '%s'", r->name, kind_word(old), r->name);
            diag_note(old->loc, "'%s' defined here", r->name);
            return -1;
        }
        Ix *hi;
        if (r->a) {
            Val v = elab(tr, r->a);
            if (v.kind == V_ERR)
                return -1;
            if (v.kind != V_INT) {
                diag_error(r->a->loc, "the range of '%s' must be an integer expression", r->name);
                return -1;
            }
            hi = r->op == OP_LE ? int_op(tr, r->a, arena_printf("the range of '%s'", r->name), IX_ADD, v.ix, ix_const(1)) : v.ix;
            if (!hi)
                return -1;
            if (!ix_is_affine(hi)) {
                diag_error(r->a->loc, "the range of '%s' must be affine in T and earlier indices", r->name);
                return -1;
            }
            if (!check_range(tr, r, hi))
                return -1;
        } else {
            hi = infer_range(tr, r->name, body, r);
            if (!hi)
                return -1;
        }
        int v = new_var(tr, r->name);
        if (!push_loop(tr, v, hi, r->loc))
            return -1;
        Bind *b = new_bind(tr, r->name, B_INDEX, r->loc);
        b->var = v;
        push_bind(tr, b);
        binds[k] = b;
    }
    return ranges->n;
}

static void unbind(Tr *tr, Bind **binds, int n)
{
    for (int k = 0; k < n; k++)
        unlink_bind(tr, binds[k]);
}

/* sum/max/mean below the root: a statement of its own over the loops it needs. */
/* Does expression n mention one of the reduction ranges' names?  (Chains
 * are walked down their left spine in a loop: they may be long.) */
static int mentions_range(const Node *n, const NodeList *ranges)
{
    for (; n; n = n->a) {
        if (n->kind == A_NAME)
            for (int k = 0; k < ranges->n; k++)
                if (!strcmp(n->name, ranges->items[k]->name))
                    return 1;
        if (n->b && mentions_range(n->b, ranges))
            return 1;
        for (int k = 0; k < n->list.n; k++)
            if (mentions_range(n->list.items[k], ranges))
                return 1;
    }
    return 0;
}

/* The trap `y[o] = sum(i) w[o, i] * x[i] + b[o]`: the body of a sum is a sum
 * of terms and one of them does not depend on the sum's indices, so it is
 * added once for every one of them (16 times b[o]), where the bias was meant
 * once.  A warning that shows the fix (models/README.md says why not an
 * error).  Only for sum: max(i) (a[i] + b) and mean(i) (a[i] + b) are
 * max(a) + b and mean(a) + b. */
static void check_sum_terms(const Node *n)
{
    const NodeList *ranges = &n->list;
    const Node *lone = NULL;
    int indexed = 0;
    for (const Node *t = n->b;; t = t->a) {
        int chain = t->kind == A_BINARY && (t->op == '+' || t->op == '-');
        const Node *term = chain ? t->b : t;
        if (mentions_range(term, ranges))
            indexed = 1;
        else
            lone = term;
        if (!chain)
            break;
    }
    if (!lone || !indexed)
        return;
    char names[256] = "";
    size_t w = 0;
    for (int k = 0; k < ranges->n && w < sizeof names; k++)
        w += (size_t)snprintf(names + w, sizeof names - w, "%s'%s'", k ? ", " : "", ranges->items[k]->name);
    if (ranges->n == 1)
        diag_warning(lone->loc, "this term does not depend on the sum's index %s, so the sum adds it once for every %s",
                   names, names);
    else
        diag_warning(lone->loc, "this term does not depend on the sum's indices %s, so the sum adds it once for every "
                   "combination of them", names);
    diag_note(n->loc, "to add it once, write it outside the sum, as in (sum(...) ...) + term; to add it for every "
              "term, multiply it by their number");
}

static Val hoist_reduce(Tr *tr, const Node *n)
{
    int base = tr->sb.nloops;
    Bind *binds[IR_MAX_LOOPS];
    int nr = bind_ranges(tr, &n->list, n->b, binds);
    if (nr < 0) {
        tr->sb.nloops = base;
        return v_err();
    }
    Val body = elab(tr, n->b);
    if (body.kind != V_ERR && n->op == RED_SUM)
        check_sum_terms(n);
    Loop red[IR_MAX_LOOPS];
    memcpy(red, tr->sb.loops + base, (size_t)nr * sizeof *red);
    unbind(tr, binds, nr);
    if (body.kind == V_ERR) {
        tr->sb.nloops = base;
        return body;
    }
    Ex *e = to_real(body);
    int mask[IR_MAX_LOOPS] = {0};
    vars_ex(tr, e, mask);
    for (int k = 0; k < nr; k++)
        vars_ix(tr, red[k].hi, mask);
    tr->sb.nloops = base;
    /* close over the loops that needed loops' bounds mention */
    for (int i = base - 1; i >= 0; i--)
        if (mask[i])
            vars_ix(tr, tr->sb.loops[i].hi, mask);
    Loop outer[IR_MAX_LOOPS];
    int no = 0;
    for (int i = 0; i < base; i++)
        if (mask[i])
            outer[no++] = tr->sb.loops[i];
    Tensor *t = new_act(tr, ir_red_name(red_kind(n->op)), outer, no, n->loc);
    if (!t)
        return v_err();
    if (!make_stmt(tr, t, outer, no, red, nr, red_kind(n->op), e, n->loc))
        return v_err();
    Ix *idx[IR_MAX_RANK];
    for (int k = 0; k < no; k++)
        idx[k] = ix_var(outer[k].var);
    Ex *r = ex_read(t, no, idx);
    int dependent = 0;      /* a range bounded by an earlier one, as in mean(r < T, s <= r) */
    for (int k = 1; k < nr; k++)
        for (int j = 0; j < k; j++)
            dependent |= ix_mentions_var(red[k].hi, red[j].var);
    if (n->op == RED_MEAN && dependent) {
        /* the number of terms is not a product of extents: count them */
        Tensor *ct = new_act(tr, "count", outer, no, n->loc);
        if (!ct)
            return v_err();
        if (!make_stmt(tr, ct, outer, no, red, nr, RED_SUM_, ex_const(1), n->loc))
            return v_err();
        r = ex_bin(EX_MUL, r, ex_pow(ex_read(ct, no, idx), -1));
    } else if (n->op == RED_MEAN) {
        Ix *cnt = red[0].hi;
        for (int k = 1; k < nr && cnt; k++)
            cnt = int_op(tr, n, "the number of terms of 'mean'", IX_MUL, cnt, red[k].hi);
        if (!cnt)
            return v_err();
        long c;
        Ex *scale = ix_is_const(cnt, &c) ? ex_const(pow((double)c, -1)) : ex_pow(ex_int(cnt), -1);
        r = ex_bin(EX_MUL, r, scale);
    }
    return v_real(r);
}

/* The comparison an operator code names: its IxKind (0 if none); *ek: its ExKind */
static IxKind cmp_kind(int op, ExKind *ek)
{
    switch (op) {
    case '<': *ek = EX_LT; return IX_LT;
    case OP_LE: *ek = EX_LE; return IX_LE;
    case '>': *ek = EX_GT; return IX_GT;
    case OP_GE: *ek = EX_GE; return IX_GE;
    case OP_EQ: *ek = EX_EQ; return IX_EQ;
    case OP_NE: *ek = EX_NE; return IX_NE;
    default: return 0;
    }
}

/* a < b ...: an integer 1 or 0 on integers (usable in indices), else a real
 * 1.0 or 0.0 that carries no gradient; constants fold. */
static Val compare(IxKind ik, ExKind ek, Val a, Val b)
{
    if (a.kind == V_INT && b.kind == V_INT)
        return v_int(ix_bin(ik, a.ix, b.ix));
    Ex *x = to_real(a), *y = to_real(b);
    if (x->kind == EX_CONST && y->kind == EX_CONST) {
        double u = x->c, v = y->c;
        int r = ik == IX_LT ? u < v : ik == IX_LE ? u <= v : ik == IX_GT ? u > v : ik == IX_GE ? u >= v
              : ik == IX_EQ ? u == v : u != v;
        return v_real(ex_const(r ? 1.0 : 0.0));
    }
    return v_real(ex_bin(ek, x, y));
}

static Val arith(Tr *tr, const Node *n, Val a, Val b)
{
    if (a.kind == V_ERR || b.kind == V_ERR)
        return v_err();
    int op = n->op;
    ExKind ek;
    IxKind ik = cmp_kind(op, &ek);
    if (ik)
        return compare(ik, ek, a, b);
    if (a.kind == V_INT && b.kind == V_INT && op != '/' && op != '^') {
        IxKind k = op == '+' ? IX_ADD : op == '-' ? IX_SUB : op == '*' ? IX_MUL : op == '%' ? IX_MOD : IX_FLOORDIV;
        long c;
        if ((op == '%' || op == OP_FLOORDIV) && (!ix_is_const(b.ix, &c) || c <= 0)) {
            diag_error(n->loc, "the right operand of '%s' must be a positive constant", ast_op_name(op));
            return v_err();
        }
        if (op == '*' && !ix_is_const(a.ix, NULL) && !ix_is_const(b.ix, NULL)) {
            diag_error(n->loc, "indices can only be multiplied by constants");
            return v_err();
        }
        Ix *x = int_op(tr, n, arena_printf("'%s'", ast_op_name(op)), k, a.ix, b.ix);
        return x ? v_int(x) : v_err();
    }
    if (a.kind == V_INT && b.kind == V_INT && op == '/') {
        long x, y;
        if (ix_is_const(a.ix, &x) && ix_is_const(b.ix, &y) && y == -1) {
            Ix *q = int_op(tr, n, "'/'", IX_SUB, ix_const(0), a.ix);     /* -x, which may not fit */
            return q ? v_int(q) : v_err();
        }
        if (ix_is_const(a.ix, &x) && ix_is_const(b.ix, &y) && y != 0 && x % y == 0)
            return v_int(ix_const(x / y));
    }
    if (op == OP_FLOORDIV || op == '%') {
        diag_error(n->loc, "'%s' needs integer operands", ast_op_name(op));
        return v_err();
    }
    Ex *x = to_real(a), *y = to_real(b);
    if (op == '^') {
        if (y->kind != EX_CONST)
            return v_real(ex_bin(EX_POWX, x, y));   /* pow(a, b): a tensor exponent */
        if (x->kind == EX_CONST)
            return real_const(n, pow(x->c, y->c));
        return v_real(ex_pow(x, y->c));
    }
    if (op == '/') {
        /* the reference divides as a * b**-1 */
        if (y->kind == EX_CONST && y->c == 0) {
            diag_error(n->loc, "division by zero");
            return v_err();
        }
        y = y->kind == EX_CONST ? ex_const(pow(y->c, -1)) : ex_pow(y, -1);
        op = '*';
    }
    if (x->kind == EX_CONST && y->kind == EX_CONST) {
        double r = op == '+' ? x->c + y->c : op == '-' ? x->c - y->c : x->c * y->c;
        return real_const(n, r);
    }
    return v_real(ex_bin(op == '+' ? EX_ADD : op == '-' ? EX_SUB : EX_MUL, x, y));
}

/* A binary operator and the chain on its left (a + b + ... + z), left to
 * right: iterating over the left spine keeps the C stack flat however long
 * the chain (up to PARSE_MAX_EXPR_HEIGHT); only nesting recurses. */
static Val elab_chain(Tr *tr, const Node *n)
{
    int len = 0;
    for (const Node *p = n; p->kind == A_BINARY; p = p->a)
        len++;
    const Node **spine = arena_alloc((size_t)len * sizeof *spine);
    int i = len;
    for (const Node *p = n; p->kind == A_BINARY; p = p->a)
        spine[--i] = p;
    Val a = elab(tr, spine[0]->a);
    for (i = 0; i < len; i++) {
        Val b = elab(tr, spine[i]->b);
        a = arith(tr, spine[i], a, b);
    }
    return a;
}

/* nograd(a): a constant is its own value; anything else is wrapped */
static Val elab_nograd(Tr *tr, const Node *n)
{
    if (n->list.n != 1) {
        diag_error(n->loc, "'nograd' takes 1 argument, got %d", n->list.n);
        return v_err();
    }
    Val a = elab(tr, n->list.items[0]);
    if (a.kind == V_ERR)
        return a;
    Ex *x = to_real(a);
    return v_real(x->kind == EX_CONST ? x : ex_un(EX_NOGRAD, x));
}

/* A select's condition carries no gradient: a comparison or an integer already
 * does not, anything else is read through nograd.  Non-zero is true. */
static Ex *cond_of(Ex *c) { return ex_cmp_text(c->kind) || c->kind == EX_INT ? c : ex_un(EX_NOGRAD, c); }

/* where(c, a, b): a where c is non-zero, else b; an integer when all three
 * are (usable in indices), else a real whose gradient goes to the arm chosen */
static Val elab_where(Tr *tr, const Node *n)
{
    Val v[3];
    int bad = 0;
    for (int i = 0; i < 3; i++) {
        v[i] = elab(tr, n->list.items[i]);
        bad |= v[i].kind == V_ERR;
    }
    if (bad)
        return v_err();
    if (v[0].kind == V_INT && v[1].kind == V_INT && v[2].kind == V_INT)
        return v_int(ix_select(v[0].ix, v[1].ix, v[2].ix));
    Ex *c = to_real(v[0]);
    if (c->kind == EX_CONST)
        return v_real(to_real(c->c != 0 ? v[1] : v[2]));
    return v_real(ex_select(cond_of(c), to_real(v[1]), to_real(v[2])));
}

/* max(a, b) (is_max) or min(a, b): an integer on integers (IX_MAX, IX_MIN),
 * else where(a >= b, a, b) or where(a <= b, a, b): the gradient goes to the
 * value chosen, to a on a tie (as the issue asks; torch.maximum splits it) */
static Val minmax(int is_max, Val a, Val b)
{
    if (a.kind == V_ERR || b.kind == V_ERR)
        return v_err();
    if (a.kind == V_INT && b.kind == V_INT)
        return v_int(ix_bin(is_max ? IX_MAX : IX_MIN, a.ix, b.ix));
    Ex *x = to_real(a), *y = to_real(b);
    if (x->kind == EX_CONST && y->kind == EX_CONST)
        return v_real(is_max ? (x->c >= y->c ? x : y) : (x->c <= y->c ? x : y));
    return v_real(ex_select(ex_bin(is_max ? EX_GE : EX_LE, x, y), x, y));
}

/* max(a, b), min(a, b), or clamp(x, lo, hi) = min(max(x, lo), hi) */
static Val elab_minmax(Tr *tr, const Node *n)
{
    int clamp = !strcmp(n->name, "clamp");
    Val v[3];
    for (int i = 0; i < n->list.n; i++)
        v[i] = elab(tr, n->list.items[i]);
    if (clamp)
        return minmax(0, minmax(1, v[0], v[1]), v[2]);
    return minmax(!strcmp(n->name, "max"), v[0], v[1]);
}

/* 1 if call n has `want` arguments, else 0 after the error */
static int check_arity(const Node *n, int want)
{
    if (n->list.n == want)
        return 1;
    diag_error(n->loc, "'%s' takes %d argument%s, got %d", n->name, want, want == 1 ? "" : "s", n->list.n);
    return 0;
}

static Val elab_builtin(Tr *tr, const Node *n)
{
    if (!strcmp(n->name, "where"))
        return check_arity(n, 3) ? elab_where(tr, n) : v_err();
    if (!strcmp(n->name, "clamp"))
        return check_arity(n, 3) ? elab_minmax(tr, n) : v_err();
    if ((!strcmp(n->name, "max") || !strcmp(n->name, "min")) && n->list.n == 1) {
        diag_error(n->loc, "'%s' with one argument is neither the call, which takes 2, nor the reduction, "
                   "which needs its body after the brackets: %s(i < n) x[i]", n->name, n->name);
        return v_err();
    }
    if (!strcmp(n->name, "max") || !strcmp(n->name, "min"))
        return check_arity(n, 2) ? elab_minmax(tr, n) : v_err();
    MGC_INTERNAL("unknown builtin");
}

Val elab(Tr *tr, const Node *n)
{
    switch (n->kind) {
    case A_NUM:
        return n->is_int ? v_int(ix_const((long)n->inum)) : v_real(ex_const(n->num));
    case A_NAME:
    case A_MEMBER: return elab_ref(tr, n);
    case A_INDEX:
        /* layer[l] followed by .name is a path, handled by A_MEMBER */
        return elab_index(tr, n);
    case A_CALL: {
        if (is_nograd(n->name))
            return elab_nograd(tr, n);
        const OpInfo *op = op_builtin(n->name);
        if (!op && is_builtin(n->name))
            return elab_builtin(tr, n);
        if (op) {
            if (n->list.n != op->arity) {
                diag_error(n->loc, "'%s' takes %d argument%s, got %d", n->name, op->arity, op->arity == 1 ? "" : "s",
                           n->list.n);
                return v_err();
            }
            Val a = elab(tr, n->list.items[0]);
            if (a.kind == V_ERR)
                return a;
            Ex *x = to_real(a);
            if (x->kind == EX_CONST)
                return real_const(n, op->eval(x->c));
            return v_real(ex_un(op->kind, x));
        }
        return elab_ref(tr, n);
    }
    case A_UNARY: {
        Val a = elab(tr, n->a);
        if (a.kind == V_ERR)
            return a;
        if (a.kind == V_INT) {
            Ix *x = int_op(tr, n, "'-'", IX_SUB, ix_const(0), a.ix);
            return x ? v_int(x) : v_err();
        }
        if (a.e->kind == EX_CONST)
            return v_real(ex_const(a.e->c * -1));
        return v_real(ex_bin(EX_MUL, a.e, ex_const(-1)));   /* the reference's -x is x * -1 */
    }
    case A_BINARY: return elab_chain(tr, n);
    case A_REDUCE: return hoist_reduce(tr, n);
    default:
        diag_error(n->loc, "expected an expression");
        return v_err();
    }
}

/* ------------------------------------------------------------ statements */

static Bind *bind_result(Tr *tr, const char *name, Bind *val, SrcLoc loc);

/* A deep copy, so hoisting can rewrite calls without touching the tree that
 * later loop iterations and calls trace again. */
static Node *copy_tree(const Node *n)
{
    if (!n)
        return NULL;
    Node *c = arena_alloc(sizeof *c);
    *c = *n;
    c->a = copy_tree(n->a);
    c->b = copy_tree(n->b);
    c->list.items = NULL;
    c->list.n = c->list.cap = 0;
    for (int i = 0; i < n->list.n; i++)
        ast_push(&c->list, copy_tree(n->list.items[i]));
    return c;
}

/* User-function calls that are not indexed: trace them first (so their
 * result shapes are known) and remember them under a hidden name. */
static int hoist_calls(Tr *tr, Node *n, int depth)
{
    if (!n || depth > 200)
        return 1;
    if (n->kind == A_CALL && !is_builtin(n->name)) {
        Bind *b = call_fn(tr, n);
        if (!b)
            return 0;
        /* rewrite the call into a reference to its result */
        const char *hidden = arena_printf("%s()#%p", n->name, (void *)n);
        Bind *h = new_bind(tr, hidden, b->kind, b->loc);
        *h = *b;
        h->name = hidden;
        h->decl = 0;
        push_bind(tr, h);
        n->kind = A_NAME;
        n->name = hidden;
        return 1;
    }
    if (n->kind == A_INDEX && n->a->kind == A_CALL && !is_builtin(n->a->name)) {
        if (!hoist_calls(tr, n->a, depth + 1))
            return 0;
    } else if (n->kind == A_INDEX || n->kind == A_REDUCE) {
        /* indices and reduction bodies are element expressions; calls there
         * are whole-tensor arguments and are hoisted the same way */
    }
    if (n->a && !hoist_calls(tr, n->a, depth + 1))
        return 0;
    if (n->b && !hoist_calls(tr, n->b, depth + 1))
        return 0;
    for (int i = 0; i < n->list.n; i++)
        if (!hoist_calls(tr, n->list.items[i], depth + 1))
            return 0;
    return 1;
}

/* The loops of `y = expr`: one per axis of its operands broadcast together
 * (shapes.c), none when all are numbers; 0 after an error. */
static int implicit_axes(Tr *tr, const Node *rhs, SrcLoc loc)
{
    static const char *hints[IR_MAX_RANK] = {"i", "j", "k", "l"};
    Ix *ext[IR_MAX_RANK];
    int R = whole_rank(tr, rhs);
    if (R == 0)
        return 1;
    for (int k = 0; k < R; k++)
        tr->sb.impl_var[k] = new_var(tr, hints[k]);
    tr->sb.impl_rank = R;
    if (!broadcast_shape(tr, rhs, ext))
        return 0;
    for (int k = 0; k < R; k++)
        push_loop(tr, tr->sb.impl_var[k], ext[k], loc);
    return 1;
}

/* Build the statement for `name = rhs` or `name[ranges] = rhs`. */
static Bind *define(Tr *tr, const char *name, const NodeList *ranges, const Node *rhs, SrcLoc loc)
{
    begin_stmt(tr, loc);
    int nout0 = tr->sb.nloops;
    Bind *binds[IR_MAX_LOOPS];
    int nb = 0;
    if (ranges) {
        nb = bind_ranges(tr, ranges, rhs, binds);
        if (nb < 0)
            return NULL;
        if (tr->rec)
            tr->rec->step_var = tr->sb.loops[0].var;
    } else {
        if (!implicit_axes(tr, rhs, loc))
            return NULL;
    }
    int nout = tr->sb.nloops;
    RedKind rk = RED_NONE_;
    int nred = 0;
    Val v;
    Bind *rbinds[IR_MAX_LOOPS];
    /* nograd(max(i) ...) is that statement with no gradient (the prelude's softmax) */
    int nograd = rhs->kind == A_CALL && is_nograd(rhs->name) && rhs->list.n == 1 &&
                 rhs->list.items[0]->kind == A_REDUCE && rhs->list.items[0]->op != RED_MEAN;
    if (nograd)
        rhs = rhs->list.items[0];
    if (rhs->kind == A_REDUCE && rhs->op != RED_MEAN) {
        nred = bind_ranges(tr, &rhs->list, rhs->b, rbinds);
        if (nred < 0) {
            unbind(tr, binds, nb);
            return NULL;
        }
        v = elab(tr, rhs->b);
        if (v.kind != V_ERR && rhs->op == RED_SUM)
            check_sum_terms(rhs);
        unbind(tr, rbinds, nred);
        rk = red_kind(rhs->op);
    } else {
        v = elab(tr, rhs);
    }
    unbind(tr, binds, nb);
    if (v.kind == V_ERR)
        return NULL;
    RecT *rt = rec_tensor(tr, name);
    if (rt && v.kind == V_INT && rk == RED_NONE_)
        v = v_real(to_real(v));     /* a recurrence's tensor is real */
    if (v.kind == V_INT && rk == RED_NONE_) {
        /* an integer tensor: a view, not a computation */
        View *w = arena_alloc(sizeof *w);
        w->rank = nout;
        for (int k = 0; k < nout; k++)
            w->ext[k] = vars_to_axes(tr->sb.loops[k].hi, tr->sb.loops, k);
        w->tmpl = vars_to_axes(v.ix, tr->sb.loops, nout);
        Bind *b = new_bind(tr, name, B_VIEW, loc);
        b->view = w;
        b->nb = tr->depth;
        (void)nout0;
        return b;
    }
    Tensor *t = rt ? rt->buf : new_act(tr, name, tr->sb.loops, nout, loc);
    if (!t)
        return NULL;
    Stmt *s = make_stmt(tr, t, tr->sb.loops, nout, tr->sb.loops + nout, nred, rk, to_real(v), loc);
    if (!s)
        return NULL;
    s->nograd = nograd;
    if (rt)
        return rec_output(tr, name, s);
    Bind *b = new_bind(tr, name, B_TENSOR, loc);
    b->t = t;
    b->nb = tr->depth;
    return b;
}

/* Give `name` the value `val` in the current frame (assignment semantics:
 * an existing assignable binding is updated in place, so loops see it). */
static Bind *bind_result(Tr *tr, const char *name, Bind *val, SrcLoc loc)
{
    Bind *b = scope_find(tr->scope, name);
    if (b) {
        if (b->decl || b->kind == B_INDEX || b->kind == B_SHAPE) {
            diag_error(loc, "cannot assign to '%s': it is %s", name, a_kind(b));
            diag_note(b->loc, "'%s' defined here", name);
            return NULL;
        }
        b->kind = val->kind;
        b->t = val->t;
        b->view = val->view;
        b->nb = val->nb;
        b->ival = val->ival;
        b->rval = val->rval;
        b->loc = loc;
        return b;
    }
    Bind *nb = new_bind(tr, name, val->kind, loc);
    SrcLoc keep = loc;
    *nb = *val;
    nb->name = name;
    nb->decl = 0;
    nb->loc = keep;
    push_bind(tr, nb);
    return nb;
}

void do_assign(Tr *tr, Node *n)
{
    if (rec_self_read(tr, n))
        return;
    const Node *lhs = n->a;
    Node *rhs = copy_tree(n->b);
    const char *name = lhs->name;
    Bind *val = NULL;
    if (lhs->kind == A_LHS) {
        SB saved = tr->sb;
        int hoisted = hoist_calls(tr, rhs, 0);
        tr->sb = saved;
        val = hoisted ? define(tr, name, &lhs->list, rhs, n->loc) : NULL;
    } else if (rhs->kind == A_CALL && !is_builtin(rhs->name)) {
        int first = tr->g->ntensors;
        val = call_fn(tr, rhs);
        /* the result the call made is named for this variable: q, not linear_y */
        if (val && val->kind == B_TENSOR && val->t->kind == TK_ACT && val->t->id >= first)
            ir_rename_tensor(tr->g, val->t, tr->prefix ? arena_printf("%s%s", tr->prefix, name) : name);
    } else if (rhs->kind == A_NAME || rhs->kind == A_MEMBER) {
        Bind *b = resolve_base(tr, rhs);
        if (b && (b->kind == B_TENSOR || b->kind == B_VIEW))
            val = b;     /* an alias: no copy */
        else if (b)
            val = define(tr, name, NULL, rhs, n->loc);
    } else {
        val = hoist_calls(tr, rhs, 0) ? define(tr, name, NULL, rhs, n->loc) : NULL;
    }
    if (val)
        bind_result(tr, name, val, n->loc);
    else
        poison(tr, name, "tensor", 0, n->loc);
}

/* A function argument: a tensor binding, or an expression made into one. */
static Bind *materialize(Tr *tr, const Node *n, const char *name)
{
    if (n->kind == A_CALL && !is_builtin(n->name))
        return call_fn(tr, n);
    if (n->kind == A_NAME || n->kind == A_MEMBER) {
        Bind *b = resolve_base(tr, n);
        if (!b)
            return NULL;
        if (b->kind == B_TENSOR || b->kind == B_VIEW || b->kind == B_INT || b->kind == B_REAL)
            return b;
    }
    Node *copy = copy_tree(n);
    if (!hoist_calls(tr, copy, 0))
        return NULL;
    return define(tr, name, NULL, copy, n->loc);
}

/* ------------------------------------------------------------- functions */

/* One call being inlined: the function, its traced arguments, and the batch
 * axes its body runs over: the caller's D, then E more that arguments with
 * extra leading axes are mapped over. */
typedef struct Call {
    const Node *call, *fn;
    Bind *args[64];
    int nargs;
    int D, E;
    int lead;                 /* the first argument mapped over, or -1 */
    Ix *bext[IR_MAX_LOOPS];   /* the frame's batch extents */
} Call;

/* The number of axes an argument has besides its batch axes (0: a number). */
static int arg_rank(const Bind *a)
{
    return a->kind == B_TENSOR ? a->t->rank - a->nb : a->kind == B_VIEW ? a->view->rank - a->nb : 0;
}

/* The extents of a tensor or view binding, batch axes first. */
static Ix **bind_ext(const Bind *b) { return b->kind == B_TENSOR ? b->t->ext : b->view->ext; }

/* The function `call` names: it must exist, take as many arguments as given
 * and not be inlined already (no recursion); NULL after an error. */
static const Node *callee(Tr *tr, const Node *call)
{
    Bind *fb = lookup(tr, call->name);
    if (!fb)
        unknown_name(tr, call->loc, call->name, 1);
    if (!fb || poisoned(tr, fb))
        return NULL;
    if (fb->kind != B_FN) {
        diag_error(call->loc, "'%s' is %s, not a function", call->name, a_kind(fb));
        diag_note(fb->loc, "'%s' defined here", call->name);
        return NULL;
    }
    const Node *fn = fb->fn;
    if (call->list.n != fn->list.n) {
        diag_error(call->loc, "'%s' takes %d argument%s, got %d", call->name, fn->list.n,
                   fn->list.n == 1 ? "" : "s", call->list.n);
        diag_note(fn->loc, "'%s' defined here", call->name);
        return NULL;
    }
    for (int i = 0; i < tr->ncalls; i++)
        if (tr->calls[i] == fn) {
            diag_error(call->loc, "recursive call to '%s': functions are inlined, so they cannot recurse", call->name);
            diag_note(fn->loc, "'%s' defined here", call->name);
            return NULL;
        }
    if (tr->ncalls >= 64) {
        diag_error(call->loc, "functions nested too deeply");
        return NULL;
    }
    return fn;
}

/* Trace every argument into a binding in the caller's frame, each reporting
 * its own errors; 0 when one failed. */
static int bind_args(Tr *tr, Call *c)
{
    SB saved_sb = tr->sb;
    int have_args = 1;
    for (int i = 0; i < c->nargs; i++) {
        c->args[i] = materialize(tr, c->call->list.items[i], arena_printf("%s.arg%d", c->call->name, i + 1));
        tr->sb = saved_sb;
        have_args &= c->args[i] != NULL;
    }
    return have_args;
}

/* Batching: arguments with more axes than their parameters declare map the
 * body over the extra leading ones, all by the same number (c->E) and batched
 * like the call.  Sets c->E and c->lead; 0 after an error. */
static int count_mapped_axes(Call *c)
{
    const Node *call = c->call;
    c->E = 0;
    c->lead = -1;
    for (int i = 0; i < c->nargs; i++) {
        const Node *p = c->fn->list.items[i];
        Bind *a = c->args[i];
        int lrank = arg_rank(a);
        int extra = lrank - p->list.n;
        if (extra < 0) {
            diag_error(call->list.items[i]->loc, "argument %d of '%s' has %d ax%s, but '%s' declares %d", i + 1,
                       call->name, lrank, lrank == 1 ? "is" : "es", p->name, p->list.n);
            diag_note(p->loc, "parameter '%s' declared here", p->name);
            return 0;
        }
        if (extra > 0) {
            if (c->lead >= 0 && extra != c->E) {
                diag_error(call->list.items[i]->loc, "arguments of '%s' are mapped over different numbers of axes (%d and %d)",
                           call->name, c->E, extra);
                return 0;
            }
            if (a->nb != c->D) {
                diag_error(call->list.items[i]->loc, "argument %d of '%s' cannot be mapped over: it is not batched like the call", i + 1, call->name);
                return 0;
            }
            c->E = extra;
            if (c->lead < 0)
                c->lead = i;
        }
    }
    if (c->D + c->E > IR_MAX_RANK) {
        diag_error(call->loc, "call of '%s' maps over too many axes", call->name);
        return 0;
    }
    return 1;
}

/* The frame's batch extents (c->bext): the caller's, then the mapped axes of
 * the first argument mapped over, which every other one must share; 0 after
 * an error. */
static int mapped_extents(Tr *tr, Call *c)
{
    for (int k = 0; k < c->D; k++)
        c->bext[k] = tr->bext[k];
    if (c->lead < 0)
        return 1;
    Ix **ext = bind_ext(c->args[c->lead]);
    for (int k = c->D; k < c->D + c->E; k++)
        c->bext[k] = ext[k];
    for (int i = 0; i < c->nargs; i++) {
        Bind *a = c->args[i];
        if (i == c->lead || arg_rank(a) - c->fn->list.items[i]->list.n == 0)
            continue;
        Ix **e2 = bind_ext(a);
        for (int k = c->D; k < c->D + c->E; k++)
            if (!ix_equal(e2[k], c->bext[k])) {
                diag_error(c->call->list.items[i]->loc, "argument %d of '%s' is mapped over an axis of extent %s, but argument %d over %s",
                           i + 1, c->call->name, ix_str(tr, e2[k]), c->lead + 1, ix_str(tr, c->bext[k]));
                return 0;
            }
    }
    return 1;
}

/* Open the frame the body runs in: a Scope of its own that sees the
 * top-level declarations, the mapped batch axes, "name." before its locals. */
static void open_frame(Tr *tr, const Call *c)
{
    tr->scope = new_scope();
    tr->in_fn = 1;
    tr->depth = c->D + c->E;
    for (int k = 0; k < c->D + c->E; k++)
        tr->bext[k] = c->bext[k];
    tr->prefix = arena_printf("%s.", c->call->name);
    tr->calls[tr->ncalls++] = c->fn;
}

/* The extent that `d`, one axis of a parameter or result, declares: a shape
 * variable's (sv), the runtime length, or an integer expression in them and
 * constants (shape_extent); NULL after an error. */
static Ix *declared_extent(Tr *tr, const Node *d, const Bind *sv)
{
    if (sv && sv->kind == B_SHAPE)
        return sv->ix;
    if (sv && sv->kind == B_DIM)
        return ix_T();
    return shape_extent(tr, d);
}

/* Check axis k of argument i, bound as b, against its parameter's
 * declaration; a new shape variable takes the argument's extent.  0 after an
 * error. */
static int bind_param_axis(Tr *tr, const Call *c, int i, const Bind *b, int k)
{
    const Node *p = c->fn->list.items[i], *d = p->list.items[k];
    const Bind *a = c->args[i];
    Ix *actual = bind_ext(a)[b->nb + k];
    /* an extent that depends on the argument's own axes cannot be named */
    int own = mentions_axis_from(actual, b->nb, IR_MAX_RANK);
    Bind *sv = d->kind == A_NAME ? lookup(tr, d->name) : NULL;
    if (own) {
        diag_error(c->call->list.items[i]->loc, "axis %d of argument %d of '%s' has a range that depends on another of its axes; map over that axis instead",
                   k + 1, i + 1, c->call->name);
        return 0;
    }
    if (d->kind == A_NAME && !sv) {
        Bind *s = new_bind(tr, d->name, B_SHAPE, d->loc);
        s->ix = actual;
        s->decl = 1;
        push_bind(tr, s);
        return 1;
    }
    Ix *want = declared_extent(tr, d, sv);
    if (!want) {
        diag_call_note(d->loc);
        return 0;
    }
    if (!ix_equal(want, actual)) {
        diag_error(c->call->list.items[i]->loc, "argument %d of '%s' has shape %s, but '%s' expects extent %s for axis %d",
                   i + 1, c->call->name, a->kind == B_TENSOR ? shape_str(tr, a->t, a->nb) : "(integer)",
                   p->name, ix_str(tr, want), k + 1);
        diag_note(p->loc, "parameter '%s' declared here", p->name);
        return 0;
    }
    return 1;
}

/* Bind parameter i to its argument in the new frame (batched over the
 * frame's axes when the argument is mapped over), checking its declared
 * shape; 0 after an error, the parameter bound all the same. */
static int bind_param(Tr *tr, const Call *c, int i)
{
    const Node *p = c->fn->list.items[i];
    Bind *a = c->args[i];
    Bind *b = new_bind(tr, p->name, a->kind, p->loc);
    *b = *a;
    b->name = p->name;
    b->loc = p->loc;
    b->decl = 0;
    b->shadow = NULL;
    int ok = 1;
    if (a->kind == B_TENSOR || a->kind == B_VIEW) {
        if (arg_rank(a) > p->list.n)
            b->nb = c->D + c->E;
        for (int k = 0; k < p->list.n && ok; k++)
            ok = bind_param_axis(tr, c, i, b, k);
    } else if (p->list.n > 0) {
        diag_error(c->call->list.items[i]->loc, "argument %d of '%s' is a number, but '%s' is a tensor", i + 1,
                   c->call->name, p->name);
        ok = 0;
    }
    for (Bind *o = scope_find(tr->scope, p->name); o && ok; o = o->shadow)
        if (o->kind != B_SHAPE) {
            diag_error(p->loc, "parameter '%s' is declared twice", p->name);
            ok = 0;
        }
    push_bind(tr, b);
    return ok;
}

/* Does each declared axis of the result r have the extent the body gave it?
 * An axis whose range depends on another (a causal range) is left to its
 * statements.  Reports every axis that differs; 0 after an error. */
static int result_extents(Tr *tr, const Call *c, const Bind *r)
{
    const Node *rd = c->fn->b;
    Ix **ext = bind_ext(r);
    int good = 1;
    for (int k = 0; k < rd->list.n && r->nb == tr->depth; k++) {
        const Node *d = rd->list.items[k];
        Bind *sv = d->kind == A_NAME ? lookup(tr, d->name) : NULL;
        Ix *w = declared_extent(tr, d, sv);
        if (!w) {
            diag_call_note(d->loc);
            return 0;
        }
        Ix *actual = ext[r->nb + k];
        if (mentions_axis_from(actual, r->nb, IR_MAX_RANK))
            continue;    /* a causal range inside the result: checked by its statements */
        if (!ix_equal(w, actual)) {
            diag_error(rd->loc, "result '%s' of '%s' has extent %s on axis %d, but %s is declared",
                       rd->name, c->call->name, ix_str(tr, actual), k + 1, ix_str(tr, w));
            diag_call_note(rd->loc);
            good = 0;
        }
    }
    return good;
}

/* The result the body assigned, checked against its declaration and handed
 * back batched like the call; NULL after an error, reported here or (errors
 * since `before`, poison used since `npoison`) in the body. */
static Bind *fn_result(Tr *tr, const Call *c, int before, int npoison)
{
    const Node *rd = c->fn->b;
    Bind *r = scope_find(tr->scope, rd->name);
    if (diag_errors() > before || tr->npoison > npoison)
        return NULL;    /* already reported, here or where a poisoned name failed */
    if (!r || (r->kind != B_TENSOR && r->kind != B_VIEW)) {
        diag_error(rd->loc, "'%s' never assigns its result '%s'", c->call->name, rd->name);
        return NULL;
    }
    int lrank = (r->kind == B_TENSOR ? r->t->rank : r->view->rank) - r->nb;
    int want = rd->list.n;
    if (r->nb == tr->depth && lrank != want) {
        diag_error(rd->loc, "result '%s' of '%s' has %d ax%s, but %d %s declared", rd->name, c->call->name,
                   lrank, lrank == 1 ? "is" : "es", want, want == 1 ? "is" : "are");
        return NULL;
    }
    if (!result_extents(tr, c, r))
        return NULL;
    Bind *result = arena_alloc(sizeof *result);
    *result = *r;
    result->shadow = NULL;
    result->decl = 0;
    if (result->nb > c->D)
        result->nb = c->D;
    return result;
}

/* Inline a call of a user function: check the callee, trace the arguments,
 * find the axes the body is mapped over, bind the parameters in a frame of
 * their own, run the body there and hand back its result, located at the
 * call; NULL after an error.  The caller's state is restored, with the uses
 * of poison the call made counted. */
static Bind *call_fn(Tr *tr, const Node *call)
{
    Call c = {.call = call};
    c.fn = callee(tr, call);
    if (!c.fn)
        return NULL;
    SB saved_sb = tr->sb;
    c.nargs = c.fn->list.n < 64 ? c.fn->list.n : 64;
    c.D = tr->depth;
    if (!bind_args(tr, &c) || !count_mapped_axes(&c) || !mapped_extents(tr, &c))
        return NULL;
    Tr saved = *tr;
    open_frame(tr, &c);
    diag_call_enter(call->loc, call_text(tr, call, c.fn, c.args, c.nargs), call->name);
    int ok = 1;
    for (int i = 0; i < c.nargs && ok; i++)
        ok = bind_param(tr, &c, i);
    Bind *result = NULL;
    if (ok) {
        int before = diag_errors(), npoison = tr->npoison;
        exec_list(tr, &c.fn->list2);
        result = fn_result(tr, &c, before, npoison);
    }
    diag_call_leave();
    int ncalls = tr->ncalls - 1, npoison = tr->npoison;
    *tr = saved;
    tr->ncalls = ncalls;
    tr->npoison = npoison;
    tr->sb = saved_sb;
    if (result)
        result->loc = call->loc;
    return result;
}
