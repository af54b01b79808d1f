/* names.c: the names of a trace (see trace_internal.h).
 * Names live in a Scope, a hash table from a name to its newest binding (older
 * ones it shadows hang below it).  Declarations (const, dim, input, param,
 * optimizer, fn) are checked and bound here, their constant expressions
 * evaluated; a definition that failed binds poison, whose uses stay quiet.
 * Hands on: lookup and binding for lower.c and shapes.c, one do_* per
 * declaration for the driver. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "trace_internal.h"

/* ------------------------------------------------------------------ names */

Bind *new_bind(Tr *tr, const char *name, BKind kind, SrcLoc loc)
{
    (void)tr;
    Bind *b = arena_alloc(sizeof *b);
    b->name = name;
    b->kind = kind;
    b->loc = loc;
    return b;
}

Scope *new_scope(void)
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
Bind *scope_find(Scope *sc, const char *name)
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

void push_bind(Tr *tr, Bind *b)
{
    scope_push(tr->scope, b);
}

void unlink_bind(Tr *tr, Bind *b)
{
    Name *e = scope_entry(tr->scope, b->name, 0);
    for (Bind **p = e ? &e->top : NULL; p && *p; p = &(*p)->shadow)
        if (*p == b) {
            *p = b->shadow;
            return;
        }
}

Bind *lookup(Tr *tr, const char *name)
{
    Bind *b = scope_find(tr->scope, name);
    if (!b && tr->in_fn)
        b = scope_find(tr->globals, name);
    return b;
}

/* ---------------------------------------------- "did you mean ...?" */

/* The edit distance of a and b (insertions, deletions, substitutions and
 * swaps of neighbours), or more than cap once it must exceed cap. */
static int edit_distance(const char *a, const char *b, int cap)
{
    int n = (int)strlen(a), m = (int)strlen(b);
    if (abs(n - m) > cap || n > 64 || m > 64)
        return cap + 1;
    int d[65][65];
    for (int i = 0; i <= n; i++)
        d[i][0] = i;
    for (int j = 0; j <= m; j++)
        d[0][j] = j;
    for (int i = 1; i <= n; i++)
        for (int j = 1; j <= m; j++) {
            int best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m];
}

typedef struct Near {
    const char *want;       /* the unknown name */
    int fn;                 /* looking for a function */
    int cap;                /* the largest distance that counts as a typo */
    const char *best;
    int dist;
} Near;

/* Is candidate nearer to the unknown name than the best so far?  Ties go to
 * the name first in byte order, so the suggestion is the same every run. */
static void near_try(Near *nr, const char *candidate)
{
    int d = edit_distance(nr->want, candidate, nr->cap);
    if (d == 0 || d > nr->cap)
        return;
    if (!nr->best || d < nr->dist || (d == nr->dist && strcmp(candidate, nr->best) < 0))
        nr->best = candidate, nr->dist = d;
}

static void near_scope(Near *nr, const Scope *sc)
{
    for (size_t i = 0; i < sc->cap; i++) {
        const Bind *b = sc->slot[i].top;
        if (b && (b->kind == B_FN) == nr->fn)
            near_try(nr, b->name);
    }
}

/* The name in scope (or builtin function) nearest to `name`, when it is near
 * enough to be a typo of it: at most 1 edit for names of 3 or 4 bytes, 2 up
 * to 8, else 3; NULL when there is none.  Names of one or two bytes get no
 * suggestion: every other short name is a typo of them. */
static const char *nearest(Tr *tr, const char *name, int fn)
{
    int len = (int)strlen(name);
    if (len < 3)
        return NULL;
    Near nr = {name, fn, len <= 4 ? 1 : len <= 8 ? 2 : 3, NULL, 0};
    near_scope(&nr, tr->scope);
    if (tr->in_fn)
        near_scope(&nr, tr->globals);
    for (int i = 0; fn && i < op_count(); i++)
        if (op_at(i)->mg)
            near_try(&nr, op_at(i)->mg);
    for (int i = 0; fn && tr_builtins[i]; i++)
        near_try(&nr, tr_builtins[i]);
    return nr.best;
}

/* "unknown name 'x'" (or function), with the nearest name in scope when one
 * is near enough to be what was meant */
void unknown_name(Tr *tr, SrcLoc loc, const char *name, int fn)
{
    const char *what = fn ? "function" : "name", *near = nearest(tr, name, fn);
    if (near)
        diag_error(loc, "unknown %s '%s'; did you mean '%s'?", what, name, near);
    else
        diag_error(loc, "unknown %s '%s'", what, name);
}

/* The word of `list` (NULL-terminated) nearest to `name`, when near enough
 * to be a typo of it (as nearest() judges names); else NULL. */
static const char *nearest_word(const char *name, const char *const *list)
{
    int len = (int)strlen(name);
    if (len < 3)
        return NULL;
    Near nr = {name, 0, len <= 4 ? 1 : len <= 8 ? 2 : 3, NULL, 0};
    for (; *list; list++)
        near_try(&nr, *list);
    return nr.best;
}

/* "unknown WHAT 'name' (CHOICES)", or "...; did you mean 'x'?" */
static void unknown_word(SrcLoc loc, const char *what, const char *name, const char *const *list,
                         const char *choices)
{
    const char *near = nearest_word(name, list);
    if (near)
        diag_error(loc, "unknown %s '%s'; did you mean '%s'?", what, name, near);
    else
        diag_error(loc, "unknown %s '%s' (%s)", what, name, choices);
}

const char *kind_word(const Bind *b)
{
    switch (b->kind) {
    case B_INT:
    case B_REAL: return "constant";
    case B_DIM: return "runtime length";
    case B_SHAPE: return "shape variable";
    case B_INDEX: return "index";
    case B_TENSOR: return b->t->kind == TK_PARAM ? "parameter" : b->t->kind == TK_DATA ? "real input" : "tensor";
    case B_VIEW: return "integer tensor";
    case B_FN: return "function";
    case B_POISON: return b->what;
    }
    return "name";
}

/* kind_word with its article: "an integer tensor", "a parameter" */
const char *a_kind(const Bind *b)
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
int poisoned(Tr *tr, const Bind *b)
{
    if (!b || b->kind != B_POISON)
        return 0;
    tr->npoison++;
    return 1;
}

/* The definition of `name` (a declaration when decl is set) failed after an
 * error: bind it to poison.  An assignable binding turns poison in place, as
 * an assignment updates it; a declared name keeps its value. */
void poison(Tr *tr, const char *name, const char *what, int decl, SrcLoc loc)
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
int finite_const(const Node *n, double r)
{
    if (isfinite(r))
        return 1;
    diag_error(n->loc, "this constant is %s; a constant must be a finite number", isnan(r) ? "NaN" : r > 0 ? "inf" : "-inf");
    return 0;
}

/* a < b ...: 1 or 0, an integer on integers and a real otherwise; -1 if
 * op is not a comparison */
static int const_cmp(int op, Cv a, Cv b)
{
    int ii = a.is_int && b.is_int;
    switch (op) {
    case '<': return ii ? a.i < b.i : a.r < b.r;
    case OP_LE: return ii ? a.i <= b.i : a.r <= b.r;
    case '>': return ii ? a.i > b.i : a.r > b.r;
    case OP_GE: return ii ? a.i >= b.i : a.r >= b.r;
    case OP_EQ: return ii ? a.i == b.i : a.r == b.r;
    case OP_NE: return ii ? a.i != b.i : a.r != b.r;
    default: return -1;
    }
}

static Cv const_bin(const Node *n, Cv a, Cv b)
{
    long long r;
    int c = const_cmp(n->op, a, b);
    if (c >= 0)
        return a.is_int && b.is_int ? cv_int(c) : cv_real(c);
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
            unknown_name(tr, n->loc, n->name, 0);
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

/* A positive integer constant (an extent, a loop bound). */
int const_dim(Tr *tr, const Node *n, const char *what, long *out, int allow_zero)
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

/* ------------------------------------------------------- declared extents */

/* Does n mention a shape variable or T, so that it is no constant? */
static int mentions_shape(Tr *tr, const Node *n)
{
    if (!n)
        return 0;
    if (n->kind == A_NAME) {
        Bind *b = lookup(tr, n->name);
        return b && (b->kind == B_SHAPE || b->kind == B_DIM);
    }
    return mentions_shape(tr, n->a) || mentions_shape(tr, n->b);
}

/* a op b in an extent: '*' by a constant, '//' and '%' by a positive one,
 * nothing that overflows; NULL after an error at n. */
static Ix *shape_bin(const Node *n, Ix *a, Ix *b)
{
    long c;
    IxKind k;
    switch (n->op) {
    case '+': k = IX_ADD; break;
    case '-': k = IX_SUB; break;
    case '*': k = IX_MUL; break;
    case OP_FLOORDIV: k = IX_FLOORDIV; break;
    case '%': k = IX_MOD; break;
    default:
        diag_error(n->loc, "an extent cannot use '%s'%s", ast_op_name(n->op),
                   n->op == '/' ? "; use '//' for floor division" : "");
        return NULL;
    }
    if (k == IX_MUL && !ix_is_const(a, NULL) && !ix_is_const(b, NULL)) {
        diag_error(n->loc, "an extent can only be multiplied by a constant");
        return NULL;
    }
    if ((k == IX_FLOORDIV || k == IX_MOD) && (!ix_is_const(b, &c) || c <= 0)) {
        diag_error(n->loc, "the right operand of '%s' must be a positive constant", ast_op_name(n->op));
        return NULL;
    }
    int overflow = 0;
    Ix *x = ix_bin_checked(k, a, b, &overflow);
    if (overflow) {
        diag_error(n->loc, "integer overflow in an extent");
        return NULL;
    }
    return x;
}

/* An extent in shape variables, T and integer constants, folded; NULL after
 * an error. */
static Ix *shape_eval(Tr *tr, const Node *n)
{
    if (n->kind == A_NUM && n->is_int)
        return ix_const((long)n->inum);
    if (n->kind == A_NAME) {
        Bind *b = lookup(tr, n->name);
        if (!b)
            unknown_name(tr, n->loc, n->name, 0);
        if (!b || poisoned(tr, b))
            return NULL;
        if (b->kind == B_SHAPE || b->kind == B_DIM || b->kind == B_INT)
            return b->kind == B_SHAPE ? b->ix : b->kind == B_DIM ? ix_T() : ix_const(b->ival);
        diag_error(n->loc, "'%s' is %s, not an integer of an extent", n->name, a_kind(b));
        diag_note(b->loc, "'%s' defined here", n->name);
        return NULL;
    }
    if (n->kind == A_UNARY || n->kind == A_BINARY) {
        Ix *a = n->kind == A_UNARY ? ix_const(0) : shape_eval(tr, n->a);
        Ix *b = shape_eval(tr, n->kind == A_UNARY ? n->a : n->b);
        if (!a || !b)
            return NULL;
        Node neg = *n;
        neg.op = n->kind == A_UNARY ? '-' : n->op;
        return shape_bin(&neg, a, b);
    }
    diag_error(n->loc, "an extent must be an integer expression in shape variables and constants");
    return NULL;
}

/* The extent a parameter's or a result's axis declares: a constant as
 * const_dim takes it, or an integer expression in the function's shape
 * variables, T and constants (+ - * // %, as in y[K // 2, 2 * C]) evaluated
 * with the values bound at this call; NULL after an error. */
Ix *shape_extent(Tr *tr, const Node *n)
{
    long c;
    if (!mentions_shape(tr, n))
        return const_dim(tr, n, "a declared extent", &c, 0) ? ix_const(c) : NULL;
    return shape_eval(tr, n);
}

/* ------------------------------------------------------------ name paths */

/* "layer[l].attn_wq" -> "layer0.attn_wq"; NULL (with an error) if an index is
 * not a constant.  Only A_NAME, A_MEMBER and A_INDEX-with-one-index chains. */
const char *path_name(Tr *tr, const Node *n, int quiet)
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

void do_const(Tr *tr, const Node *n)
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
void do_dim(Tr *tr, const Node *n)
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

/* The extents of 'input name[...]' into ext, each an integer expression at
 * least 1: constants, but for the first axis of a real input or of the token
 * sequence, which may mention T.  *runtime: ext[0] mentions T.  0 after an
 * error. */
static int input_extents(Tr *tr, const Node *n, Ix **ext, int *runtime)
{
    *runtime = 0;
    if (n->list.n > IR_MAX_RANK) {
        diag_error(n->loc, "an input has at most %d axes", IR_MAX_RANK);
        return 0;
    }
    begin_stmt(tr, n->loc);
    for (int k = 0; k < n->list.n; k++) {
        const Node *x = n->list.items[k];
        Val e = elab(tr, x);
        if (e.kind == V_ERR)
            return 0;
        if (e.kind != V_INT || !ix_is_affine(e.ix)) {
            diag_error(x->loc, "an input's extent must be an integer expression%s", tr->have_dim ? " in T" : "");
            return 0;
        }
        long c;
        int fixed = ix_is_const(e.ix, &c);
        if (!fixed && k > 0) {
            diag_error(x->loc, "only the first axis of an input may have a runtime length");
            return 0;
        }
        if (!fixed && n->a && n->list.n > 1) {
            diag_error(x->loc, "an integer tensor input has constant extents; only the token sequence, as in "
                       "'input tokens[T + 1] < vocab', has a runtime length");
            return 0;
        }
        if (fixed ? c < 1 : ix_max_at(e.ix, 1) < 1) {
            diag_error(x->loc, "the input's extent must be at least 1");
            return 0;
        }
        *runtime |= !fixed;
        ext[k] = e.ix;
    }
    return 1;
}

/* Does input n clash with the inputs before it?  (After its message.) */
static int input_clash(Tr *tr, const Node *n, int tokens)
{
    for (int i = 0; i < tr->g->ninputs; i++) {
        const IrInput *o = &tr->g->inputs[i];
        if (tokens && o->tokens) {
            diag_error(n->loc, "only one token sequence is supported; '%s' was declared already", o->name);
            diag_note(o->loc, "declared here");
            return 1;
        }
        if (tokens != o->tokens) {
            diag_error(n->loc, "a model reads either one token sequence or inputs of other kinds (reals, labels), "
                       "not both");
            diag_note(o->loc, "'%s' declared here", o->name);
            return 1;
        }
    }
    return 0;
}

/* The input's binding: the token sequence or an integer tensor is an integer
 * view of its flat tensor, a real input the tensor itself. */
static void bind_input(Tr *tr, const Node *n, IrInput *in)
{
    Bind *b;
    if (in->is_int) {
        View *w = arena_alloc(sizeof *w);
        w->rank = in->rank;
        Ix *flat = ix_const(0);
        for (int k = 0; k < in->rank; k++) {
            w->ext[k] = in->ext[k];
            flat = ix_bin(IX_ADD, ix_bin(IX_MUL, flat, ix_const(in->maxext[k])), ix_axis(k));
        }
        w->tmpl = ix_read(in->t, in->tokens ? ix_axis(0) : flat);
        b = new_bind(tr, n->name, B_VIEW, n->loc);
        b->view = w;
    } else {
        b = new_bind(tr, n->name, B_TENSOR, n->loc);
        b->t = in->t;
    }
    declare(tr, b);
}

/* input tokens[T + 1] < vocab   the token sequence of one document
 * input y < 10, ys[3] < 10      an integer label, an integer tensor
 * input x, x[2], xs[T, 3]       a real scalar, a real tensor */
void do_input(Tr *tr, const Node *n)
{
    IrInput in = {.name = n->name, .is_int = n->a != NULL, .rank = n->list.n, .loc = n->loc};
    int runtime = 0;
    long range = 0;
    Ix *ext[IR_MAX_RANK] = {0};
    if (tr->in_fn) {
        diag_error(n->loc, "'input' belongs at the top level");
        goto bad;
    }
    if (!input_extents(tr, n, ext, &runtime))
        goto bad;
    in.tokens = in.is_int && runtime;
    if (input_clash(tr, n, in.tokens))
        goto bad;
    if (in.is_int && !const_dim(tr, n->a, in.tokens ? "the number of token ids" : "the range of an integer input",
                                &range, 0))
        goto bad;
    in.range = range;
    if (!tr->have_dim && tr->g->Tmax < 1)
        tr->g->Tmax = 1;            /* no runtime length: T is 1 */
    for (int k = 0; k < in.rank; k++) {
        in.ext[k] = ext[k];
        in.maxext[k] = ix_max_at(ext[k], tr->g->Tmax);
    }
    if (in.tokens) {
        tr->g->vocab = (int)range;
        in.t = ir_new_tensor(tr->g, TK_INPUT, n->name, 1, ext, n->loc);
        in.t->name = "tokens";     /* the emitted functions' parameter */
        tr->g->tokens = in.t;
    } else if (in.is_int) {
        long size = 1;
        for (int k = 0; k < in.rank; k++)
            size *= in.maxext[k];   /* constants, each at most MAX_EXTENT: checked by ir_new_tensor */
        in.t = ir_new_tensor(tr->g, TK_DATA, n->name, 1, (Ix *[]){ix_const(size)}, n->loc);
        in.t->kind = TK_INPUT;      /* made as TK_DATA for a name of its own (ir.c) */
    } else {
        in.t = ir_new_tensor(tr->g, TK_DATA, n->name, in.rank, ext, n->loc);
    }
    in.t->range = range;
    ir_add_input(tr->g, &in);
    bind_input(tr, n, &in);
    tr->have_input = 1;
    return;
bad:
    tr->have_input = 1;     /* declared, though poisoned: nothing asks for an input again */
    poison(tr, n->name, in.is_int ? "integer tensor" : "real input", 1, n->loc);
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
    else if (!strcmp(iname, "uniform")) ik = MG_INIT_UNIFORM, want = 2;
    else {
        static const char *const inits[] = {"gauss", "zeros", "ones", "constant", "uniform", NULL};
        unknown_word(init->loc, "initializer", iname, inits,
                     "gauss(mean, std), uniform(a, b), zeros, ones or constant(c)");
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

void do_param(Tr *tr, const Node *n)
{
    const char *name = NULL;
    if (tr->in_fn)
        diag_error(n->loc, "parameters are declared at the top level");
    else if (!tr->have_dim && !tr->have_input)
        diag_error(n->loc, "declare the runtime length or the inputs before parameters, as in "
                   "'dim T <= block_size'");
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

/* The optimizer line's settings: which optimizers take each, and its check. */
enum { FOR_SGD = 1, FOR_ADAM = 2, FOR_ALL = 3 };
enum { S_REAL, S_UNIT, S_INT, S_FLAG, S_WORD };     /* >= 0; [0, 1); integer; 0 or 1; a name */
typedef struct OptSetting {
    const char *name;
    int kinds, check;
    size_t at;      /* where in MgOptim it goes: an int for S_INT and S_FLAG, else a double */
} OptSetting;
#define OPT_AT(f) offsetof(MgOptim, f)
static const OptSetting opt_settings[] = {
    {"lr", FOR_ALL, S_REAL, OPT_AT(lr)},           {"steps", FOR_ALL, S_INT, OPT_AT(steps)},
    {"schedule", FOR_ALL, S_WORD, 0},              {"decay", FOR_ALL, S_WORD, 0},
    {"warmup", FOR_ALL, S_INT, OPT_AT(warmup)},    {"min_lr", FOR_ALL, S_REAL, OPT_AT(min_lr)},
    {"step_size", FOR_ALL, S_INT, OPT_AT(step_size)}, {"gamma", FOR_ALL, S_REAL, OPT_AT(gamma)},
    {"weight_decay", FOR_ALL, S_REAL, OPT_AT(weight_decay)}, {"clip", FOR_ALL, S_REAL, OPT_AT(clip)},
    {"momentum", FOR_SGD, S_UNIT, OPT_AT(momentum)}, {"nesterov", FOR_SGD, S_FLAG, OPT_AT(nesterov)},
    {"beta1", FOR_ADAM, S_UNIT, OPT_AT(beta1)},    {"beta2", FOR_ADAM, S_UNIT, OPT_AT(beta2)},
    {"eps", FOR_ADAM, S_REAL, OPT_AT(eps)},
};
#undef OPT_AT
enum { N_OPT_SETTINGS = (int)(sizeof opt_settings / sizeof opt_settings[0]) };
static const char *const schedule_words[] = {"constant", "linear", "cosine", "step", NULL};

/* The row of opt_settings named name, or N_OPT_SETTINGS. */
static int setting_row(const char *name)
{
    int k = 0;
    while (k < N_OPT_SETTINGS && strcmp(opt_settings[k].name, name))
        k++;
    return k;
}

/* Store one checked setting (row k of opt_settings) into o. */
static void opt_store(MgOptim *o, const OptSetting *row, Cv c)
{
    char *at = (char *)o + row->at;
    if (row->check == S_INT || row->check == S_FLAG)
        *(int *)at = (int)c.i;
    else
        *(double *)at = c.r;
}

/* schedule = constant | linear | cosine | step, or the older decay = linear | none */
static void opt_word(MgOptim *o, const Node *a)
{
    const char *w = a->a->kind == A_NAME ? a->a->name : NULL;
    if (!strcmp(a->name, "decay")) {
        if (w && (!strcmp(w, "linear") || !strcmp(w, "none")))
            o->schedule = !strcmp(w, "linear") ? MG_SCHED_LINEAR : MG_SCHED_CONSTANT;
        else
            diag_error(a->a->loc, "decay is 'linear' or 'none'");
        return;
    }
    for (int k = 0; w && schedule_words[k]; k++)
        if (!strcmp(w, schedule_words[k])) {
            o->schedule = (MgSchedule)k;
            return;
        }
    if (w)
        unknown_word(a->a->loc, "schedule", w, schedule_words, "constant, linear, cosine or step");
    else
        diag_error(a->a->loc, "the schedule is a name: constant, linear, cosine or step");
}

/* Check a number against its setting's kind; 1 when it may be stored. */
static int opt_check(const Node *a, int check, Cv c)
{
    switch (check) {
    case S_REAL:
        if (c.r >= 0) return 1;
        diag_error(a->a->loc, "%s must not be negative", a->name);
        return 0;
    case S_UNIT:
        if (c.r >= 0 && c.r < 1) return 1;
        diag_error(a->a->loc, "%s must be at least 0 and below 1", a->name);
        return 0;
    case S_INT:
        if (c.is_int && c.i >= 0 && c.i <= 1000000000) return 1;
        diag_error(a->a->loc, "%s must be a non-negative integer", a->name);
        return 0;
    case S_FLAG:
        if (c.is_int && (c.i == 0 || c.i == 1)) return 1;
        diag_error(a->a->loc, "%s is 0 or 1", a->name);
        return 0;
    case S_WORD: return 0;
    }
    return 0;
}

/* The settings `kind` takes, for messages: "lr, steps, ..." (NULL-terminated list in names). */
static void opt_names(int kind, const char **names, char *text, size_t cap)
{
    size_t len = 0;
    int n = 0;
    text[0] = '\0';
    for (int k = 0; k < N_OPT_SETTINGS; k++)
        if (opt_settings[k].kinds & kind) {
            names[n++] = opt_settings[k].name;
            len += (size_t)snprintf(text + len, len < cap ? cap - len : 0, "%s%s", len ? ", " : "",
                                    opt_settings[k].name);
        }
    names[n] = NULL;
}

/* An unknown or misplaced setting: located, with the nearest setting of this optimizer */
static void opt_unknown(const Node *a, const char *opt, int kind)
{
    const char *names[N_OPT_SETTINGS + 1];
    char text[256];
    opt_names(kind, names, text, sizeof text);
    for (int k = 0; k < N_OPT_SETTINGS; k++)
        if (!strcmp(opt_settings[k].name, a->name)) {
            diag_error(a->loc, "%s does not take '%s' (it takes %s)", opt, a->name, text);
            return;
        }
    unknown_word(a->loc, "setting", a->name, names, text);
}

/* optimizer NAME(setting = expr, ...): sgd, adam or adamw, each setting at most once */
void do_optimizer(Tr *tr, const Node *n)
{
    static const char *const kinds[] = {"sgd", "adam", "adamw", NULL};
    MgOptim *o = &tr->g->optim;
    if (tr->have_optim) {
        diag_error(n->loc, "the optimizer is declared twice");
        return;
    }
    tr->have_optim = 1;
    int kind = -1;
    for (int k = 0; kinds[k]; k++)
        if (!strcmp(n->name, kinds[k]))
            kind = k;
    if (kind < 0) {
        unknown_word(n->loc, "optimizer", n->name, kinds, "sgd, adam or adamw");
        return;
    }
    o->kind = (MgOptKind)kind;
    int mask = kind == MG_OPT_SGD ? FOR_SGD : FOR_ADAM;
    const Node *seen[N_OPT_SETTINGS] = {0};
    for (int i = 0; i < n->list.n; i++) {
        const Node *a = n->list.items[i];
        int k = setting_row(a->name);
        if (k == N_OPT_SETTINGS || !(opt_settings[k].kinds & mask)) {
            opt_unknown(a, n->name, mask);
            continue;
        }
        if (seen[k]) {
            diag_error(a->loc, "'%s' is set twice", a->name);
            diag_note(seen[k]->loc, "first set here");
            continue;
        }
        seen[k] = a;
        if (opt_settings[k].check == S_WORD) {
            opt_word(o, a);
            continue;
        }
        Cv c = const_eval(tr, a->a);
        if (c.ok && opt_check(a, opt_settings[k].check, c))
            opt_store(o, &opt_settings[k], c);
    }
    const Node *sched = seen[setting_row("schedule")], *decay = seen[setting_row("decay")];
    if (sched && decay) {
        diag_error(decay->loc, "'decay' is the older spelling of 'schedule'; give one of them");
        diag_note(sched->loc, "'schedule' set here");
    }
    if (o->schedule == MG_SCHED_STEP && o->step_size < 1)
        diag_error(n->loc, "schedule = step needs step_size, a positive number of steps");
    if (o->nesterov && !(o->momentum > 0))
        diag_error(n->loc, "nesterov needs a momentum above 0");
}

void do_fn(Tr *tr, const Node *n)
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
