/* interp.c: the reference interpreter (see interp.h).
 * Takes a Graph; hands on an MgModel.  Each call resets the Value pool, makes
 * one leaf per parameter element, then runs the planned forward statements:
 * for every point of a statement's output loops it evaluates the element
 * expression into Values (a sum adds left to right from Value(0), a max or
 * min passes its gradient to the first term equal to it, skipping NaN) and
 * stores one Value* per tensor element.
 * Invariants: vals[id] has t->size slots (row-major at maxext) for every
 * tensor a plan touches; activations are NULL until written in this call. */
#include "interp.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "value.h"

/* The forward statements one output depends on, in graph order. */
typedef struct Plan {
    const Stmt **stmts;
    int nstmt;
    const Tensor **clear;   /* activations the statements read or write */
    int nclear;
} Plan;

typedef struct Interp {
    const Graph *g;
    ValPool pool;
    Value ***vals;          /* [ntensors]: element Values, NULL if never touched */
    Value **store;          /* the one allocation behind vals */
    Plan loss, logits;
    long *var;              /* loop variable values, by variable id */
    long T;                 /* the current runtime length */
    const int *tokens;
    long ntok;              /* readable tokens: T + 1 in loss_grad, T in forward */
    const double *const *x; /* a model of examples: one example's inputs, by field */
    double *out;            /* [Tmax, vocab]: forward's logits (a model of examples: all of them) */
    size_t nout;            /* doubles of out */
    MgParam *params;        /* [nparams] */
    MgField *fields;        /* [ninputs] */
} Interp;

/* A reduction in progress: a Value sum, or a max or min and its term. */
typedef struct Red {
    Value *acc;
    double best;
    Value *pick;    /* the first term strictly beyond every earlier one and the start */
} Red;

/* ---- errors ---- */

/* A defect in the graph found at run time: a compiler bug, so exit 2. */
static _Noreturn void bug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void bug(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("mgc: internal error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

/* A defect found by interp_make_model: report and let the caller stop. */
static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("mgc: internal error: interpreter: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return -1;
}

/* "name[i, j]" (or "name" for a scalar) into buf. */
static const char *elem_name(char *buf, size_t cap, const Tensor *t, const long *idx)
{
    size_t n = (size_t)snprintf(buf, cap, "%s", t->name);
    for (int k = 0; k < t->rank && n < cap; k++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%ld%s", k ? ", " : "[", idx[k], k == t->rank - 1 ? "]" : "");
    return buf;
}

static _Noreturn void bad_elem(const char *what, const Tensor *t, const long *idx)
{
    char buf[256];
    bug("interpreter %s %s", what, elem_name(buf, sizeof buf, t, idx));
}

/* ---- integer expressions ---- */

static int inside(const Interp *in, Ix *const *idx, int n, Ix *const *ext, unsigned pad);
/* a k b for a comparison k, as C compares: 1 or 0 */
static long cmp_long(IxKind k, long a, long b)
{
    switch (k) {
    case IX_LT: return a < b;
    case IX_LE: return a <= b;
    case IX_GT: return a > b;
    case IX_GE: return a >= b;
    case IX_EQ: return a == b;
    case IX_NE: return a != b;
    default: bug("interpreter compares with index kind %d", (int)k);
    }
}

static int cmp_real(ExKind k, double a, double b)
{
    switch (k) {
    case EX_LT: return a < b;
    case EX_LE: return a <= b;
    case EX_GT: return a > b;
    case EX_GE: return a >= b;
    case EX_EQ: return a == b;
    case EX_NE: return a != b;
    default: bug("interpreter compares with expression kind %d", (int)k);
    }
}

/* ix_eval, but token reads are checked against the tokens this call has:
 * forward gets only T of them and must never read tokens[T]. */
static long input_int(const Interp *in, const Tensor *t, long i);

static long ix_at(const Interp *in, const Ix *x)
{
    switch (x->kind) {
    case IX_CONST: return x->val;
    case IX_T: return in->T;
    case IX_VAR: return in->var[x->var];
    case IX_ADD: return ix_at(in, x->a) + ix_at(in, x->b);
    case IX_SUB: return ix_at(in, x->a) - ix_at(in, x->b);
    case IX_MUL: return ix_at(in, x->a) * ix_at(in, x->b);
    case IX_FLOORDIV:
    case IX_MOD: {
        long a = ix_at(in, x->a), b = ix_at(in, x->b);
        if (b <= 0)
            bug("interpreter index divides by %ld", b);
        long q = a / b, r = a % b;
        if (r < 0) {
            q--;
            r += b;
        }
        return x->kind == IX_FLOORDIV ? q : r;
    }
    case IX_READ: {
        long i = ix_at(in, x->idx[0]);
        if (x->t != in->g->tokens)
            return input_int(in, x->t, i);
        if (i < 0 || i >= in->ntok)
            bug("interpreter read %s[%ld] with only %ld tokens (T = %ld)", x->t->display, i, in->ntok, in->T);
        return in->tokens[i];
    }
    case IX_PAD: return ix_at(in, inside(in, x->idx, x->var, x->ext, (unsigned)x->val) ? x->a : x->b);
    IX_CMPS return cmp_long(x->kind, ix_at(in, x->a), ix_at(in, x->b));
    case IX_SELECT: return ix_at(in, ix_at(in, x->a) != 0 ? x->b->a : x->b->b);
    case IX_MIN:
    case IX_MAX: {
        long a = ix_at(in, x->a), b = ix_at(in, x->b);
        return (x->kind == IX_MIN) == (a < b) ? a : b;
    }
    case IX_ARMS: break;
    case IX_AXIS: break;
    }
    bug("interpreter met an axis reference inside a statement");
}

/* A read past the edge: is idx[0..n) inside the axes ext (over IX_AXIS) on
 * the tests `pad`?  Only the side chosen is evaluated after it. */
static int inside(const Interp *in, Ix *const *idx, int n, Ix *const *ext, unsigned pad)
{
    for (int k = 0; k < n; k++) {
        if (!(pad & (IR_PAD_LO(k) | IR_PAD_HI(k))))
            continue;
        long i = ix_at(in, idx[k]);
        if (((pad & IR_PAD_LO(k)) && i < 0) || ((pad & IR_PAD_HI(k)) && i >= ix_at(in, ir_pad_extent(idx, ext, k))))
            return 0;
    }
    return 1;
}

/* Row-major offset of t[idx], each index checked against maxext.  Most
 * indices are a bare loop variable: read those without the call. */
static long elem_offset(const Interp *in, const Tensor *t, Ix *const *ix, long *idx)
{
    long flat = 0;
    for (int k = 0; k < t->rank; k++) {
        idx[k] = ix[k]->kind == IX_VAR ? in->var[ix[k]->var] : ix_at(in, ix[k]);
        flat = flat * t->maxext[k] + idx[k];
    }
    for (int k = 0; k < t->rank; k++)
        if (idx[k] < 0 || idx[k] >= t->maxext[k])
            bad_elem("index out of range in", t, idx);
    return flat;
}

/* ---- inputs ---- */

/* Element i of integer input t in this call's example: an integer in
 * [0, range), or the run stops with a message (the data is wrong). */
static long input_int(const Interp *in, const Tensor *t, long i)
{
    if (i < 0 || i >= t->size)
        bug("interpreter read %s[%ld] of %ld elements", t->display, i, t->size);
    if (!in->x[t->field])
        bug("interpreter read input %s, which the caller did not give (it is marked loss_only)", t->display);
    double v = in->x[t->field][i];
    if (!(v >= 0 && v < (double)t->range) || v != floor(v)) {
        fprintf(stderr, "mgc: error: input '%s' holds %.17g at element %ld, not an integer in [0, %ld)\n",
                t->display, v, i, t->range);
        exit(1);
    }
    return (long)v;
}

/* ---- real expressions ---- */

static Value *read_elem(Interp *in, const Ex *e)
{
    long idx[IR_MAX_RANK];
    long flat = elem_offset(in, e->t, e->idx, idx);
    Value *v = in->vals[e->t->id][flat];
    if (!v)
        bad_elem("read undefined element", e->t, idx);
    return v;
}

static Value *eval(Interp *in, const Ex *e)
{
    ValPool *p = &in->pool;
    switch (e->kind) {
    case EX_CONST: return val_leaf(p, e->c);
    case EX_READ: return read_elem(in, e);
    case EX_INT: return val_leaf(p, (double)ix_at(in, e->ix));
    case EX_ADD:
    case EX_SUB:
    case EX_MUL: {
        Value *a = eval(in, e->a);
        Value *b = eval(in, e->b);
        return e->kind == EX_ADD ? val_add(p, a, b) : e->kind == EX_SUB ? val_sub(p, a, b) : val_mul(p, a, b);
    }
    case EX_POW: return val_pow(p, eval(in, e->a), e->c);
    case EX_POWX: {
        Value *a = eval(in, e->a), *b = eval(in, e->b);
        double x = a->data, k = b->data;
        return val_binary(p, pow(x, k), a, op_dpow_a(x, k), b, op_dpow_b(x, k));
    }
    case EX_EXP: return val_exp(p, eval(in, e->a));
    case EX_LOG: return val_log(p, eval(in, e->a));
    case EX_RELU: return val_relu(p, eval(in, e->a));
    case EX_TANH: return val_tanh(p, eval(in, e->a));
    case EX_SQRT: {
        Value *a = eval(in, e->a);   /* the local derivative as val_pow(a, 0.5) records it */
        return val_unary(p, sqrt(a->data), a, 0.5 * pow(a->data, -0.5));
    }
    case EX_ABS: {
        Value *a = eval(in, e->a);   /* the table's fabs and sign, as the compiled abs_ and sign_ */
        return val_unary(p, fabs(a->data), a, op_info(EX_SIGN)->eval(a->data));
    }
    case EX_SIN: {
        Value *a = eval(in, e->a);
        return val_unary(p, sin(a->data), a, cos(a->data));
    }
    case EX_COS: {
        Value *a = eval(in, e->a);
        return val_unary(p, cos(a->data), a, sin(a->data) * -1.0);
    }
    case EX_ERF: {
        Value *a = eval(in, e->a);   /* the derivative in autodiff.c's order */
        return val_unary(p, erf(a->data), a, OP_2_SQRTPI * exp(a->data * a->data * -1.0));
    }
    case EX_SIGMOID: {
        Value *a = eval(in, e->a);   /* the table's 1 / (1 + exp(-a)), as the compiled sigmoid_ */
        double s = op_info(EX_SIGMOID)->eval(a->data);
        return val_unary(p, s, a, s * (1.0 - s));
    }
    case EX_STEP: return val_leaf(p, eval(in, e->a)->data > 0 ? 1.0 : 0.0);
    case EX_SIGN: return val_leaf(p, op_info(EX_SIGN)->eval(eval(in, e->a)->data));
    case EX_NOGRAD: return val_leaf(p, eval(in, e->a)->data);
    case EX_PAD: return eval(in, inside(in, e->idx, e->t->rank, e->t->ext, e->pad) ? e->a : e->b);
    case EX_SELECT: {
        /* only the arm chosen is evaluated and gets the gradient */
        Value *v = eval(in, eval(in, e->a)->data != 0 ? e->b->a : e->b->b);
        return val_unary(p, v->data, v, 1.0);
    }
    case EX_ARMS:
    case EX_DPOWA:
    case EX_DPOWB:
    case EX_PICK: break;
    EX_CMPS {
        Value *a = eval(in, e->a);   /* a comparison is piecewise constant: a leaf */
        Value *b = eval(in, e->b);
        return val_leaf(p, cmp_real(e->kind, a->data, b->data) ? 1.0 : 0.0);
    }
    case EX_IFPOS: break;   /* backward statements only */
    }
    bug("interpreter met expression kind %d", (int)e->kind);
}

/* ---- statements ---- */

/* Reduction loops d.. of s: sum as Python's sum(); max and min as the
 * compiled loop, which starts from -inf or +inf and keeps a term strictly
 * beyond the best so far (the first of equal terms; NaN never). */
static void reduce(Interp *in, const Stmt *s, int d, Red *r)
{
    if (d == s->nloop) {
        Value *v = eval(in, s->e);
        if (s->red == RED_SUM_)
            r->acc = val_add(&in->pool, r->acc, v);
        else if (s->red == RED_MAX_ ? v->data > r->best : v->data < r->best)
            r->best = v->data, r->pick = v;
        return;
    }
    const Loop *l = &s->loops[d];
    long hi = ix_at(in, l->hi);
    for (long i = 0; i < hi; i++) {
        in->var[l->var] = i;
        reduce(in, s, d + 1, r);
    }
}

/* One output point of s: its value, then the store. */
static void run_point(Interp *in, const Stmt *s)
{
    Value *v;
    if (s->red == RED_NONE_) {
        v = eval(in, s->e);
    } else {
        Red r = {val_leaf(&in->pool, 0.0), s->red == RED_MIN_ ? INFINITY : -INFINITY, NULL};
        reduce(in, s, s->nloop - s->nred, &r);
        if (s->red == RED_SUM_)
            v = r.acc;
        else if (r.pick && !s->nograd)
            v = val_unary(&in->pool, r.best, r.pick, 1.0);     /* the gradient goes to the term chosen */
        else
            v = val_leaf(&in->pool, r.best);
    }
    long idx[IR_MAX_RANK];
    long flat = elem_offset(in, s->out, s->oidx, idx);
    Value **slot = &in->vals[s->out->id][flat];
    if (s->accumulate) {
        if (!*slot)
            bad_elem("read undefined element", s->out, idx);
        v = val_add(&in->pool, *slot, v);
    }
    *slot = v;
}

/* Output loops d.. of s. */
static void run_loops(Interp *in, const Stmt *s, int d)
{
    if (d == s->nloop - s->nred) {
        run_point(in, s);
        return;
    }
    const Loop *l = &s->loops[d];
    long hi = ix_at(in, l->hi);
    for (long i = 0; i < hi; i++) {
        in->var[l->var] = i;
        run_loops(in, s, d + 1);
    }
}

/* The n statements of one recurrence: all of them at step 0, then at 1... */
static void run_steps(Interp *in, const Stmt *const *s, int n)
{
    long hi = ix_at(in, s[0]->loops[0].hi);
    for (long t = 0; t < hi; t++)
        for (int k = 0; k < n; k++) {
            in->var[s[k]->loops[0].var] = t;
            run_loops(in, s[k], 1);
        }
}

/* One call: fresh pool, cleared activations, one leaf per parameter element,
 * then the plan's statements in order. */
static void run_plan(Interp *in, const Plan *p, const double *params, const int *tokens, int T, long ntok)
{
    const Graph *g = in->g;
    if (T < 1 || T > g->Tmax)
        bug("interpreter called with T = %d (block size %ld)", T, g->Tmax);
    in->T = T;
    in->tokens = tokens;
    in->ntok = ntok;
    val_pool_reset(&in->pool);
    for (int i = 0; i < p->nclear; i++)
        memset(in->vals[p->clear[i]->id], 0, (size_t)p->clear[i]->size * sizeof(Value *));
    for (int i = 0; i < g->nparams; i++) {
        const Tensor *t = g->params[i];
        Value **v = in->vals[t->id];
        for (long k = 0; k < t->size; k++)
            v[k] = val_leaf(&in->pool, params[t->offset + k]);
    }
    for (int i = 0; i < g->ninputs && in->x; i++) {
        const Tensor *t = g->inputs[i].t;
        Value **v = in->vals[t->id];
        if (t->kind != TK_DATA || !v || !in->x[i])
            continue;     /* (a loss_only input, not given to forward_x) */
        long c, n = t->size;     /* a runtime length: T rows given */
        if (t->rank > 0 && !ix_is_const(t->ext[0], &c))
            n = t->size / t->maxext[0] * T;
        for (long k = 0; k < n; k++)
            v[k] = val_leaf(&in->pool, in->x[i][k]);
    }
    for (int i = 0; i < p->nstmt;) {
        const Stmt *s = p->stmts[i];
        int n = 1;
        while (s->rec && i + n < p->nstmt && p->stmts[i + n]->rec == s->rec)
            n++;
        if (s->rec)
            run_steps(in, p->stmts + i, n);
        else
            run_loops(in, s, 0);
        i += n;
    }
}

/* After a run of the loss's plan: the gradient into grads, the loss. */
static double backward(Interp *in, double *grads)
{
    const Graph *g = in->g;
    Value *loss = in->vals[g->loss->id][0];
    if (!loss)
        bad_elem("read undefined element", g->loss, NULL);
    val_backward(&in->pool, loss);
    for (int i = 0; i < g->nparams; i++) {
        const Tensor *t = g->params[i];
        Value **v = in->vals[t->id];
        for (long k = 0; k < t->size; k++)
            grads[t->offset + k] = v[k]->grad;
    }
    return loss->data;
}

static double interp_loss_grad(void *ctx, const double *params, double *grads, const int *tokens, int T,
                               double *scratch)
{
    Interp *in = ctx;
    (void)scratch;
    in->x = NULL;
    run_plan(in, &in->loss, params, tokens, T, (long)T + 1);
    return backward(in, grads);
}

static double interp_loss_grad_x(void *ctx, const double *params, double *grads, const double *const *x, int T,
                                 double *scratch)
{
    Interp *in = ctx;
    (void)scratch;
    in->x = x;
    run_plan(in, &in->loss, params, NULL, T, 0);
    return backward(in, grads);
}

/* A model of examples: its logits, every element, row-major at its largest extents. */
static const double *interp_forward_x(void *ctx, const double *params, const double *const *x, int T,
                                      double *scratch)
{
    Interp *in = ctx;
    const Tensor *lt = in->g->logits;
    (void)scratch;
    in->x = x;
    run_plan(in, &in->logits, params, NULL, T, 0);
    for (size_t k = 0; k < in->nout; k++) {
        Value *v = in->vals[lt->id][k];
        in->out[k] = v ? v->data : 0.0;     /* past a runtime length: not computed */
    }
    return in->out;
}

static const double *interp_forward(void *ctx, const double *params, const int *tokens, int T, double *scratch)
{
    Interp *in = ctx;
    const Tensor *lt = in->g->logits;
    long V = in->g->vocab;
    (void)scratch;
    in->x = NULL;
    run_plan(in, &in->logits, params, tokens, T, T);
    for (long t = 0; t < T; t++)
        for (long v = 0; v < V; v++) {
            Value *x = in->vals[lt->id][t * lt->maxext[1] + v];
            if (!x)
                bad_elem("read undefined element", lt, (long[]){t, v});
            in->out[t * V + v] = x->data;
        }
    return in->out;
}

/* ---- checking the graph and planning ---- */

/* The loop variables an expression may use: loops[0..depth) of s. */
typedef struct Scope {
    const Stmt *s;
    int depth;
} Scope;

static int check_ix(const Graph *g, const Ix *x, const Scope *sc)
{
    if (!x)
        return fail("statement for %s has a missing index expression", sc->s->out->name);
    switch (x->kind) {
    case IX_CONST:
    case IX_T: return 0;
    case IX_VAR:
        for (int i = 0; i < sc->depth; i++)
            if (sc->s->loops[i].var == x->var)
                return 0;
        return fail("statement for %s uses loop variable %d outside its loops", sc->s->out->name, x->var);
    case IX_AXIS: return fail("statement for %s has an axis reference", sc->s->out->name);
    case IX_READ:
        if (!x->t || x->t->kind != TK_INPUT)
            return fail("integer read of %s, which is not an integer input", x->t ? x->t->name : "(null)");
        return check_ix(g, x->idx[0], sc);
    case IX_PAD:
        if (!x->ext || x->var < 1 || x->var > IR_MAX_RANK)
            return fail("statement for %s has a read past the edge without its axes", sc->s->out->name);
        for (int k = 0; k < x->var; k++)
            if (check_ix(g, x->idx[k], sc))
                return -1;
        return check_ix(g, x->a, sc) || check_ix(g, x->b, sc) ? -1 : 0;
    case IX_ADD:
    case IX_SUB:
    case IX_MUL:
    case IX_FLOORDIV:
    IX_CMPS
    case IX_SELECT:
    case IX_ARMS:
    case IX_MIN:
    case IX_MAX:
    case IX_MOD: return check_ix(g, x->a, sc) || check_ix(g, x->b, sc) ? -1 : 0;
    }
    return fail("bad index expression kind %d", (int)x->kind);
}

static int check_ex(const Graph *g, const Ex *e, const Scope *sc)
{
    if (!e)
        return fail("statement for %s has a missing expression", sc->s->out->name);
    switch (e->kind) {
    case EX_CONST: return 0;
    case EX_INT: return check_ix(g, e->ix, sc);
    case EX_READ:
        if (!e->t || (e->t->kind != TK_PARAM && e->t->kind != TK_ACT && e->t->kind != TK_DATA))
            return fail("real read of %s, which is neither a parameter, a real input nor an activation",
                        e->t ? e->t->name : "(null)");
        for (int k = 0; k < e->t->rank; k++)
            if (check_ix(g, e->idx[k], sc))
                return -1;
        return 0;
    case EX_PAD:
        for (int k = 0; k < e->t->rank; k++)
            if (check_ix(g, e->idx[k], sc))
                return -1;
        return check_ex(g, e->a, sc) || check_ex(g, e->b, sc) ? -1 : 0;
    case EX_ADD:
    case EX_SUB:
    EX_CMPS
    case EX_SELECT:
    case EX_ARMS:
    case EX_MUL: return check_ex(g, e->a, sc) || check_ex(g, e->b, sc) ? -1 : 0;
    case EX_POWX: return check_ex(g, e->a, sc) || check_ex(g, e->b, sc) ? -1 : 0;
    case EX_POW:
    case EX_NOGRAD:
    MG_OPS(OP_CASE) return check_ex(g, e->a, sc);
    case EX_DPOWA:
    case EX_DPOWB:
    case EX_PICK:
    case EX_IFPOS: break;
    }
    return fail("bad expression kind %d", (int)e->kind);
}

/* What ir_verify checks, for the statements the interpreter runs, plus what
 * the interpreter relies on: outputs are activations, variables are in range. */
static int check_stmt(const Graph *g, const Stmt *s)
{
    if (!s->out || s->out->kind != TK_ACT)
        return fail("forward statement writes %s, which is not an activation", s->out ? s->out->name : "(null)");
    if (s->nloop < 0 || s->nloop > IR_MAX_LOOPS || s->nred < 0 || s->nred > s->nloop ||
        (s->nred > 0) != (s->red != RED_NONE_))
        return fail("statement for %s has inconsistent loops", s->out->name);
    for (int i = 0; i < s->nloop; i++) {
        int v = s->loops[i].var;
        if (v < 0 || v >= g->nvars)
            return fail("statement for %s has loop variable %d out of range", s->out->name, v);
        for (int j = 0; j < i; j++)
            if (s->loops[j].var == v)
                return fail("statement for %s binds loop variable %d twice", s->out->name, v);
        if (check_ix(g, s->loops[i].hi, &(Scope){s, i}))
            return -1;
    }
    for (int k = 0; k < s->out->rank; k++)
        if (check_ix(g, s->oidx[k], &(Scope){s, s->nloop - s->nred}))
            return -1;
    return check_ex(g, s->e, &(Scope){s, s->nloop});
}

/* Mark in flag[] every tensor e reads. */
static void mark_reads(const Ex *e, char *flag)
{
    if (e->kind == EX_READ)
        flag[e->t->id] = 1;
    if (e->a)
        mark_reads(e->a, flag);
    if (e->b)
        mark_reads(e->b, flag);
}

/* The statements target depends on: walk the forward list backwards; a
 * statement runs if a later statement (or the caller) reads what it writes. */
static int make_plan(Interp *in, const Tensor *target, Plan *p, char *touched)
{
    const Graph *g = in->g;
    const StmtList *l = &g->fwd;
    char *need = calloc((size_t)g->ntensors + 1, 1);
    char *run = calloc((size_t)l->n + 1, 1);
    char *mine = calloc((size_t)g->ntensors + 1, 1);
    p->stmts = malloc(((size_t)l->n + 1) * sizeof *p->stmts);
    p->clear = malloc(((size_t)g->ntensors + 1) * sizeof *p->clear);
    int rc = 0;
    if (!need || !run || !mine || !p->stmts || !p->clear) {
        fputs("mgc: error: out of memory\n", stderr);
        rc = -1;
        goto out;
    }
    need[target->id] = 1;
    mine[target->id] = 1;
    /* a recurrence reads what its later statements write: walk again until
     * nothing changes */
    for (int again = 1; again;) {
        again = 0;
        for (int i = l->n - 1; i >= 0; i--) {
            const Stmt *s = l->items[i];
            if (run[i] || !s->out || !need[s->out->id])
                continue;
            if (check_stmt(g, s)) {
                rc = -1;
                goto out;
            }
            run[i] = 1;
            again |= s->rec != 0;
            mark_reads(s->e, need);
            mark_reads(s->e, mine);
            mine[s->out->id] = 1;
        }
    }
    for (int i = 0; i < l->n; i++)
        if (run[i])
            p->stmts[p->nstmt++] = l->items[i];
    for (int i = 0; i < g->ntensors; i++)
        if (mine[i]) {
            touched[i] = 1;
            if (g->tensors[i]->kind != TK_PARAM)
                p->clear[p->nclear++] = g->tensors[i];
        }
out:
    free(need);
    free(run);
    free(mine);
    return rc;
}

static int check_graph(const Graph *g)
{
    if ((g->tokens && !g->logits) || !g->loss || (!g->tokens && g->ninputs < 1))
        return fail("graph has no %s", g->tokens && !g->logits ? "logits" : !g->loss ? "loss" : "input");
    if (g->Tmax < 1 || g->Tmax > 1L << 20 || (g->tokens && g->vocab < 1))
        return fail("bad block size %ld or vocabulary %d", g->Tmax, g->vocab);
    if (g->tokens && (g->logits->rank != 2 || g->logits->maxext[0] < g->Tmax || g->logits->maxext[1] != g->vocab))
        return fail("logits %s are not [T, %d]", g->logits->name, g->vocab);
    for (int i = 0; i < g->ninputs; i++) {
        const IrInput *x = &g->inputs[i];
        if (x->rank > MG_MAX_RANK || x->t->field != i || x->t->kind != (x->is_int ? TK_INPUT : TK_DATA) ||
            (x->tokens && x->t != g->tokens))
            return fail("input %s is not described by its tensor", x->name);
    }
    if (g->loss->rank != 0)
        return fail("loss %s is not a scalar", g->loss->name);
    for (int i = 0; i < g->ntensors; i++)
        if (g->tensors[i]->id != i)
            return fail("tensor %s has id %d at position %d", g->tensors[i]->name, g->tensors[i]->id, i);
    for (int i = 0; i < g->nparams; i++) {
        const Tensor *t = g->params[i];
        if (t->kind != TK_PARAM || t->rank > MG_MAX_RANK || t->offset < 0 || t->offset + t->size > g->nscalars)
            return fail("parameter %s does not fit the parameter array", t->name);
    }
    return 0;
}

/* Mark in read[] every input (or other tensor) x reads, as ix_at evaluates it. */
static void ix_inputs(const Ix *x, char *read)
{
    if (!x)
        return;
    if (x->kind == IX_READ)
        read[x->t->id] = 1;
    for (int k = 0; k < (x->kind == IX_PAD ? x->var : x->kind == IX_READ); k++)
        ix_inputs(x->idx[k], read);
    ix_inputs(x->a, read);
    ix_inputs(x->b, read);
}

/* the same for an expression: its real reads and the indices inside it */
static void ex_inputs(const Ex *e, char *read)
{
    if (e->kind == EX_READ || e->kind == EX_PAD) {
        read[e->t->id] = 1;
        for (int k = 0; k < e->t->rank; k++)
            ix_inputs(e->idx[k], read);
    }
    ix_inputs(e->ix, read);
    if (e->a)
        ex_inputs(e->a, read);
    if (e->b)
        ex_inputs(e->b, read);
}

/* read[t->id] = 1 for every tensor the statements of plan p read: the
 * inputs forward_x needs (MgField.loss_only marks the others) */
static void plan_reads(const Plan *p, char *read)
{
    for (int i = 0; i < p->nstmt; i++) {
        const Stmt *s = p->stmts[i];
        for (int k = 0; k < s->nloop; k++)
            ix_inputs(s->loops[k].hi, read);
        for (int k = 0; k < s->out->rank; k++)
            ix_inputs(s->oidx[k], read);
        ix_inputs(s->arg, read);
        ex_inputs(s->e, read);
    }
}

/* The parameter table and the model-level fields of *out; read has
 * g->ntensors zeroed entries to work in. */
static void fill_model(Interp *in, MgModel *out, char *read)
{
    const Graph *g = in->g;
    for (int i = 0; i < g->nparams; i++) {
        const Tensor *t = g->params[i];
        MgParam *p = &in->params[i];
        p->name = t->display;
        p->rank = t->rank;
        for (int k = 0; k < t->rank; k++)
            p->shape[k] = (int)t->maxext[k];
        p->offset = (size_t)t->offset;
        p->size = (size_t)t->size;
        p->init = t->init;
        p->init_a = t->init_a;
        p->init_b = t->init_b;
    }
    memset(out, 0, sizeof *out);
    out->name = g->model;
    out->source = g->source;
    out->vocab = g->vocab;
    out->block_size = (int)g->Tmax;
    out->n_params = g->nparams;
    out->params = in->params;
    out->n_scalars = (size_t)g->nscalars;
    out->scratch = 0;
    out->optim = g->optim;
    out->optim.fast = 0;
    out->ctx = in;
    if (g->tokens) {
        out->loss_grad = interp_loss_grad;
        out->forward = interp_forward;
        return;
    }
    if (g->logits)
        plan_reads(&in->logits, read);
    for (int i = 0; i < g->ninputs; i++) {
        const IrInput *x = &g->inputs[i];
        MgField *f = &in->fields[i];
        f->loss_only = !read[x->t->id];
        f->name = x->name;
        f->is_int = x->is_int;
        f->range = x->range;
        f->rank = x->rank;
        f->size = 1;
        for (int k = 0; k < x->rank; k++) {
            f->shape[k] = (int)x->maxext[k];
            f->size *= (size_t)x->maxext[k];
        }
        long c;
        f->runtime_len = x->rank > 0 && !ix_is_const(x->ext[0], &c);
    }
    out->n_inputs = g->ninputs;
    out->inputs = in->fields;
    out->n_out = in->nout;
    out->out_row = g->tokens ? 0 : (size_t)ir_runtime_row(g->logits);
    out->loss_grad_x = interp_loss_grad_x;
    out->forward_x = g->logits ? interp_forward_x : NULL;
}

static void interp_free(Interp *in)
{
    if (!in)
        return;
    val_pool_free(&in->pool);
    free(in->vals);
    free(in->store);
    free(in->loss.stmts);
    free(in->loss.clear);
    free(in->logits.stmts);
    free(in->logits.clear);
    free(in->var);
    free(in->out);
    free(in->params);
    free(in->fields);
    free(in);
}

/* One Value* slot per element of every touched tensor, in one allocation. */
static int alloc_vals(Interp *in, char *touched)
{
    const Graph *g = in->g;
    size_t total = 0;
    for (int i = 0; i < g->nparams; i++)
        touched[g->params[i]->id] = 1;
    for (int i = 0; i < g->ntensors; i++)
        if (touched[i])
            total += (size_t)g->tensors[i]->size;
    in->vals = calloc((size_t)g->ntensors + 1, sizeof *in->vals);
    in->store = calloc(total + 1, sizeof *in->store);
    if (!in->vals || !in->store)
        return -1;
    size_t off = 0;
    for (int i = 0; i < g->ntensors; i++)
        if (touched[i]) {
            in->vals[i] = in->store + off;
            off += (size_t)g->tensors[i]->size;
        }
    return 0;
}

int interp_make_model(const Graph *g, MgModel *out)
{
    if (check_graph(g))
        return -1;
    Interp *in = calloc(1, sizeof *in);
    char *touched = calloc((size_t)g->ntensors + 1, 1);
    if (!in || !touched)
        goto oom;
    in->g = g;
    val_pool_init(&in->pool);
    if (make_plan(in, g->loss, &in->loss, touched) || (g->logits && make_plan(in, g->logits, &in->logits, touched))) {
        free(touched);
        interp_free(in);
        return -1;
    }
    in->var = calloc((size_t)g->nvars + 1, sizeof *in->var);
    in->nout = g->tokens ? (size_t)(g->Tmax * g->vocab) : g->logits ? (size_t)g->logits->size : 0;
    in->out = calloc(in->nout + 1, sizeof *in->out);
    in->params = calloc((size_t)g->nparams + 1, sizeof *in->params);
    in->fields = calloc((size_t)g->ninputs + 1, sizeof *in->fields);
    if (!in->var || !in->out || !in->params || !in->fields || alloc_vals(in, touched))
        goto oom;
    memset(touched, 0, (size_t)g->ntensors + 1);
    fill_model(in, out, touched);
    free(touched);
    return 0;
oom:
    free(touched);
    interp_free(in);
    fputs("mgc: error: out of memory\n", stderr);
    return -1;
}

void interp_set_absolute(MgModel *m, int on)
{
    ((Interp *)m->ctx)->pool.absolute = on;
}

void interp_free_model(MgModel *m)
{
    interp_free(m->ctx);
    memset(m, 0, sizeof *m);
}
