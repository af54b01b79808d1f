/* trace.c: elaborate the syntax tree into the tensor graph (see trace.h).
 * Names live in a Scope, a hash table from a name to its newest binding (older
 * ones it shadows hang below it).  A function call opens a frame, a Scope of its
 * own, that sees its parameters and the top-level declarations only, and runs its body with
 * `depth` extra leading batch axes when its arguments have more axes than it
 * declares.  Statements are built in a StmtBuilder: batch loops, output loops,
 * reduction loops.  Reductions below the root of an expression and arguments
 * that are expressions become statements of their own before the current one. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "ops.h"
#include "trace.h"

/* B_POISON: a definition that failed.  Its error was reported where it failed;
 * every later use fails silently, so one mistake gives one error. */
typedef enum { B_INT, B_REAL, B_DIM, B_SHAPE, B_INDEX, B_TENSOR, B_VIEW, B_FN, B_POISON } BKind;

/* An integer tensor that is an index expression over its own axes
 * (the token input, or a view such as targets[t] = tokens[t + 1]). */
typedef struct View {
    int rank;                 /* physical: nb batch axes, then logical ones */
    Ix *ext[IR_MAX_RANK];
    Ix *tmpl;                 /* value, over IX_AXIS(k) */
} View;

typedef struct Bind Bind;
struct Bind {
    const char *name;
    BKind kind;
    long ival;
    double rval;
    Ix *ix;                   /* B_SHAPE: value over batch axes */
    int var;                  /* B_INDEX */
    Tensor *t;                /* B_TENSOR */
    View *view;               /* B_VIEW */
    int nb;                   /* B_TENSOR, B_VIEW: leading batch axes */
    const Node *fn;           /* B_FN */
    const char *what;         /* B_POISON: what it would have been, for messages */
    int decl;                 /* const, dim, input, param, fn: cannot be assigned */
    int prelude;              /* declared by the prelude (a user fn may replace it) */
    SrcLoc loc;
    Bind *shadow;             /* the older binding of the same name in its Scope */
};

/* The bindings of one frame: for each name ever bound in it, its newest
 * binding (NULL once that is unlinked and nothing older remains), by open
 * addressing on ir_str_hash.  An entry is never removed. */
typedef struct Name {
    const char *key;
    Bind *top;
} Name;

typedef struct Scope {
    Name *slot;
    size_t cap, n;            /* cap: a power of two, at least twice n */
} Scope;

typedef struct Val {
    enum { V_ERR, V_INT, V_REAL } kind;
    Ix *ix;
    Ex *e;
} Val;

typedef struct SB {
    Loop loops[IR_MAX_LOOPS];
    int nloops;
    int bvar[IR_MAX_LOOPS];   /* loop variable of each batch axis */
    int nbatch;
    int impl_rank;            /* implicit output axes of `y = expr` */
    int impl_var[IR_MAX_RANK];
    int impl_ext_nb;          /* the shape-giving operand's batch axes */
} SB;

typedef struct Tr {
    Graph *g;
    Scope *scope;
    Scope *globals;           /* declarations a function body can see */
    int in_fn;
    int depth;                /* batch axes of the current frame */
    Ix *bext[IR_MAX_LOOPS];   /* their extents, over IX_AXIS(j < k) */
    const char *prefix;       /* display prefix for locals: "softmax." */
    const Node *calls[64];
    int ncalls;
    SrcLoc site;
    SrcLoc too_long;          /* the last statement that ran too many iterations */
    SB sb;
    int have_dim, have_input, have_optim;
    Bind *dim_bind;
    int npoison;              /* uses of poison so far: failures already reported */
    const TraceOpts *opts;    /* -D overrides (never NULL) */
    char used[TRACE_MAX_OVERRIDES];   /* which of them a const took */
} Tr;

static const SrcLoc noloc;

/* ------------------------------------------------------------------ names */

static Bind *new_bind(Tr *tr, const char *name, BKind kind, SrcLoc loc)
{
    (void)tr;
    Bind *b = arena_alloc(sizeof *b);
    b->name = name;
    b->kind = kind;
    b->loc = loc;
    return b;
}

static Scope *new_scope(void)
{
    Scope *sc = arena_alloc(sizeof *sc);
    sc->cap = 16;
    sc->slot = arena_alloc(sc->cap * sizeof *sc->slot);
    return sc;
}

/* the entry of name in sc; made (empty) when make is set, else NULL if none */
static Name *scope_entry(Scope *sc, const char *name, int make)
{
    size_t j = ir_str_hash(name) & (sc->cap - 1);
    for (; sc->slot[j].key; j = (j + 1) & (sc->cap - 1))
        if (!strcmp(sc->slot[j].key, name))
            return &sc->slot[j];
    if (!make)
        return NULL;
    if (2 * (sc->n + 1) > sc->cap) {
        size_t cap = 2 * sc->cap;
        Name *slot = arena_alloc(cap * sizeof *slot);
        for (size_t i = 0; i < sc->cap; i++)
            if (sc->slot[i].key) {
                size_t k = ir_str_hash(sc->slot[i].key) & (cap - 1);
                while (slot[k].key)
                    k = (k + 1) & (cap - 1);
                slot[k] = sc->slot[i];
            }
        sc->slot = slot;
        sc->cap = cap;
        for (j = ir_str_hash(name) & (cap - 1); slot[j].key; j = (j + 1) & (cap - 1))
            ;
    }
    sc->n++;
    sc->slot[j].key = name;
    return &sc->slot[j];
}

/* the newest binding of name in sc, or NULL */
static Bind *scope_find(Scope *sc, const char *name)
{
    Name *e = scope_entry(sc, name, 0);
    return e ? e->top : NULL;
}

static void scope_push(Scope *sc, Bind *b)
{
    Name *e = scope_entry(sc, b->name, 1);
    b->shadow = e->top;
    e->top = b;
}

static void push_bind(Tr *tr, Bind *b)
{
    scope_push(tr->scope, b);
}

static void unlink_bind(Tr *tr, Bind *b)
{
    Name *e = scope_entry(tr->scope, b->name, 0);
    for (Bind **p = e ? &e->top : NULL; p && *p; p = &(*p)->shadow)
        if (*p == b) {
            *p = b->shadow;
            return;
        }
}

static Bind *lookup(Tr *tr, const char *name)
{
    Bind *b = scope_find(tr->scope, name);
    if (!b && tr->in_fn)
        b = scope_find(tr->globals, name);
    return b;
}

static const char *kind_word(const Bind *b)
{
    switch (b->kind) {
    case B_INT:
    case B_REAL: return "constant";
    case B_DIM: return "runtime length";
    case B_SHAPE: return "shape variable";
    case B_INDEX: return "index";
    case B_TENSOR: return b->t->kind == TK_PARAM ? "parameter" : "tensor";
    case B_VIEW: return "integer tensor";
    case B_FN: return "function";
    case B_POISON: return b->what;
    }
    return "name";
}

/* kind_word with its article: "an integer tensor", "a parameter" */
static const char *a_kind(const Bind *b)
{
    const char *w = kind_word(b);
    return arena_printf("%s %s", strchr("aeiou", w[0]) ? "an" : "a", w);
}

/* A declaration: redefinition of anything but a prelude function is an error. */
static void declare(Tr *tr, Bind *b)
{
    Bind *old = scope_find(tr->scope, b->name);
    if (old && !(old->prelude && b->kind == B_FN && old->kind == B_FN)) {
        diag_error(b->loc, "redefinition of '%s'", b->name);
        diag_note(old->loc, "'%s' was first defined here as %s", old->name, a_kind(old));
        return;
    }
    b->decl = 1;
    push_bind(tr, b);
    if (!tr->in_fn) {
        Bind *copy = arena_alloc(sizeof *copy);
        *copy = *b;
        scope_push(tr->globals, copy);
    }
}

/* Is b poison?  Counts the use: the caller fails silently, as reported. */
static int poisoned(Tr *tr, const Bind *b)
{
    if (!b || b->kind != B_POISON)
        return 0;
    tr->npoison++;
    return 1;
}

/* The definition of `name` (a declaration when decl is set) failed after an
 * error: bind it to poison.  An assignable binding turns poison in place, as
 * an assignment updates it; a declared name keeps its value. */
static void poison(Tr *tr, const char *name, const char *what, int decl, SrcLoc loc)
{
    Bind *old = name ? scope_find(tr->scope, name) : NULL;
    if (!name || (old && (decl || old->decl || old->kind == B_INDEX || old->kind == B_SHAPE)))
        return;
    if (old) {
        old->kind = B_POISON;
        old->what = what;
        old->loc = loc;
        return;
    }
    Bind *b = new_bind(tr, name, B_POISON, loc);
    b->what = what;
    if (decl)
        declare(tr, b);
    else
        push_bind(tr, b);
}

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

static const char *shape_str(Tr *tr, Tensor *t, int nb)
{
    char buf[256];
    print_shape_buf(buf, sizeof buf, t, nb, tr->g);
    return arena_strdup(buf);
}

static const char *ix_str(Tr *tr, Ix *x)
{
    char buf[256];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    if (!f)
        return "?";
    ix_print(f, x, tr->g);
    fclose(f);
    return arena_strdup(buf);
}

/* -------------------------------------------------- constant expressions */

typedef struct Cv {
    int ok, is_int;
    long long i;
    double r;
} Cv;

static Cv cv_int(long long i) { Cv c = {1, 1, i, (double)i}; return c; }
static Cv cv_real(double r) { Cv c = {1, 0, 0, r}; return c; }
static Cv cv_err(void) { Cv c = {0, 0, 0, 0}; return c; }

static Cv const_eval(Tr *tr, const Node *n);

/* A folded real constant must be finite: 1.0 / 0.0, 0 ^ -1 and log(0.0) are
 * errors, as 4 / 0 is.  1, or 0 after the error. */
static int finite_const(const Node *n, double r)
{
    if (isfinite(r))
        return 1;
    diag_error(n->loc, "this constant is %s; a constant must be a finite number", isnan(r) ? "NaN" : r > 0 ? "inf" : "-inf");
    return 0;
}

static Cv const_bin(const Node *n, Cv a, Cv b)
{
    long long r;
    if (a.is_int && b.is_int) {
        switch (n->op) {
        case '+':
            if (__builtin_add_overflow(a.i, b.i, &r)) break;
            return cv_int(r);
        case '-':
            if (__builtin_sub_overflow(a.i, b.i, &r)) break;
            return cv_int(r);
        case '*':
            if (__builtin_mul_overflow(a.i, b.i, &r)) break;
            return cv_int(r);
        case '/':
            if (b.i == 0) {
                diag_error(n->loc, "division by zero");
                return cv_err();
            }
            if (b.i == -1) {
                if (a.i == LLONG_MIN)
                    break;      /* -INT64_MIN does not fit */
                return cv_int(-a.i);
            }
            if (a.i % b.i == 0)
                return cv_int(a.i / b.i);
            return cv_real((double)a.i * pow((double)b.i, -1));
        case OP_FLOORDIV:
        case '%':
            if (b.i <= 0) {
                diag_error(n->loc, "'%s' needs a positive right operand, got %lld", ast_op_name(n->op), b.i);
                return cv_err();
            }
            r = a.i / b.i;
            if (a.i % b.i && a.i < 0)
                r--;
            return cv_int(n->op == '%' ? a.i - r * b.i : r);
        case '^':
            return cv_real(pow((double)a.i, (double)b.i));
        default: break;
        }
        if (n->op == '+' || n->op == '-' || n->op == '*' || n->op == '/') {
            diag_error(n->loc, "integer overflow in constant expression");
            return cv_err();
        }
    }
    switch (n->op) {
    case '+': return cv_real(a.r + b.r);
    case '-': return cv_real(a.r - b.r);
    case '*': return cv_real(a.r * b.r);
    case '/': return cv_real(a.r * pow(b.r, -1));
    case '^': return cv_real(pow(a.r, b.r));
    default:
        diag_error(n->loc, "'%s' needs integer operands", ast_op_name(n->op));
        return cv_err();
    }
}

static Cv const_eval(Tr *tr, const Node *n)
{
    switch (n->kind) {
    case A_NUM:
        return n->is_int ? cv_int(n->inum) : cv_real(n->num);
    case A_NAME: {
        Bind *b = lookup(tr, n->name);
        if (!b) {
            diag_error(n->loc, "unknown name '%s'", n->name);
            return cv_err();
        }
        if (poisoned(tr, b))
            return cv_err();
        if (b->kind == B_INT)
            return cv_int(b->ival);
        if (b->kind == B_REAL)
            return cv_real(b->rval);
        diag_error(n->loc, "'%s' is %s, not a compile-time constant", n->name, a_kind(b));
        diag_note(b->loc, "'%s' defined here", n->name);
        return cv_err();
    }
    case A_UNARY: {
        Cv a = const_eval(tr, n->a);
        if (!a.ok)
            return a;
        if (a.is_int && a.i == LLONG_MIN) {
            diag_error(n->loc, "integer overflow in constant expression");
            return cv_err();
        }
        return a.is_int ? cv_int(-a.i) : cv_real(a.r * -1);
    }
    case A_BINARY: {
        Cv a = const_eval(tr, n->a);
        Cv b = const_eval(tr, n->b);
        if (!a.ok || !b.ok)
            return cv_err();
        Cv r = const_bin(n, a, b);
        return !r.ok || r.is_int || finite_const(n, r.r) ? r : cv_err();
    }
    default:
        diag_error(n->loc, "expected a compile-time constant expression");
        return cv_err();
    }
}

/* The cap on every extent, loop bound and index range. */
enum { MAX_EXTENT = 100000000 };
/* The cap on one statement's iterations: the product of its loops' ranges,
 * reductions included, at T = its bound. */
static const long MAX_ITERATIONS = 1000000000000L;

/* A positive integer constant (an extent, a loop bound). */
static int const_dim(Tr *tr, const Node *n, const char *what, long *out, int allow_zero)
{
    Cv c = const_eval(tr, n);
    if (!c.ok)
        return 0;
    if (!c.is_int) {
        char num[64];
        snprintf(num, sizeof num, "%g%s", c.r, c.r == floor(c.r) && fabs(c.r) < 1e6 ? ".0" : "");   /* 16.0, not 16 */
        diag_error(n->loc, "%s must be an integer, but %s is a real number", what, num);
        return 0;
    }
    if (c.i < (allow_zero ? 0 : 1) || c.i > MAX_EXTENT) {
        diag_error(n->loc, "%s must be %s %d, got %lld", what,
                   allow_zero ? "between 0 and" : "between 1 and", MAX_EXTENT, c.i);
        return 0;
    }
    *out = (long)c.i;
    return 1;
}

/* ------------------------------------------------------------ name paths */

/* "layer[l].attn_wq" -> "layer0.attn_wq"; NULL (with an error) if an index is
 * not a constant.  Only A_NAME, A_MEMBER and A_INDEX-with-one-index chains. */
static const char *path_name(Tr *tr, const Node *n, int quiet)
{
    switch (n->kind) {
    case A_NAME: return n->name;
    case A_MEMBER: {
        const char *base = path_name(tr, n->a, quiet);
        return base ? arena_printf("%s.%s", base, n->name) : NULL;
    }
    case A_INDEX: {
        const char *base = path_name(tr, n->a, quiet);
        if (!base)
            return NULL;
        if (n->list.n != 1) {
            if (!quiet)
                diag_error(n->loc, "a name path takes one index, as in layer[l]");
            return NULL;
        }
        if (quiet)
            return NULL;
        Cv c = const_eval(tr, n->list.items[0]);
        if (!c.ok)
            return NULL;
        if (!c.is_int || c.i < 0) {
            diag_error(n->list.items[0]->loc, "a name path index must be a non-negative integer");
            return NULL;
        }
        return arena_printf("%s%lld", base, c.i);
    }
    default: return NULL;
    }
}

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

static void begin_stmt(Tr *tr, SrcLoc loc)
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

static long t_max(const Tr *tr);

static int same_loc(SrcLoc a, SrcLoc b) { return a.file == b.file && a.line == b.line && a.col == b.col; }

/* Refuse a statement whose loops run more than MAX_ITERATIONS times in all
 * (0), reported once per top-level statement.  Each range is already at most
 * MAX_EXTENT (check_range), but not their product. */
static int check_iterations(Tr *tr, const Stmt *s)
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

/* ------------------------------------------------------ bounds checking */

/* The largest T, and at least 1 (before 'dim' is declared). */
static long t_max(const Tr *tr) { return tr->g->Tmax > 0 ? tr->g->Tmax : 1; }

/* Interval of x over the loops in scope and every T (see ix_interval). */
static int interval_all_T(Tr *tr, const Ix *x, long *lo, long *hi)
{
    return ix_interval(x, tr->sb.loops, tr->sb.nloops, 1, t_max(tr), tr->g->vocab, lo, hi);
}

/* Check 0 <= idx < ext for every value of the loops in scope and every T.  An
 * affine proof (ix_nonneg) or one interval over all T settles most indices at
 * once; only what neither can show is checked T by T, which also finds the T
 * that a message names. */
static int check_index(Tr *tr, Ix *idx, Ix *ext, const Node *at, const char *tname, int axis, SrcLoc decl)
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
            if (!ix_is_const(ext, NULL) || !ix_is_const(idx, NULL))
                diag_note(at->loc, "with T = %ld", T);
            diag_note(decl, "'%s' defined here", tname);
            return 0;
        }
    }
    return 1;
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

static Val elab(Tr *tr, const Node *n);
static Bind *call_fn(Tr *tr, const Node *call);
static Bind *materialize(Tr *tr, const Node *n, const char *name);

static int is_builtin(const char *name) { return op_builtin(name) != NULL; }

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
            diag_error(n->loc, "unknown name '%s'", name);
        return poisoned(tr, b) ? NULL : b;
    }
    diag_error(n->loc, "only a tensor name or a function call can be indexed");
    return NULL;
}

/* Read tensor or view `b` at logical indices idx[0..ni). */
static Val read_at(Tr *tr, Bind *b, Ix **idx, int ni, const Node *at, Node *const *inodes, const char *name)
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
    for (int k = 0; k < ni; k++) {
        Ix *e = ix_subst_axes(ext[nb + k], phys);
        if (!check_index(tr, idx[k], e, inodes ? inodes[k] : at, name, k, b->loc))
            return v_err();
    }
    if (b->kind == B_VIEW)
        return v_int(ix_subst_axes(b->view->tmpl, phys));
    return v_real(ex_read(b->t, prank, phys));
}

/* An unindexed reference in an element expression. */
static Val read_whole(Tr *tr, Bind *b, const Node *at, const char *name)
{
    int prank = b->kind == B_TENSOR ? b->t->rank : b->view->rank;
    int lrank = prank - b->nb;
    if (lrank == 0)
        return read_at(tr, b, NULL, 0, at, NULL, name);
    if (tr->sb.impl_rank != lrank) {
        if (tr->sb.impl_rank == 0)
            return read_at(tr, b, NULL, 0, at, NULL, name);
        diag_error(at->loc, "'%s' has shape %s, but this statement's shape has %d ax%s", name,
                   b->kind == B_TENSOR ? shape_str(tr, b->t, b->nb) : "(integer)", tr->sb.impl_rank,
                   tr->sb.impl_rank == 1 ? "is" : "es");
        diag_note(b->loc, "'%s' defined here", name);
        return v_err();
    }
    Ix *idx[IR_MAX_RANK];
    for (int k = 0; k < lrank; k++)
        idx[k] = ix_var(tr->sb.impl_var[k]);
    /* the extents must agree with the statement's */
    Ix **ext = b->kind == B_TENSOR ? b->t->ext : b->view->ext;
    Ix *phys[IR_MAX_RANK];
    for (int k = 0; k < b->nb; k++)
        phys[k] = ix_var(tr->sb.bvar[k]);
    for (int k = 0; k < lrank; k++)
        phys[b->nb + k] = idx[k];
    for (int k = 0; k < lrank; k++) {
        Ix *e = ix_subst_axes(ext[b->nb + k], phys);
        int li = loop_index(tr, tr->sb.impl_var[k]);
        if (!ix_equal(e, tr->sb.loops[li].hi)) {
            diag_error(at->loc, "shape mismatch: axis %d of '%s' has extent %s, but the statement's has %s", k + 1,
                       name, ix_str(tr, e), ix_str(tr, tr->sb.loops[li].hi));
            diag_note(b->loc, "'%s' defined here", name);
            return v_err();
        }
    }
    return read_at(tr, b, idx, lrank, at, NULL, name);
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
            return v_err();
        }
        idx[k] = v.ix;
    }
    return read_at(tr, b, idx, n->list.n, n, n->list.items, name);
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
    if (e->kind == EX_READ)
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
static Ix *infer_range(Tr *tr, const char *var, const Node *body, const Node *at);

/* A written range 'r < hi' must not be negative and, like a loop bound or an
 * extent, at most MAX_EXTENT, for every T and every value of the outer loops. */
static int check_range(Tr *tr, const Node *r, Ix *hi)
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

/* Does x mention IX_AXIS(j) for some lo <= j < hi? */
static int mentions_axis_from(const Ix *x, int lo, int hi)
{
    switch (x->kind) {
    case IX_AXIS: return x->var >= lo && x->var < hi;
    case IX_CONST:
    case IX_T:
    case IX_VAR: return 0;
    case IX_READ: return mentions_axis_from(x->idx[0], lo, hi);
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

static Ix *infer_range(Tr *tr, const char *var, const Node *body, const Node *at)
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

/* sum/max/mean below the root: a statement of its own over the loops it needs. */
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
    const char *nm = n->op == RED_MAX ? "max" : "sum";
    Tensor *t = new_act(tr, nm, outer, no, n->loc);
    if (!t)
        return v_err();
    if (!make_stmt(tr, t, outer, no, red, nr, n->op == RED_MAX ? RED_MAX_ : RED_SUM_, e, n->loc))
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

static Val arith(Tr *tr, const Node *n, Val a, Val b)
{
    if (a.kind == V_ERR || b.kind == V_ERR)
        return v_err();
    int op = n->op;
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
        if (y->kind != EX_CONST) {
            diag_error(n->b->loc, "the exponent of '^' must be a compile-time constant");
            return v_err();
        }
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

static Val elab(Tr *tr, const Node *n)
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
        const OpInfo *op = op_builtin(n->name);
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

/* The implicit shape of `y = expr`: the first unindexed operand of rank > 0. */
static Bind *find_shape_operand(Tr *tr, const Node *n, int depth)
{
    if (!n || depth > 200)
        return NULL;
    switch (n->kind) {
    case A_NAME:
    case A_MEMBER: {
        const char *name = path_name(tr, n, 1);
        Bind *b = name ? lookup(tr, name) : NULL;
        if (b && ((b->kind == B_TENSOR && b->t->rank > b->nb) || (b->kind == B_VIEW && b->view->rank > b->nb)))
            return b;
        return NULL;
    }
    case A_INDEX:
    case A_REDUCE: return NULL;
    case A_CALL:
        if (!is_builtin(n->name))
            return NULL;
        for (int i = 0; i < n->list.n; i++) {
            Bind *b = find_shape_operand(tr, n->list.items[i], depth + 1);
            if (b)
                return b;
        }
        return NULL;
    default: {
        Bind *b = find_shape_operand(tr, n->a, depth + 1);
        return b ? b : find_shape_operand(tr, n->b, depth + 1);
    }
    }
}

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
    } else {
        Bind *shape = find_shape_operand(tr, rhs, 0);
        if (shape) {
            int prank = shape->kind == B_TENSOR ? shape->t->rank : shape->view->rank;
            Ix **ext = shape->kind == B_TENSOR ? shape->t->ext : shape->view->ext;
            int lrank = prank - shape->nb;
            Ix *phys[IR_MAX_RANK];
            for (int k = 0; k < shape->nb; k++)
                phys[k] = ix_var(tr->sb.bvar[k]);
            static const char *hints[] = {"i", "j", "k", "l"};
            for (int k = 0; k < lrank; k++) {
                int v = new_var(tr, hints[k]);
                phys[shape->nb + k] = ix_var(v);
                tr->sb.impl_var[k] = v;
                push_loop(tr, v, ix_subst_axes(ext[shape->nb + k], phys), loc);
            }
            tr->sb.impl_rank = lrank;
        }
    }
    int nout = tr->sb.nloops;
    RedKind rk = RED_NONE_;
    int nred = 0;
    Val v;
    Bind *rbinds[IR_MAX_LOOPS];
    if (rhs->kind == A_REDUCE && rhs->op != RED_MEAN) {
        nred = bind_ranges(tr, &rhs->list, rhs->b, rbinds);
        if (nred < 0) {
            unbind(tr, binds, nb);
            return NULL;
        }
        v = elab(tr, rhs->b);
        unbind(tr, rbinds, nred);
        rk = rhs->op == RED_MAX ? RED_MAX_ : RED_SUM_;
    } else {
        v = elab(tr, rhs);
    }
    unbind(tr, binds, nb);
    if (v.kind == V_ERR)
        return NULL;
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
    Tensor *t = new_act(tr, name, tr->sb.loops, nout, loc);
    if (!t)
        return NULL;
    if (!make_stmt(tr, t, tr->sb.loops, nout, tr->sb.loops + nout, nred, rk, to_real(v), loc))
        return NULL;
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

static void do_assign(Tr *tr, Node *n)
{
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

static void exec_list(Tr *tr, const NodeList *l);

static Bind *call_fn(Tr *tr, const Node *call)
{
    Bind *fb = lookup(tr, call->name);
    if (!fb)
        diag_error(call->loc, "unknown function '%s'", call->name);
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
    SB saved_sb = tr->sb;
    Bind *args[64];
    int nargs = fn->list.n < 64 ? fn->list.n : 64;
    int D = tr->depth;
    int have_args = 1;      /* every argument is traced, so each reports its own errors */
    for (int i = 0; i < nargs; i++) {
        args[i] = materialize(tr, call->list.items[i], arena_printf("%s.arg%d", call->name, i + 1));
        tr->sb = saved_sb;
        have_args &= args[i] != NULL;
    }
    if (!have_args)
        return NULL;
    /* batching: arguments with more axes than declared map the body over them */
    int E = 0, lead = -1;
    for (int i = 0; i < nargs; i++) {
        const Node *p = fn->list.items[i];
        Bind *a = args[i];
        int lrank = a->kind == B_TENSOR ? a->t->rank - a->nb : a->kind == B_VIEW ? a->view->rank - a->nb : 0;
        int extra = lrank - p->list.n;
        if (extra < 0) {
            diag_error(call->list.items[i]->loc, "argument %d of '%s' has %d ax%s, but '%s' declares %d", i + 1,
                       call->name, lrank, lrank == 1 ? "is" : "es", p->name, p->list.n);
            diag_note(p->loc, "parameter '%s' declared here", p->name);
            return NULL;
        }
        if (extra > 0) {
            if (lead >= 0 && extra != E) {
                diag_error(call->list.items[i]->loc, "arguments of '%s' are mapped over different numbers of axes (%d and %d)",
                           call->name, E, extra);
                return NULL;
            }
            if (a->nb != D) {
                diag_error(call->list.items[i]->loc, "argument %d of '%s' cannot be mapped over: it is not batched like the call", i + 1, call->name);
                return NULL;
            }
            E = extra;
            if (lead < 0)
                lead = i;
        }
    }
    if (D + E > IR_MAX_RANK) {
        diag_error(call->loc, "call of '%s' maps over too many axes", call->name);
        return NULL;
    }
    Ix *nbext[IR_MAX_LOOPS];
    for (int k = 0; k < D; k++)
        nbext[k] = tr->bext[k];
    if (lead >= 0) {
        Ix **ext = args[lead]->kind == B_TENSOR ? args[lead]->t->ext : args[lead]->view->ext;
        for (int k = D; k < D + E; k++)
            nbext[k] = ext[k];
        for (int i = 0; i < nargs; i++) {
            Bind *a = args[i];
            int lrank = a->kind == B_TENSOR ? a->t->rank - a->nb : a->kind == B_VIEW ? a->view->rank - a->nb : 0;
            if (i == lead || lrank - fn->list.items[i]->list.n == 0)
                continue;
            Ix **e2 = a->kind == B_TENSOR ? a->t->ext : a->view->ext;
            for (int k = D; k < D + E; k++)
                if (!ix_equal(e2[k], nbext[k])) {
                    diag_error(call->list.items[i]->loc, "argument %d of '%s' is mapped over an axis of extent %s, but argument %d over %s",
                               i + 1, call->name, ix_str(tr, e2[k]), lead + 1, ix_str(tr, nbext[k]));
                    return NULL;
                }
        }
    }
    /* open the frame */
    Tr saved = *tr;
    tr->scope = new_scope();
    tr->in_fn = 1;
    tr->depth = D + E;
    for (int k = 0; k < D + E; k++)
        tr->bext[k] = nbext[k];
    tr->prefix = arena_printf("%s.", call->name);
    tr->calls[tr->ncalls++] = fn;
    int ok = 1;
    for (int i = 0; i < nargs && ok; i++) {
        const Node *p = fn->list.items[i];
        Bind *a = args[i];
        Bind *b = new_bind(tr, p->name, a->kind, p->loc);
        *b = *a;
        b->name = p->name;
        b->loc = p->loc;
        b->decl = 0;
        b->shadow = NULL;
        int lrank = a->kind == B_TENSOR ? a->t->rank - a->nb : a->kind == B_VIEW ? a->view->rank - a->nb : 0;
        if (a->kind == B_TENSOR || a->kind == B_VIEW) {
            if (lrank > p->list.n)
                b->nb = D + E;
            Ix **ext = a->kind == B_TENSOR ? a->t->ext : a->view->ext;
            for (int k = 0; k < p->list.n && ok; k++) {
                Ix *actual = ext[b->nb + k];
                /* an extent that depends on the argument's own axes cannot be named */
                int own = mentions_axis_from(actual, b->nb, IR_MAX_RANK);
                const Node *d = p->list.items[k];
                Bind *sv = d->kind == A_NAME ? lookup(tr, d->name) : NULL;
                if (own) {
                    diag_error(call->list.items[i]->loc, "axis %d of argument %d of '%s' has a range that depends on another of its axes; map over that axis instead",
                               k + 1, i + 1, call->name);
                    ok = 0;
                } else if (d->kind == A_NAME && !sv) {
                    Bind *s = new_bind(tr, d->name, B_SHAPE, d->loc);
                    s->ix = actual;
                    s->decl = 1;
                    push_bind(tr, s);
                } else {
                    Ix *want;
                    if (sv && sv->kind == B_SHAPE)
                        want = sv->ix;
                    else if (sv && sv->kind == B_DIM)
                        want = ix_T();
                    else {
                        long c;
                        if (!const_dim(tr, d, "a declared extent", &c, 0)) {
                            ok = 0;
                            break;
                        }
                        want = ix_const(c);
                    }
                    if (!ix_equal(want, actual)) {
                        diag_error(call->list.items[i]->loc, "argument %d of '%s' has shape %s, but '%s' expects extent %s for axis %d",
                                   i + 1, call->name,
                                   a->kind == B_TENSOR ? shape_str(tr, a->t, a->nb) : "(integer)",
                                   p->name, ix_str(tr, want), k + 1);
                        diag_note(p->loc, "parameter '%s' declared here", p->name);
                        ok = 0;
                    }
                }
            }
        } else if (p->list.n > 0) {
            diag_error(call->list.items[i]->loc, "argument %d of '%s' is a number, but '%s' is a tensor", i + 1,
                       call->name, p->name);
            ok = 0;
        }
        for (Bind *o = scope_find(tr->scope, p->name); o && ok; o = o->shadow)
            if (o->kind != B_SHAPE) {
                diag_error(p->loc, "parameter '%s' is declared twice", p->name);
                ok = 0;
            }
        push_bind(tr, b);
    }
    Bind *result = NULL;
    if (ok) {
        int before = diag_errors(), npoison = tr->npoison;
        exec_list(tr, &fn->list2);
        const Node *rd = fn->b;
        Bind *r = scope_find(tr->scope, rd->name);
        if (diag_errors() > before || tr->npoison > npoison) {
            /* already reported, here or where a poisoned name failed */
        } else if (!r || (r->kind != B_TENSOR && r->kind != B_VIEW)) {
            diag_error(rd->loc, "'%s' never assigns its result '%s'", call->name, rd->name);
        } else {
            int lrank = (r->kind == B_TENSOR ? r->t->rank : r->view->rank) - r->nb;
            int want = rd->list.n;
            if (r->nb == tr->depth && lrank != want) {
                diag_error(rd->loc, "result '%s' of '%s' has %d ax%s, but %d %s declared", rd->name, call->name,
                           lrank, lrank == 1 ? "is" : "es", want, want == 1 ? "is" : "are");
            } else {
                int good = 1;
                Ix **ext = r->kind == B_TENSOR ? r->t->ext : r->view->ext;
                for (int k = 0; k < want && r->nb == tr->depth; k++) {
                    const Node *d = rd->list.items[k];
                    Bind *sv = d->kind == A_NAME ? lookup(tr, d->name) : NULL;
                    Ix *w;
                    long c;
                    if (sv && sv->kind == B_SHAPE)
                        w = sv->ix;
                    else if (sv && sv->kind == B_DIM)
                        w = ix_T();
                    else if (const_dim(tr, d, "a declared extent", &c, 0))
                        w = ix_const(c);
                    else {
                        good = 0;
                        break;
                    }
                    Ix *actual = ext[r->nb + k];
                    if (mentions_axis_from(actual, r->nb, IR_MAX_RANK))
                        continue;    /* a causal range inside the result: checked by its statements */
                    if (!ix_equal(w, actual)) {
                        diag_error(rd->loc, "result '%s' of '%s' has extent %s on axis %d, but %s is declared",
                                   rd->name, call->name, ix_str(tr, actual), k + 1, ix_str(tr, w));
                        good = 0;
                    }
                }
                if (good) {
                    result = arena_alloc(sizeof *result);
                    *result = *r;
                    result->shadow = NULL;
                    result->decl = 0;
                    if (result->nb > D)
                        result->nb = D;
                }
            }
        }
    }
    int ncalls = tr->ncalls - 1, npoison = tr->npoison;
    *tr = saved;
    tr->ncalls = ncalls;
    tr->npoison = npoison;
    tr->sb = saved_sb;
    if (result)
        result->loc = call->loc;
    return result;
}

/* ---------------------------------------------------------- declarations */

/* mgc -D NAME=VALUE: top-level constants set from the command line */
int trace_override(TraceOpts *o, const char *name, const char *value)
{
    for (int i = 0; i < o->ndef; i++)
        if (!strcmp(o->def[i].name, name)) {
            o->def[i].value = value;
            return 0;
        }
    if (o->ndef == TRACE_MAX_OVERRIDES)
        return -1;
    o->def[o->ndef].name = name;
    o->def[o->ndef++].value = value;
    return 0;
}

/* the -D value of a top-level const, if there is one */
static int override_value(Tr *tr, const Node *n, Cv *c)
{
    for (int i = 0; i < tr->opts->ndef && !tr->in_fn; i++) {
        if (strcmp(tr->opts->def[i].name, n->name) != 0)
            continue;
        tr->used[i] = 1;
        const char *v = tr->opts->def[i].value;
        char *end;
        errno = 0;
        long long k = strtoll(v, &end, 10);
        if (*v && !*end && errno == 0) {
            *c = cv_int(k);
            return 1;
        }
        double r = strtod(v, &end);
        if (!*v || *end || !isfinite(r)) {
            diag_error(n->loc, "-D %s=%s: '%s' is not a number", n->name, v, v);
            *c = cv_err();
            return 1;
        }
        /* 16.0 or 1e3 on the command line is the integer it spells exactly */
        *c = r == floor(r) && fabs(r) <= 9007199254740992.0 ? cv_int((long long)r) : cv_real(r);
        return 1;
    }
    return 0;
}

static void do_const(Tr *tr, const Node *n)
{
    Cv c;
    if (!override_value(tr, n, &c))
        c = const_eval(tr, n->a);
    if (!c.ok) {
        poison(tr, n->name, "constant", 1, n->loc);
        return;
    }
    Bind *b = new_bind(tr, n->name, c.is_int ? B_INT : B_REAL, n->loc);
    b->ival = (long)c.i;
    b->rval = c.r;
    declare(tr, b);
}

/* The runtime length's bound; 0 after an error. */
static long dim_bound(Tr *tr, const Node *n)
{
    if (tr->in_fn) {
        diag_error(n->loc, "'dim' belongs at the top level");
        return 0;
    }
    if (tr->have_dim) {
        diag_error(n->loc, "only one runtime length is supported; '%s' was declared already", tr->dim_bind->name);
        diag_note(tr->dim_bind->loc, "declared here");
        return 0;
    }
    long v;
    if (!const_dim(tr, n->a, "the bound of a runtime length", &v, 0))
        return 0;
    if (n->op != OP_LE)
        v -= 1;
    if (v < 1)
        diag_error(n->a->loc, "the runtime length must be allowed to reach at least 1");
    return v < 1 ? 0 : v;
}

/* A failed 'dim' still counts as declared (its name poisoned), so what must
 * follow it does not ask for it again. */
static void do_dim(Tr *tr, const Node *n)
{
    long v = dim_bound(tr, n);
    if (!v) {
        poison(tr, n->name, "runtime length", 1, n->loc);
        if (!tr->in_fn && !tr->have_dim) {
            tr->have_dim = 1;
            tr->dim_bind = scope_find(tr->scope, n->name);
        }
        return;
    }
    tr->g->Tmax = v;
    Bind *b = new_bind(tr, n->name, B_DIM, n->loc);
    declare(tr, b);
    tr->have_dim = 1;
    tr->dim_bind = b;
}

/* The input's extent, an integer expression in T (and the vocabulary into
 * the graph); NULL after an error. */
static Ix *input_extent(Tr *tr, const Node *n)
{
    if (tr->in_fn) {
        diag_error(n->loc, "'input' belongs at the top level");
        return NULL;
    }
    if (tr->have_input) {
        diag_error(n->loc, "only one input is supported: the token sequence");
        return NULL;
    }
    if (!tr->have_dim) {
        diag_error(n->loc, "declare the runtime length first, as in 'dim T <= block_size'");
        return NULL;
    }
    if (n->list.n != 1) {
        diag_error(n->loc, "the input must have one axis, as in 'input tokens[T + 1] < vocab'");
        return NULL;
    }
    begin_stmt(tr, n->loc);
    Val e = elab(tr, n->list.items[0]);
    if (e.kind == V_ERR)
        return NULL;
    if (e.kind != V_INT || !ix_is_affine(e.ix)) {
        diag_error(n->list.items[0]->loc, "the input's extent must be an integer expression in T");
        return NULL;
    }
    long vocab;
    if (!const_dim(tr, n->a, "the number of token ids", &vocab, 0))
        return NULL;
    tr->g->vocab = (int)vocab;
    if (ix_max_at(e.ix, 1) < 1) {
        diag_error(n->list.items[0]->loc, "the input's extent must be at least 1");
        return NULL;
    }
    return e.ix;
}

static void do_input(Tr *tr, const Node *n)
{
    Ix *x = input_extent(tr, n);
    if (!x) {
        poison(tr, n->name, "integer tensor", 1, n->loc);
        return;
    }
    Ix *ext[1] = {x};
    Tensor *t = ir_new_tensor(tr->g, TK_INPUT, n->name, 1, ext, n->loc);
    t->name = "tokens";     /* the emitted functions' parameter */
    tr->g->tokens = t;
    View *w = arena_alloc(sizeof *w);
    w->rank = 1;
    w->ext[0] = x;
    w->tmpl = ix_read(t, ix_axis(0));
    Bind *b = new_bind(tr, n->name, B_VIEW, n->loc);
    b->view = w;
    declare(tr, b);
    tr->have_input = 1;
}

/* The tensor that 'param name[...] ~ init' declares; NULL after an error. */
static Tensor *param_tensor(Tr *tr, const Node *n, const char *name)
{
    if (n->list.n < 1 || n->list.n > IR_MAX_RANK) {
        diag_error(n->loc, "a parameter has 1 to %d axes", IR_MAX_RANK);
        return NULL;
    }
    Ix *ext[IR_MAX_RANK];
    long total = 1;
    for (int k = 0; k < n->list.n; k++) {
        long v;
        if (!const_dim(tr, n->list.items[k], "a parameter's extent", &v, 0))
            return NULL;
        ext[k] = ix_const(v);
        if (__builtin_mul_overflow(total, v, &total) || total > MAX_EXTENT) {
            diag_error(n->loc, "parameter '%s' is too large: it would hold more than %d elements", name, MAX_EXTENT);
            return NULL;
        }
    }
    const Node *init = n->b;
    MgInitKind ik;
    double a = 0, bval = 0;
    const char *iname = init->name;
    int want = 0;
    if (!strcmp(iname, "gauss")) ik = MG_INIT_GAUSS, want = 2;
    else if (!strcmp(iname, "zeros")) ik = MG_INIT_ZEROS;
    else if (!strcmp(iname, "ones")) ik = MG_INIT_ONES;
    else if (!strcmp(iname, "constant")) ik = MG_INIT_CONST, want = 1;
    else {
        diag_error(init->loc, "unknown initializer '%s' (gauss(mean, std), zeros, ones or constant(c))", iname);
        return NULL;
    }
    int got = init->kind == A_CALL ? init->list.n : 0;
    if (got != want) {
        diag_error(init->loc, "'%s' takes %d argument%s, got %d", iname, want, want == 1 ? "" : "s", got);
        return NULL;
    }
    double args[2] = {0, 0};
    for (int i = 0; i < got; i++) {
        Cv c = const_eval(tr, init->list.items[i]);
        if (!c.ok)
            return NULL;
        args[i] = c.r;
    }
    a = args[0];
    bval = args[1];
    if (ik == MG_INIT_GAUSS && !(bval >= 0)) {
        diag_error(init->list.items[1]->loc, "the standard deviation must not be negative");
        return NULL;
    }
    Tensor *t = ir_new_tensor(tr->g, TK_PARAM, name, n->list.n, ext, n->loc);
    t->param_index = tr->g->nparams;
    t->init = ik;
    t->init_a = a;
    t->init_b = bval;
    t->offset = tr->g->nscalars;
    t->needs_grad = 1;
    if (__builtin_add_overflow(tr->g->nscalars, total, &tr->g->nscalars))
        tr->g->nscalars = LONG_MAX;     /* far past any memory limit: refused after tracing */
    ir_add_param(tr->g, t);
    return t;
}

static void do_param(Tr *tr, const Node *n)
{
    const char *name = NULL;
    if (tr->in_fn)
        diag_error(n->loc, "parameters are declared at the top level");
    else if (!tr->have_dim)
        diag_error(n->loc, "declare the runtime length before parameters, as in 'dim T <= block_size'");
    else
        name = path_name(tr, n->a, 0);
    Tensor *t = name ? param_tensor(tr, n, name) : NULL;
    if (!t) {
        poison(tr, name ? name : path_name(tr, n->a, 1), "parameter", 1, n->loc);
        return;
    }
    Bind *b = new_bind(tr, name, B_TENSOR, n->loc);
    b->t = t;
    declare(tr, b);
}

static void do_optimizer(Tr *tr, const Node *n)
{
    Graph *g = tr->g;
    if (tr->have_optim) {
        diag_error(n->loc, "the optimizer is declared twice");
        return;
    }
    tr->have_optim = 1;
    if (!strcmp(n->name, "sgd")) {
        g->opt = MG_OPT_SGD;
    } else if (!strcmp(n->name, "adam")) {
        g->opt = MG_OPT_ADAM;
    } else {
        diag_error(n->loc, "unknown optimizer '%s' (sgd or adam)", n->name);
        return;
    }
    for (int i = 0; i < n->list.n; i++) {
        const Node *a = n->list.items[i];
        if (!strcmp(a->name, "decay")) {
            if (a->a->kind == A_NAME && (!strcmp(a->a->name, "linear") || !strcmp(a->a->name, "none"))) {
                g->linear_decay = !strcmp(a->a->name, "linear");
            } else {
                diag_error(a->a->loc, "decay is 'linear' or 'none'");
            }
            continue;
        }
        Cv c = const_eval(tr, a->a);
        if (!c.ok)
            continue;
        if (!strcmp(a->name, "lr")) g->lr = c.r;
        else if (!strcmp(a->name, "beta1") && g->opt == MG_OPT_ADAM) g->beta1 = c.r;
        else if (!strcmp(a->name, "beta2") && g->opt == MG_OPT_ADAM) g->beta2 = c.r;
        else if (!strcmp(a->name, "eps") && g->opt == MG_OPT_ADAM) g->eps = c.r;
        else if (!strcmp(a->name, "steps")) {
            if (!c.is_int || c.i < 0 || c.i > 1000000000) {
                diag_error(a->a->loc, "steps must be a non-negative integer");
                continue;
            }
            g->steps = (int)c.i;
        } else {
            diag_error(a->loc, "unknown setting '%s' for %s (%s)", a->name, n->name,
                       g->opt == MG_OPT_ADAM ? "lr, beta1, beta2, eps, steps, decay" : "lr, steps, decay");
        }
    }
}

static void do_fn(Tr *tr, const Node *n)
{
    if (tr->in_fn) {
        diag_error(n->loc, "functions are defined at the top level");
        poison(tr, n->name, "function", 1, n->loc);
        return;
    }
    Bind *b = new_bind(tr, n->name, B_FN, n->loc);
    b->fn = n;
    declare(tr, b);
}

/* A loop that cannot run: what its body would have defined is poison. */
static void poison_body(Tr *tr, const NodeList *l)
{
    for (int i = 0; i < l->n; i++) {
        const Node *n = l->items[i];
        switch (n->kind) {
        case A_ASSIGN: poison(tr, n->a->name, "tensor", 0, n->loc); break;
        case A_CONST: poison(tr, n->name, "constant", 1, n->loc); break;
        case A_PARAM: poison(tr, path_name(tr, n->a, 1), "parameter", 1, n->loc); break;
        case A_FOR: poison_body(tr, &n->list); break;
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
    case A_ASSIGN: do_assign(tr, n); break;
    default: diag_error(n->loc, "expected a declaration or a statement");
    }
}

static void exec_list(Tr *tr, const NodeList *l)
{
    for (int i = 0; i < l->n; i++)
        exec_item(tr, l->items[i]);
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
    if (e->kind == EX_READ)
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

static void check_outputs(Tr *tr, const Node *prog)
{
    Graph *g = tr->g;
    SrcLoc end = prog->loc;
    if (!tr->have_dim)
        diag_error(end, "the model declares no runtime length; add 'dim T <= block_size'");
    if (!tr->have_input)
        diag_error(end, "the model declares no input; add 'input tokens[T + 1] < vocab'");
    if (!tr->have_dim || !tr->have_input)
        return;
    Bind *logits = top(tr, "logits"), *loss = top(tr, "loss");
    if (!logits || logits->kind != B_TENSOR) {
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

Graph *trace_program(const Node *prelude, const Node *prog, const char *model, const char *source,
                     const TraceOpts *opts)
{
    static const TraceOpts none;
    Tr tr;
    memset(&tr, 0, sizeof tr);
    tr.opts = opts ? opts : &none;
    tr.g = ir_new_graph(model, source);
    tr.g->lr = 0.01;
    tr.g->beta1 = 0.9;
    tr.g->beta2 = 0.999;
    tr.g->eps = 1e-8;
    tr.g->steps = 1000;
    tr.g->linear_decay = 1;
    tr.g->opt = MG_OPT_SGD;
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
    (void)noloc;
    if (diag_errors())
        return NULL;
    return tr.g;
}
