/* emit_c.c: write the differentiated, planned and scheduled graph as one
 * readable C11 file.  Every statement becomes one loop nest (never one C
 * statement per scalar), the kernel its Schedule names (schedule.c decides;
 * this file only prints), preceded by a comment quoting the .mg line it
 * implements.  Tensors are
 * row-major at their largest extents, so every index is a constant-stride
 * sum.  Activations and their gradients get fixed offsets in the caller's
 * scratch array; nothing is allocated.  Sums run left to right from 0.0 and
 * divisions were already lowered to multiplications by pow(b, -1), so the
 * forward values are the reference's to the bit. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"
#include "emit_c.h"
#include "ops.h"
#include "opt.h"
#include "schedule.h"

typedef struct Em {
    FILE *f;
    Graph *g;
    const char **vname;     /* C name of each loop variable in the current statement */
    int indent;
    long scratch;           /* doubles of scratch used */
    SrcLoc last_site;
    const char *real;       /* "double", or "float" with --dtype=f32 */
    const Schedule *sc;     /* the schedule of the nest being printed (schedule.c) */
    const char *step;       /* inside a recurrence's loop: its step variable, else NULL */
} Em;

/* a constant in the C type of the computation: 0.5 or 0.5f */
static void cnum(Em *em, double c)
{
    if (!em->g->f32) {
        ir_print_num(em->f, c);
        return;
    }
    char buf[64];
    for (int prec = 1; prec <= 9; prec++) {     /* shortest that reads back to the same float */
        snprintf(buf, sizeof buf, "%.*g", prec, c);
        if ((float)strtod(buf, NULL) == (float)c)
            break;
    }
    if (isinf(c))
        snprintf(buf, sizeof buf, "%sINFINITY", c < 0 ? "-" : "");
    fputs(buf, em->f);
    if (!strpbrk(buf, ".eEnI"))
        fputs(".0", em->f);
    if (!isinf(c))
        fputc('f', em->f);
}

static void out(Em *em, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out(Em *em, const char *fmt, ...)
{
    for (int i = 0; i < em->indent && strcmp(fmt, "\n"); i++)    /* a blank line has no indent */
        fputs("    ", em->f);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(em->f, fmt, ap);
    va_end(ap);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* -------------------------------------------------------- strings into C */

/* s as the inside of a C string literal: printable ASCII as is, except '"',
 * '\' and '?' (no trigraph can form); every other byte as a three-digit
 * octal escape, which never runs into the next character */
void emit_c_string(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\' && *p != '?')
            fputc(*p, f);
        else
            fprintf(f, "\\%03o", *p);
    }
}

/* s as text inside a C comment on one line: no end of comment ('*' '/'), no
 * start of one either ('/' '*', -Wcomment), no line end (control bytes as
 * \xNN), no line splice (a '\' or "??/" with only blanks after it), no invalid
 * UTF-8 (\xNN); anything else as is */
void emit_c_comment(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        size_t n = *p >= 0x80 ? diag_utf8_len(p, 4) : 1;   /* (it stops at the NUL: not a continuation byte) */
        if (n == 0 || *p < 0x20 || *p == 0x7f || (*p == '\\' && !p[strspn((const char *)p + 1, " \t") + 1])) {
            fprintf(f, "\\x%02X", *p);
            continue;
        }
        fwrite(p, 1, n, f);
        p += n - 1;
        if ((p[0] == '*' && p[1] == '/') || (p[0] == '/' && p[1] == '*') || (p[0] == '?' && p[1] == '?'))
            fputc(' ', f);
    }
}

/* ------------------------------------------------------------ expressions */

static int ixprec(IxKind k)
{
    switch (k) {
    case IX_ADD:
    case IX_SUB: return 1;
    case IX_MUL:
    case IX_FLOORDIV:
    case IX_MOD: return 2;
    default: return 3;
    }
}

static void cix(Em *em, const Ix *x, int prec);

/* A read past the edge: idx[0..n) inside the axes ext, only the tests in
 * pad, as one C condition: (i - 1 >= 0 && i - 1 < T) */
static void cinside(Em *em, Ix *const *idx, int n, Ix *const *ext, unsigned pad)
{
    const char *sep = "(";
    for (int k = 0; k < n; k++) {
        if (pad & IR_PAD_LO(k)) {
            fputs(sep, em->f);
            cix(em, idx[k], 0);
            fputs(" >= 0", em->f);
            sep = " && ";
        }
        if (pad & IR_PAD_HI(k)) {
            fputs(sep, em->f);
            cix(em, idx[k], 0);
            fputs(" < ", em->f);
            cix(em, ir_pad_extent(idx, ext, k), 1);
            sep = " && ";
        }
    }
    fputc(')', em->f);
}

static void cix(Em *em, const Ix *x, int prec)
{
    FILE *f = em->f;
    int p = ixprec(x->kind);
    switch (x->kind) {
    case IX_CONST: fprintf(f, "%ld", x->val); return;
    case IX_T: fputc('T', f); return;
    case IX_VAR: fputs(em->vname[x->var], f); return;
    case IX_READ:
        /* a label is stored as a double (mg_examples.h): exactly an integer */
        fprintf(f, x->t == em->g->tokens ? "%s[" : "(long)%s[", x->t->name);
        cix(em, x->idx[0], 0);
        fputc(']', f);
        return;
    case IX_PAD:
        fputc('(', f);
        cinside(em, x->idx, x->var, x->ext, (unsigned)x->val);
        fputs(" ? ", f);
        cix(em, x->a, 0);
        fputs(" : ", f);
        cix(em, x->b, 0);
        fputc(')', f);
        return;
    case IX_AXIS: MGC_INTERNAL("axis reference reached the emitter");
    case IX_SELECT:
        fputc('(', f);
        cix(em, x->a, 3);
        fputs(" != 0 ? ", f);
        cix(em, x->b->a, 0);
        fputs(" : ", f);
        cix(em, x->b->b, 0);
        fputc(')', f);
        return;
    case IX_ARMS: MGC_INTERNAL("arms of a select outside it");
    case IX_MIN:
    case IX_MAX:
        fputc('(', f);
        cix(em, x->a, 1);
        fputs(x->kind == IX_MIN ? " < " : " > ", f);
        cix(em, x->b, 1);
        fputs(" ? ", f);
        cix(em, x->a, 0);
        fputs(" : ", f);
        cix(em, x->b, 0);
        fputc(')', f);
        return;
    IX_CMPS    /* in brackets: C's == binds looser than < */
        fputc('(', f);
        cix(em, x->a, 1);
        fprintf(f, " %s ", ix_cmp_text(x->kind));
        cix(em, x->b, 1);
        fputc(')', f);
        return;
    default: break;
    }
    if (p < prec)
        fputc('(', f);
    cix(em, x->a, p);
    fputs(x->kind == IX_ADD ? " + " : x->kind == IX_SUB ? " - " : x->kind == IX_MUL ? " * " :
          x->kind == IX_FLOORDIV ? " / " : " % ", f);
    cix(em, x->b, p + 1);
    if (p < prec)
        fputc(')', f);
}

/* row-major offset of t[idx...] */
static void offset(Em *em, const Tensor *t, Ix *const *idx)
{
    int any = 0;
    for (int k = 0; k < t->rank; k++) {
        long stride = 1;
        for (int j = k + 1; j < t->rank; j++)
            stride *= t->maxext[j];
        long c;
        if (ix_is_const(idx[k], &c) && c == 0)
            continue;
        if (any)
            fputs(" + ", em->f);
        any = 1;
        if (stride == 1) {
            cix(em, idx[k], 1);
        } else {
            cix(em, idx[k], 2);
            fprintf(em->f, " * %ld", stride);
        }
    }
    if (!any)
        fputc('0', em->f);
}

static void cex(Em *em, const Ex *e, int prec);

/* --fast: the common powers without pow (not always libm's last bit) */
static int fast_pow(Em *em, const Ex *e)
{
    static const struct { double k; const char *pre, *mid, *post; int twice; } forms[] = {
        {-1.0, "(1.0 / ", "", ")", 0},       {2.0, "(", " * ", ")", 1},
        {0.5, "sqrt(", "", ")", 0},          {-0.5, "(1.0 / sqrt(", "", "))", 0},
        {-2.0, "(1.0 / (", " * ", "))", 1},  {-1.5, "(1.0 / (", " * sqrt(", ")))", 1},
    };
    static const struct { double k; const char *pre, *mid, *post; int twice; } forms32[] = {
        {-1.0, "(1.0f / ", "", ")", 0},      {2.0, "(", " * ", ")", 1},
        {0.5, "sqrtf(", "", ")", 0},         {-0.5, "(1.0f / sqrtf(", "", "))", 0},
        {-2.0, "(1.0f / (", " * ", "))", 1}, {-1.5, "(1.0f / (", " * sqrtf(", ")))", 1},
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        if (forms[i].k != e->c)
            continue;
        const char *pre = em->g->f32 ? forms32[i].pre : forms[i].pre, *mid = em->g->f32 ? forms32[i].mid : forms[i].mid,
                   *post = em->g->f32 ? forms32[i].post : forms[i].post;
        fputs(pre, em->f);
        cex(em, e->a, 3);
        if (forms[i].twice) {
            fputs(mid, em->f);
            cex(em, e->a, forms[i].k == -1.5 ? 0 : 3);
        }
        fputs(post, em->f);
        return 1;
    }
    return 0;
}

extern const char mgc_exactpow[], mgc_exactexp[];
/* helpers marked used: an EX kind, or these for mg_exactpow.h, mg_exactexp.h */
enum { USED_EXACT_POW = EX_IFPOS + 1, USED_EXACT_EXP };

/* The exact build's powers that mg_exactpow.h computes with libm's bits
 * without calling pow in most cases (NULL: call pow_).  A model's C includes
 * the header beside mg_model.h; standalone C gets its text (mgc_exactpow,
 * embedded from the runtime), so that it still needs only the C library. */
static const char *exact_pow(const Graph *g, double k)
{
    static const struct { double k; const char *fn; } forms[] = {
        {2.0, "mg_pow2"}, {0.5, "mg_pow_half"}, {-1.0, "mg_pow_m1"},
        {-2.0, "mg_pow_m2"}, {-0.5, "mg_pow_mhalf"}, {-1.5, "mg_pow_m3half"},
    };
    for (size_t i = 0; !g->fast && !g->f32 && i < sizeof forms / sizeof forms[0]; i++)
        if (forms[i].k == k)
            return forms[i].fn;
    return NULL;
}

static void cex(Em *em, const Ex *e, int prec)
{
    FILE *f = em->f;
    switch (e->kind) {
    case EX_CONST:
        if (e->c < 0 || (e->c == 0 && 1 / e->c < 0)) {
            fputc('(', f);
            cnum(em, e->c);
            fputc(')', f);
        } else {
            cnum(em, e->c);
        }
        return;
    case EX_READ:
        if (e->t->local) {
            fputs(e->t->name, f);
            return;
        }
        fprintf(f, "%s[", e->t->name);
        offset(em, e->t, e->idx);
        fputc(']', f);
        return;
    case EX_INT:
        fprintf(f, "(%s)(", em->real);
        cix(em, e->ix, 0);
        fputc(')', f);
        return;
    case EX_ADD:
    case EX_SUB:
        if (prec > 1) fputc('(', f);
        cex(em, e->a, 1);
        fputs(e->kind == EX_ADD ? " + " : " - ", f);
        cex(em, e->b, 2);
        if (prec > 1) fputc(')', f);
        return;
    case EX_MUL:
        if (prec > 2) fputc('(', f);
        cex(em, e->a, 2);
        fputs(" * ", f);
        cex(em, e->b, 3);
        if (prec > 2) fputc(')', f);
        return;
    case EX_POW:
        if (em->g->fast && fast_pow(em, e))
            return;
        if (exact_pow(em->g, e->c)) {
            fprintf(f, "%s(", exact_pow(em->g, e->c));
            cex(em, e->a, 0);
            fputc(')', f);
            return;
        }
        fputs(em->g->fast ? (em->g->f32 ? "powf(" : "pow(") : "pow_(", f);
        cex(em, e->a, 0);
        fputs(", ", f);
        cnum(em, e->c);
        fputc(')', f);
        return;
    case EX_POWX:
    case EX_DPOWA:
    case EX_DPOWB:
        if (e->kind == EX_POWX)
            fputs(em->g->fast ? (em->g->f32 ? "powf(" : "pow(") : "pow_(", f);
        else
            fputs(e->kind == EX_DPOWA ? "dpow_a_(" : "dpow_b_(", f);
        cex(em, e->a, 0);
        fputs(", ", f);
        cex(em, e->b, 0);
        fputc(')', f);
        return;
    case EX_PICK:
        fputc('(', f);
        cix(em, e->ix, 0);
        fputs(" == ", f);
        cex(em, e->a, 3);
        fputs(" ? ", f);
        cex(em, e->b, 0);
        fputs(em->g->f32 ? " : 0.0f)" : " : 0.0)", f);
        return;
    case EX_IFPOS:
        fputc('(', f);
        cex(em, e->a, 3);
        fputs(" > 0 ? ", f);
        cex(em, e->b, 0);
        fputs(em->g->f32 ? " : 0.0f)" : " : 0.0)", f);
        return;
    case EX_PAD:
        fputc('(', f);
        cinside(em, e->idx, e->t->rank, e->t->ext, e->pad);
        fputs(" ? ", f);
        cex(em, e->a, 0);
        fputs(" : ", f);
        cex(em, e->b, 0);
        fputc(')', f);
        return;
    case EX_NOGRAD:     /* a value, nothing more: no brackets of its own */
        cex(em, e->a, prec);
        return;
    EX_CMPS
        fputc('(', f);
        cex(em, e->a, 1);
        fprintf(f, " %s ", ex_cmp_text(e->kind));
        cex(em, e->b, 1);
        fputs(em->g->f32 ? " ? 1.0f : 0.0f)" : " ? 1.0 : 0.0)", f);
        return;
    case EX_SELECT:
        /* a C select: the arm not taken is not computed, so its inf or NaN stays out */
        fputc('(', f);
        if (ex_cmp_text(e->a->kind)) {
            cex(em, e->a->a, 1);
            fprintf(f, " %s ", ex_cmp_text(e->a->kind));
            cex(em, e->a->b, 1);
        } else {
            cex(em, e->a, 3);
            fputs(em->g->f32 ? " != 0.0f" : " != 0.0", f);
        }
        fputs(" ? ", f);
        cex(em, e->b->a, 0);
        fputs(" : ", f);
        cex(em, e->b->b, 0);
        fputc(')', f);
        return;
    case EX_ARMS: MGC_INTERNAL("arms of a select outside it");
    MG_OPS(OP_CASE) {
        const OpInfo *o = op_info(e->kind);
        if (em->g->fast && em->g->f32 && e->kind == EX_EXP)
            fputs("fexp_(", f);             /* fast_fp's own expf, which vectorises */
        else if (op_calls_helper(o, em->g->fast))
            fprintf(f, "%s_(", o->name);    /* the helper: see emit_op_helper */
        else
            fprintf(f, "%s(", em->g->f32 ? o->cf : o->c);
        break;
    }
    }
    cex(em, e->a, 0);
    fputc(')', f);
}

/* ---------------------------------------------------------------- comments */

static void quote_line(Em *em, const char *prefix, SrcLoc loc)
{
    char buf[512];
    if (!loc.file || !diag_source_line(loc.file, loc.line, buf, sizeof buf))
        return;
    char *s = buf;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = 0;
    out(em, "/* %s", prefix);
    emit_c_comment(em->f, base_name(loc.file));
    fprintf(em->f, ":%d: ", loc.line);
    emit_c_comment(em->f, s);
    fputs(" */\n", em->f);
}

static int same_loc(SrcLoc a, SrcLoc b)
{
    return a.line == b.line && a.col == b.col &&
           ((!a.file && !b.file) || (a.file && b.file && !strcmp(a.file, b.file)));
}

static void shape_comment(Em *em, const Tensor *t)
{
    fputs("[", em->f);
    for (int k = 0; k < t->rank; k++) {
        if (k)
            fputs(", ", em->f);
        ix_print(em->f, t->ext[k], em->g);
    }
    fputs("]", em->f);
}

/* --------------------------------------------------------------- statements */

static int name_used(Em *em, const Stmt *s, int upto, const char *name)
{
    for (int i = 0; i < upto; i++)
        if (!strcmp(em->vname[s->loops[i].var], name))
            return 1;
    if (ir_name_taken(em->g, name))     /* a tensor's name, or a word ir.c keeps from them */
        return 1;
    static const char *reserved[] = {"T", "tokens", "params", "grads", "scratch", "ctx", "acc_", "val_",
                                     "int", "do", "if", "for", "double", "exp", "log", "pow", "tanh",
                                     "relu_", "step_", "exp_", "log_", "tanh_", "pow_", "auto", "case", "char", "else", "enum", "goto",
                                     "long", "void", "while", "float", "short", NULL};
    for (int i = 0; reserved[i]; i++)
        if (!strcmp(reserved[i], name))
            return 1;
    return 0;
}

static void name_loops(Em *em, const Stmt *s)
{
    for (int i = 0; i < s->nloop; i++) {
        if (i == 0 && s->rec && em->step) {     /* the recurrence's loop runs it */
            em->vname[s->loops[0].var] = em->step;
            continue;
        }
        const char *hint = em->g->varname[s->loops[i].var];
        const char *name = hint;
        for (int k = 2; name_used(em, s, i, name); k++)
            name = arena_printf("%s%d", hint, k);
        em->vname[s->loops[i].var] = name;
    }
}

/* In large nests (Schedule.simd) GCC (12) may vectorise acc_[u] += ... over
 * the loop around u, with gathers, instead of over u: it did so in the
 * outlined parallel loop, and in loss_grad even without -fopenmp, for
 * attention's weighted sum (104-114 against 7.4 us for that loop at n_embd
 * 64).  `omp simd` on u says which loop (its iterations are independent: each
 * writes its own acc_[u]); it takes effect with -fopenmp or -fopenmp-simd. */
static void pragma_simd(Em *em)
{
    if (!em->sc->simd)
        return;
    out(em, "#ifdef _OPENMP\n");
    out(em, "#pragma omp simd\n");
    out(em, "#endif\n");
}

/* before loop i of the statement: its iterations run on threads if the
 * schedule says so (each output element still computed whole by one thread,
 * in its order) */
static int pragma_par(Em *em, int i)
{
    if (em->sc->par_loop != i)
        return 0;
    out(em, "#ifdef _OPENMP\n");
    out(em, "#pragma omp parallel for schedule(static)\n");
    out(em, "#endif\n");
    return 1;
}

/* loop i of s */
static void open_loop(Em *em, const Stmt *s, int i)
{
    const char *v = em->vname[s->loops[i].var];
    pragma_par(em, i);
    out(em, "for (int %s = 0; %s < ", v, v);
    cix(em, s->loops[i].hi, 0);
    fprintf(em->f, "; %s++) {\n", v);
    em->indent++;
}

/* loops from..to-1 of s */
static void open_loops(Em *em, const Stmt *s, int from, int to)
{
    for (int i = from; i < to; i++)
        open_loop(em, s, i);
}

static void close_loops(Em *em, int n)
{
    for (int i = 0; i < n; i++) {
        em->indent--;
        out(em, "}\n");
    }
}

/* print bound hi: the Ix, or the constant ext when hi is NULL */
static void bound(Em *em, const Ix *hi, long ext, int paren)
{
    if (!hi)
        fprintf(em->f, "%ld", ext);
    else {
        fputs(paren ? "(" : "", em->f);
        cix(em, hi, 0);
        fputs(paren ? ")" : "", em->f);
    }
}

/* Loop i of s (variable v) in steps of `by` while a whole step fits under hi
 * (an Ix, or the constant ext); the rest of v follows in open_rest.  On
 * threads in OpenMP's canonical form, with v its own. */
static void open_by(Em *em, int i, const char *v, const Ix *hi, long ext, int by)
{
    if (pragma_par(em, i)) {
        out(em, "for (int %s = 0; %s <= ", v, v);
        bound(em, hi, ext, 1);
        fprintf(em->f, " - %d; %s += %d) {\n", by, v, by);
    } else {
        out(em, "int %s = 0;\n", v);
        out(em, "for (; %s + %d <= ", v, by);
        bound(em, hi, ext, 0);
        fprintf(em->f, "; %s += %d) {\n", v, by);
    }
    em->indent++;
}

/* the rest of loop i (variable v) after open_by */
static void open_rest(Em *em, int i, const char *v, const Ix *hi, long ext, int by)
{
    if (em->sc->par_loop == i) {
        out(em, "for (int %s = ", v);
        bound(em, hi, ext, 1);
        fputs(" - ", em->f);
        bound(em, hi, ext, 1);
        fprintf(em->f, " %% %d; %s < ", by, v);
    } else
        out(em, "for (; %s < ", v);
    bound(em, hi, ext, 0);
    fprintf(em->f, "; %s++) {\n", v);
    em->indent++;
}

static void init_text(Em *em, const Stmt *s, Ix *const *oidx)
{
    if (!sched_from_out(s)) {
        fputs(s->red == RED_SUM_ ? "0.0" : s->red == RED_MAX_ || s->red == RED_ARGMAX_ ? "-INFINITY" : "INFINITY",
              em->f);
        return;
    }
    fprintf(em->f, "%s[", s->out->name);
    offset(em, s->out, oidx);
    fputc(']', em->f);
}

static void store_acc(Em *em, const Stmt *s, Ix *const *oidx, const char *acc, int add)
{
    out(em, "%s[", s->out->name);
    offset(em, s->out, oidx);
    fprintf(em->f, "] %s %s;\n", add ? "+=" : "=", acc);
}

/* Lane sums (Schedule.lanes): the n sums (e[b] into oidx[b]) over the one
 * constant reduction loop i, each split into `lanes` partial sums (lane l
 * takes the terms with i % lanes == l, in order), which the C compiler keeps
 * in vector registers; the partial sums are then added left to right.
 * Deterministic; not the sequential order.  Each accumulator is its own
 * array (acc_0, acc_1, ...), which GCC keeps in a register where acc_[b][l]
 * would live in memory. */
static void emit_lane_sums(Em *em, const Stmt *s, Ex *const *e, Ix *oidx[][IR_MAX_RANK], int n, int add)
{
    int nout = s->nloop - s->nred, lanes = em->sc->lanes;
    long red = em->sc->red;
    const char *i = em->vname[s->loops[nout].var];
    for (int b = 0; b < n; b++)
        out(em, "%s acc_%d[%d] = {0};\n", em->real, b, lanes);
    for (int b = 0; b < n; b++) {
        out(em, "acc_%d[0] = ", b);
        init_text(em, s, oidx[b]);
        fputs(";\n", em->f);
    }
    out(em, "for (int l0_ = 0; l0_ + %d <= %ld; l0_ += %d)\n", lanes, red, lanes);
    out(em, "    for (int %s = l0_; %s < l0_ + %d; %s++) {\n", i, i, lanes, i);
    for (int b = 0; b < n; b++) {
        out(em, "        acc_%d[%s - l0_] += ", b, i);
        cex(em, e[b], 0);
        fputs(";\n", em->f);
    }
    out(em, "    }\n");
    if (red % lanes) {
        out(em, "for (int %s = %ld; %s < %ld; %s++) {\n", i, red - red % lanes, i, red, i);
        for (int b = 0; b < n; b++) {
            out(em, "    acc_%d[0] += ", b);
            cex(em, e[b], 0);
            fputs(";\n", em->f);
        }
        out(em, "}\n");
    }
    for (int b = 0; b < n; b++) {
        out(em, "for (int l_ = 1; l_ < %d; l_++)\n", lanes);
        out(em, "    acc_%d[0] += acc_%d[l_];\n", b, b);
    }
    for (int b = 0; b < n; b++)
        store_acc(em, s, oidx[b], arena_printf("acc_%d[0]", b), add);
}

/* value e0 and output index oidx0 of s with loop variable v replaced by
 * v + b, for b < n, into e[b] and oidx[b] */
static void shifted(const Stmt *s, Ex *e0, Ix *const *oidx0, int v, int n, Ex **e, Ix *oidx[][IR_MAX_RANK])
{
    for (int b = 0; b < n; b++) {
        Ix *vb = b ? ix_bin(IX_ADD, ix_var(v), ix_const(b)) : ix_var(v);
        e[b] = opt_subst(e0, v, vb);
        for (int k = 0; k < s->out->rank; k++)
            oidx[b][k] = ix_subst_var(oidx0[k], v, vb);
    }
}

/* SCHED_TILES, a matrix product's tile: `block` values of w by `block` of u,
 * their lane sums side by side.  Each reads `block` rows of either operand
 * per step instead of one, so the weights (the u rows) are read T/4 times,
 * not T times.  Every sum is added exactly as in emit_lane_sums: the same
 * bits.  The rest of w goes to emit_blocked. */
static void emit_blocked(Em *em, const Stmt *s, int add);

static void emit_tiles(Em *em, const Stmt *s, int add)
{
    int nout = s->nloop - s->nred, u = s->loops[nout - 1].var, w = s->loops[nout - 2].var, n = em->sc->block;
    long extent = em->sc->extent;
    const char *uv = em->vname[u], *wv = em->vname[w];
    Ex *ew[SCHED_MAX_BLOCK], *e[SCHED_MAX_BLOCK * SCHED_MAX_BLOCK];
    Ix *ow[SCHED_MAX_BLOCK][IR_MAX_RANK], *oidx[SCHED_MAX_BLOCK * SCHED_MAX_BLOCK][IR_MAX_RANK];
    shifted(s, s->e, s->oidx, w, n, ew, ow);
    for (int r = 0; r < n; r++)
        shifted(s, ew[r], ow[r], u, n, e + r * n, oidx + r * n);
    const Ix *whi = s->loops[nout - 2].hi;
    open_by(em, nout - 2, wv, whi, 0, n);
    out(em, "int %s = 0;\n", uv);
    out(em, "for (; %s + %d <= %ld; %s += %d) {\n", uv, n, extent, uv, n);
    em->indent++;
    emit_lane_sums(em, s, e, oidx, n * n, add);
    em->indent--;
    out(em, "}\n");
    if (extent % n) {
        out(em, "for (; %s < %ld; %s++) {\n", uv, extent, uv);
        em->indent++;
        emit_lane_sums(em, s, ew, ow, n, add);
        em->indent--;
        out(em, "}\n");
    }
    close_loops(em, 1);
    open_rest(em, nout - 2, wv, whi, 0, n);
    emit_blocked(em, s, add);
    close_loops(em, 1);
}

/* SCHED_BLOCKED: `block` sums of u side by side (lane sums each, or one sum
 * in order), then the rest of u one at a time */
static void emit_blocked(Em *em, const Stmt *s, int add)
{
    int nout = s->nloop - s->nred, u = s->loops[nout - 1].var, n = em->sc->block;
    long extent = em->sc->extent;
    const char *v = em->vname[u];
    Ex *e[SCHED_MAX_BLOCK];
    Ix *oidx[SCHED_MAX_BLOCK][IR_MAX_RANK];
    shifted(s, s->e, s->oidx, u, n, e, oidx);
    open_by(em, nout - 1, v, NULL, extent, n);
    if (em->sc->lanes)
        emit_lane_sums(em, s, e, oidx, n, add);
    else {
        for (int b = 0; b < n; b++) {
            out(em, "%s acc_%d = ", em->real, b);
            init_text(em, s, oidx[b]);
            fputs(";\n", em->f);
        }
        open_loops(em, s, nout, s->nloop);
        for (int b = 0; b < n; b++) {
            out(em, "acc_%d += ", b);
            cex(em, e[b], 0);
            fputs(";\n", em->f);
        }
        close_loops(em, s->nred);
        for (int b = 0; b < n; b++)
            store_acc(em, s, oidx[b], arena_printf("acc_%d", b), add);
    }
    em->indent--;
    out(em, "}\n");
    if (extent % n == 0)
        return;
    open_rest(em, nout - 1, v, NULL, extent, n);
    out(em, "%s acc_ = ", em->real);
    init_text(em, s, s->oidx);
    fputs(";\n", em->f);
    open_loops(em, s, nout, s->nloop);
    out(em, "acc_ += ");
    cex(em, s->e, 0);
    fputs(";\n", em->f);
    close_loops(em, s->nred);
    store_acc(em, s, s->oidx, "acc_", add);
    em->indent--;
    out(em, "}\n");
}

/* SCHED_VECTOR: sums for every u side by side, acc_[u] over the reduction
 * loops, which the C compiler vectorises.  Each acc_[u] is still its own sum
 * in its own order.  (A weight gradient after opt_reduce: d_w[o, i] = sum
 * over t.)  The loop over u, all of it or (tile < extent) the tile starting
 * at t0_, and the index of acc_ it writes: */
static void u_loop(Em *em, const char *v, long extent, long tile, const char *tail)
{
    if (tile == extent)
        out(em, "for (int %s = 0; %s < %ld; %s++)%s", v, v, extent, v, tail);
    else
        out(em, "for (int %s = t0_; %s < t0_ + %ld; %s++)%s", v, v, tile, v, tail);
}

static const char *u_index(const char *v, long extent, long tile)
{
    return tile == extent ? v : arena_printf("%s - t0_", v);
}

/* open (tile < extent) the loop over the tiles of u, loop i of the statement */
static void open_tiles(Em *em, int i, long extent, long tile)
{
    if (tile == extent)
        return;
    pragma_par(em, i);
    out(em, "for (int t0_ = 0; t0_ < %ld; t0_ += %ld) {\n", extent, tile);
    em->indent++;
}

static void close_tiles(Em *em, long extent, long tile)
{
    if (tile < extent)
        close_loops(em, 1);
}

/* Schedule.overlap (exact f64, a statement stored with = that reads no
 * element of its output): the loop over w (variable wv, bound hi) in blocks
 * of `rows`, the last one ending at the last row, so overlapping the block
 * before: its rows are computed from the same inputs and stored again with
 * the same values.  Only when hi >= rows (the caller's test). */
static void open_overlap(Em *em, const char *wv, const Ix *hi, int rows)
{
    out(em, "for (int n_ = 0; n_ < ");
    bound(em, hi, 0, 0);
    fprintf(em->f, "; n_ += %d) {\n", rows);
    em->indent++;
    out(em, "int %s = n_ + %d <= ", wv, rows);
    bound(em, hi, 0, 1);
    fputs(" ? n_ : ", em->f);
    bound(em, hi, 0, 1);
    fprintf(em->f, " - %d;\n", rows);
}

static void emit_vector_row(Em *em, const Stmt *s);
static void vector_overlap(Em *em, const Stmt *s);

static void emit_vector_rows(Em *em, const Stmt *s)
{
    int nout = s->nloop - s->nred, u = s->loops[nout - 1].var, w = s->loops[nout - 2].var, rows = em->sc->rows;
    long extent = em->sc->extent, tile = em->sc->tile;
    const char *v = em->vname[u], *wv = em->vname[w], *ui = u_index(v, extent, tile);
    Ex *e[SCHED_MAX_BLOCK];
    Ix *oidx[SCHED_MAX_BLOCK][IR_MAX_RANK];
    shifted(s, s->e, s->oidx, w, rows, e, oidx);
    if (em->sc->overlap)
        open_overlap(em, wv, s->loops[nout - 2].hi, rows);
    else
        open_by(em, nout - 2, wv, s->loops[nout - 2].hi, 0, rows);
    open_tiles(em, nout - 1, extent, tile);
    out(em, "%s acc_[%d][%ld];\n", em->real, rows, tile);
    u_loop(em, v, extent, tile, " {\n");
    for (int b = 0; b < rows; b++) {
        out(em, "    acc_[%d][%s] = ", b, ui);
        init_text(em, s, oidx[b]);
        fputs(";\n", em->f);
    }
    out(em, "}\n");
    open_loops(em, s, nout, s->nloop);
    pragma_simd(em);
    u_loop(em, v, extent, tile, " {\n");
    for (int b = 0; b < rows; b++) {
        out(em, "    acc_[%d][%s] += ", b, ui);
        cex(em, e[b], 0);
        fputs(";\n", em->f);
    }
    out(em, "}\n");
    close_loops(em, s->nred);
    u_loop(em, v, extent, tile, " {\n");
    em->indent++;
    for (int b = 0; b < rows; b++)
        store_acc(em, s, oidx[b], arena_printf("acc_[%d][%s]", b, ui), sched_adds(s));
    em->indent--;
    out(em, "}\n");
    close_tiles(em, extent, tile);
    em->indent--;
    out(em, "}\n");
}

/* one row: acc_[u] for the innermost output loop u */
static void emit_vector_row(Em *em, const Stmt *s)
{
    int nout = s->nloop - s->nred, u = s->loops[nout - 1].var;
    long extent = em->sc->extent, tile = em->sc->row_tile;
    const char *v = em->vname[u], *ui = u_index(v, extent, tile);
    out(em, "{\n");
    em->indent++;
    open_tiles(em, nout - 1, extent, tile);
    out(em, "%s acc_[%ld];\n", em->real, tile);
    u_loop(em, v, extent, tile, "\n");
    out(em, "    acc_[%s] = ", ui);
    init_text(em, s, s->oidx);
    fputs(";\n", em->f);
    open_loops(em, s, nout, s->nloop);
    pragma_simd(em);
    u_loop(em, v, extent, tile, "\n");
    out(em, "    acc_[%s] += ", ui);
    cex(em, s->e, 0);
    fputs(";\n", em->f);
    close_loops(em, s->nred);
    u_loop(em, v, extent, tile, "\n");
    em->indent++;
    store_acc(em, s, s->oidx, arena_printf("acc_[%s]", ui), sched_adds(s));
    em->indent--;
    close_tiles(em, extent, tile);
    em->indent--;
    out(em, "}\n");
}

static void emit_vector(Em *em, const Stmt *s)
{
    int nout = s->nloop - s->nred, rows = em->sc->rows > 1;
    open_loops(em, s, 0, nout - 1 - rows);
    if (!rows) {
        emit_vector_row(em, s);
        close_loops(em, nout - 1);
        return;
    }
    out(em, "{\n");
    em->indent++;
    if (em->sc->overlap) {
        vector_overlap(em, s);
        close_loops(em, nout - 1);
        return;
    }
    emit_vector_rows(em, s);
    if (em->sc->rest) {
        open_rest(em, nout - 2, em->vname[s->loops[nout - 2].var], s->loops[nout - 2].hi, 0, em->sc->rows);
        emit_vector_row(em, s);
        close_loops(em, 1);
    }
    close_loops(em, nout - 1);
}

/* SCHED_COLUMNS (exact f64): out[.., u] = sum over r of w[u, r] * x[.., r]
 * for every u side by side.  w's columns are copied as the rows of wt_
 * (wt_[r][u], `pad` doubles a row, zeros past the extent, in scratch after
 * the plan's buffers), followed by a key (the copy's extent and rows) and
 * the w it was made from: a later call (the next document of the same step,
 * or the logits of a sample) finds them equal, byte for byte, and copies
 * nothing; any change to w, or scratch holding anything else, makes the copy
 * again.  Then acc_[b][u] over r for `rows` rows b of the
 * output loop before u at once, each acc_[b][u] added from 0.0 for r = 0,
 * 1, 2, ... as the reference adds it: the same bits as one sum at a time.
 * The padded lanes sum zeros and are never stored. */
static void columns_copy(Em *em, const Stmt *s)
{
    const Schedule *sc = em->sc;
    int nout = s->nloop - s->nred;
    const char *u = em->vname[s->loops[nout - 1].var], *r = em->vname[s->loops[nout].var];
    const char *w = sc->wread->t->name;
    long n = sc->red * sc->pad;
    out(em, "double *wt_ = scratch + %ld; /* [%ld, %ld]: %s transposed, then {%ld, %ld} and the %s it was made "
        "from */\n", sc->wt_off, sc->red, sc->pad, w, sc->extent, sc->red, w);
    out(em, "if (wt_[%ld] != %ld || wt_[%ld] != %ld || memcmp(wt_ + %ld, %s, %ld * sizeof *wt_)) {\n", n, sc->extent,
        n + 1, sc->red, n + 2, w, sc->wread->t->size);
    em->indent++;
    out(em, "memcpy(wt_ + %ld, %s, %ld * sizeof *wt_);\n", n + 2, w, sc->wread->t->size);
    out(em, "for (int %s = 0; %s < %ld; %s++)\n", u, u, sc->extent, u);
    out(em, "    for (int %s = 0; %s < %ld; %s++)\n", r, r, sc->red, r);
    out(em, "        wt_[%s * %ld + %s] = ", r, sc->pad, u);
    cex(em, sc->wread, 0);
    fputs(";\n", em->f);
    if (sc->pad > sc->extent) {
        out(em, "for (int %s = 0; %s < %ld; %s++)\n", r, r, sc->red, r);
        out(em, "    for (int %s = %ld; %s < %ld; %s++)\n", u, sc->extent, u, sc->pad, u);
        out(em, "        wt_[%s * %ld + %s] = 0.0;\n", r, sc->pad, u);
    }
    out(em, "wt_[%ld] = %ld;\n", n, sc->extent);
    out(em, "wt_[%ld] = %ld;\n", n + 1, sc->red);
    em->indent--;
    out(em, "}\n");
}

/* the sums of n rows (x[b] the other factor in row b) over the tile of u
 * from t0_ (or all of u) */
static void columns_rows(Em *em, const Stmt *s, Ex *const *x, Ix *oidx[][IR_MAX_RANK], int n, long tile)
{
    const Schedule *sc = em->sc;
    int nout = s->nloop - s->nred, all = tile == sc->pad;
    const char *u = em->vname[s->loops[nout - 1].var], *r = em->vname[s->loops[nout].var];
    const char *ui = all ? u : arena_printf("%s - t0_", u);
    const char *first = all ? "0" : "t0_", *end = all ? arena_printf("%ld", tile) : arena_printf("t0_ + %ld", tile);
    out(em, "double acc_[%d][%ld];\n", n, tile);
    out(em, "for (int %s = %s; %s < %s; %s++) {\n", u, first, u, end, u);
    for (int b = 0; b < n; b++)
        out(em, "    acc_[%d][%s] = 0.0;\n", b, ui);
    out(em, "}\n");
    out(em, "for (int %s = 0; %s < %ld; %s++) {\n", r, r, sc->red, r);
    em->indent++;
    out(em, "for (int %s = %s; %s < %s; %s++) {\n", u, first, u, end, u);
    for (int b = 0; b < n; b++) {
        out(em, "    acc_[%d][%s] += ", b, ui);
        if (!sc->w_first) {
            cex(em, x[b], 1);
            fputs(" * ", em->f);
        }
        fprintf(em->f, "wt_[%s * %ld + %s]", r, sc->pad, u);
        if (sc->w_first) {
            fputs(" * ", em->f);
            cex(em, x[b], 1);
        }
        fputs(";\n", em->f);
    }
    out(em, "}\n");
    em->indent--;
    out(em, "}\n");
    if (all)
        out(em, "for (int %s = 0; %s < %ld; %s++) {\n", u, u, sc->extent, u);
    else
        out(em, "for (int %s = t0_; %s < t0_ + %ld && %s < %ld; %s++) {\n", u, u, tile, u, sc->extent, u);
    em->indent++;
    for (int b = 0; b < n; b++)
        store_acc(em, s, oidx[b], arena_printf("acc_[%d][%s]", b, ui), sched_adds(s));
    em->indent--;
    out(em, "}\n");
}

/* n rows from the one of loop variable w (-1: the one row) over every tile of u */
static void columns_tiles(Em *em, const Stmt *s, int w, int n)
{
    long pad = em->sc->pad, tile = n > 1 ? em->sc->tile : em->sc->row_tile;
    Ex *x[SCHED_MAX_BLOCK];
    Ix *oidx[SCHED_MAX_BLOCK][IR_MAX_RANK];
    if (w >= 0)
        shifted(s, (Ex *)em->sc->xread, s->oidx, w, n, x, oidx);
    else {
        x[0] = (Ex *)em->sc->xread;
        memcpy(oidx[0], s->oidx, sizeof oidx[0]);
    }
    if (tile < pad) {
        out(em, "for (int t0_ = 0; t0_ < %ld; t0_ += %ld) {\n", pad, tile);
        em->indent++;
    }
    columns_rows(em, s, x, oidx, n, tile);
    if (tile < pad)
        close_loops(em, 1);
}

/* Schedule.overlap: blocks of `rows` rows of w, the last one ending at the
 * last row (so overlapping the one before: its rows are stored again with
 * the same values); fewer rows than that one at a time */
static void columns_overlap(Em *em, const Stmt *s)
{
    int nout = s->nloop - s->nred, w = s->loops[nout - 2].var, rows = em->sc->rows;
    const char *wv = em->vname[w];
    const Ix *hi = s->loops[nout - 2].hi;
    out(em, "if (");
    bound(em, hi, 0, 0);
    fprintf(em->f, " >= %d) {\n", rows);
    em->indent++;
    open_overlap(em, wv, hi, rows);
    columns_tiles(em, s, w, rows);
    close_loops(em, 1);
    em->indent--;
    out(em, "} else {\n");
    em->indent++;
    out(em, "for (int %s = 0; %s < ", wv, wv);
    bound(em, hi, 0, 0);
    fprintf(em->f, "; %s++) {\n", wv);
    em->indent++;
    columns_tiles(em, s, -1, 1);
    close_loops(em, 2);
}

static void emit_columns(Em *em, const Stmt *s)
{
    const Schedule *sc = em->sc;
    int nout = s->nloop - s->nred, rows = sc->rows > 1;
    out(em, "{\n");
    em->indent++;
    columns_copy(em, s);
    open_loops(em, s, 0, nout - 1 - rows);
    if (!rows) {
        columns_tiles(em, s, -1, 1);
    } else if (sc->overlap) {
        columns_overlap(em, s);
    } else {
        int w = s->loops[nout - 2].var;
        out(em, "{\n");
        em->indent++;
        open_by(em, nout - 2, em->vname[w], s->loops[nout - 2].hi, 0, sc->rows);
        columns_tiles(em, s, w, sc->rows);
        close_loops(em, 1);
        if (sc->rest) {
            open_rest(em, nout - 2, em->vname[w], s->loops[nout - 2].hi, 0, sc->rows);
            columns_tiles(em, s, -1, 1);
            close_loops(em, 1);
        }
        close_loops(em, 1);
    }
    close_loops(em, nout - 1 - rows);
    close_loops(em, 1);
}

/* VECTOR with Schedule.overlap: blocks of rows when w has at least that
 * many, else one row at a time */
static void vector_overlap(Em *em, const Stmt *s)
{
    int nout = s->nloop - s->nred, w = s->loops[nout - 2].var;
    const char *wv = em->vname[w];
    const Ix *hi = s->loops[nout - 2].hi;
    out(em, "if (");
    bound(em, hi, 0, 0);
    fprintf(em->f, " >= %d) {\n", em->sc->rows);
    em->indent++;
    emit_vector_rows(em, s);
    em->indent--;
    out(em, "} else {\n");
    em->indent++;
    out(em, "for (int %s = 0; %s < ", wv, wv);
    bound(em, hi, 0, 0);
    fprintf(em->f, "; %s++) {\n", wv);
    em->indent++;
    emit_vector_row(em, s);
    close_loops(em, 2);
}

/* out[idx] = / += value, or a fused nest's local: double out = value */
static void store(Em *em, const Stmt *s, const char *value_prefix, int acc)
{
    if (s->out->local) {
        out(em, "%s = %s", s->out->name, value_prefix);
        return;
    }
    out(em, "%s[", s->out->name);
    offset(em, s->out, s->oidx);
    fprintf(em->f, "] %s %s", acc ? "+=" : "=", value_prefix);
}

/* Schedule.split: a sum over one constant loop as four interleaved partial
 * sums, which the C compiler can vectorise (the order of the additions changes) */
static void emit_split_sum(Em *em, const Stmt *s, long ext)
{
    int u = s->loops[s->nloop - 1].var;
    const char *v = em->vname[u];
    out(em, "%s acc_0 = 0, acc_1 = 0, acc_2 = 0, acc_3 = 0;\n", em->real);
    out(em, "int %s = 0;\n", v);
    out(em, "for (; %s + 4 <= %ld; %s += 4) {\n", v, ext, v);
    em->indent++;
    for (int b = 0; b < 4; b++) {
        out(em, "acc_%d += ", b);
        cex(em, b ? opt_subst(s->e, u, ix_bin(IX_ADD, ix_var(u), ix_const(b))) : s->e, 0);
        fputs(";\n", em->f);
    }
    em->indent--;
    out(em, "}\n");
    out(em, "for (; %s < %ld; %s++)\n", v, ext, v);
    out(em, "    acc_0 += ");
    cex(em, s->e, 0);
    fputs(";\n", em->f);
    out(em, "%s acc_ = (acc_0 + acc_1) + (acc_2 + acc_3);\n", em->real);
}

/* a max or min keeps the first of equal terms and skips NaN; argmax and
 * argmin also note the position of the term they keep */
static void emit_choice(Em *em, const Stmt *s)
{
    out(em, "%s val_ = ", em->real);
    cex(em, s->e, 0);
    fputs(";\n", em->f);
    int above = s->red == RED_MAX_ || s->red == RED_ARGMAX_;
    out(em, "if (val_ %c acc_)%s\n", above ? '>' : '<', s->arg ? " {" : "");
    out(em, "    acc_ = val_;\n");
    if (!s->arg)
        return;
    out(em, "    arg_ = ");
    cix(em, s->arg, 0);
    fputs(";\n", em->f);
    out(em, "}\n");
}

static void emit_body_of(Em *em, const Stmt *s, int in_group);

/* the body of one statement inside its output loops; a guarded one (the
 * gradient of a read past the edge) only where its element is inside */
static void emit_body(Em *em, const Stmt *s, int in_group)
{
    if (!s->guard) {
        emit_body_of(em, s, in_group);
        return;
    }
    out(em, "if ");
    cinside(em, s->oidx, s->out->rank, s->out->ext, s->guard);
    fputs(" {\n", em->f);
    em->indent++;
    emit_body_of(em, s, in_group);
    em->indent--;
    out(em, "}\n");
}

static void emit_body_of(Em *em, const Stmt *s, int in_group)
{
    int acc = s->red == RED_NONE_ ? s->accumulate && !s->assign_first : sched_adds(s), nout = s->nloop - s->nred;
    if (s->red == RED_NONE_) {
        if (s->out->local)
            out(em, "%s ", em->real);
        store(em, s, "", acc);
        cex(em, s->e, 0);
        fputs(";\n", em->f);
        return;
    }
    if (s->out->local)
        out(em, "%s %s;\n", em->real, s->out->name);
    int brace = nout == 0 || in_group || (s->rec && nout == 1);
    if (brace) {
        out(em, "{\n");
        em->indent++;
    }
    if (s->sched->split) {
        emit_split_sum(em, s, s->sched->split);
        store(em, s, "acc_;\n", acc);
        if (brace) {
            em->indent--;
            out(em, "}\n");
        }
        return;
    }
    out(em, "%s acc_ = ", em->real);
    init_text(em, s, s->oidx);
    fputs(";\n", em->f);
    if (s->arg)
        out(em, "%s arg_ = -1;\n", em->real);
    open_loops(em, s, nout, s->nloop);
    if (s->red == RED_SUM_) {
        out(em, "acc_ += ");
        cex(em, s->e, 0);
        fputs(";\n", em->f);
    } else {
        emit_choice(em, s);
    }
    close_loops(em, s->nred);
    store(em, s, s->arg ? "arg_;\n" : "acc_;\n", acc);
    if (brace) {
        em->indent--;
        out(em, "}\n");
    }
}

static void emit_comment(Em *em, const Stmt *s, const char *prefix)
{
    if (!same_loc(s->site, em->last_site) && s->site.file && !same_loc(s->site, s->loc)) {
        fputc('\n', em->f);
        quote_line(em, prefix, s->site);
    }
    em->last_site = s->site;
    if (same_loc(s->site, s->loc) || !s->site.file)
        fputc('\n', em->f);
    quote_line(em, same_loc(s->site, s->loc) ? prefix : "", s->loc);
}

/* SCHED_GEMM: one mg_sgemm call, in the BLAS's order of additions */
static void emit_gemm(Em *em, const Stmt *s)
{
    const Schedule *sc = em->sc;
    out(em, "mg_sgemm(%d, %d, ", sc->ta, sc->tb);
    cix(em, sc->M, 0);
    fprintf(em->f, ", %ld, ", sc->N);
    cix(em, sc->K, 0);
    fprintf(em->f, ", %s, %ld, %s, %ld, %s, %s, %ld);\n", sc->A->name, sc->lda, sc->B->name, sc->ldb,
            sc->beta ? "1.0f" : "0.0f", s->out->name, sc->ldc);
}

/* SCHED_LOOPS: statements s[0..n-1], s[1..] fused into s[0]'s output loops */
static void emit_loops(Em *em, Stmt *const *s, int n)
{
    int nout = s[0]->nloop - s[0]->nred, from = s[0]->rec ? 1 : 0;   /* the step loop is the recurrence's */
    open_loops(em, s[0], from, nout);
    for (int k = 0; k < n; k++) {
        if (k > 0) {
            name_loops(em, s[k]);
            quote_line(em, "", s[k]->loc);
        }
        emit_body(em, s[k], n > 1);
    }
    close_loops(em, nout - from);
}

static int ex_reads(const Ex *e, const Tensor *t)
{
    return e && (e->t == t || ex_reads(e->a, t) || ex_reads(e->b, t));
}

/* The exact build's out[..., i] = exp(value) over its last loop i, alone in
 * its nest, i the last index of out (a contiguous row), and value reading
 * nothing of out: the row's values are stored, then mg_exp_row
 * (mg_exactexp.h) takes their exp in place, vectorised and with libm's bits.
 * (A statement's schedule is set before the C is emitted.) */
static int exp_row(const Graph *g, const Stmt *s)
{
    int r = s->out->rank, v = s->nloop - 1;
    long c;
    if (g->fast || g->f32 || !s->sched || s->sched->kind != SCHED_LOOPS || s->sched->group != 1 || s->red != RED_NONE_ || s->e->kind != EX_EXP || s->guard || s->rec ||
        s->out->local || (s->accumulate && !s->assign_first) || r < 1 || v < 0)
        return 0;
    if (!ix_var_offset(s->oidx[r - 1], s->loops[v].var, &c) || c != 0)
        return 0;
    for (int k = 0; k < r - 1; k++)
        if (ix_mentions_var(s->oidx[k], s->loops[v].var))
            return 0;
    return !ex_reads(s->e->a, s->out);
}

/* How many of s's last loops one mg_exp_row call covers: the last, and each
 * loop before it whose index is out's axis before theirs while the loops
 * after it span their axes whole (constant bounds equal to the extents), so
 * that their elements are one contiguous run (softmax over all T rows of
 * logits: one call of T * vocab). */
static int exp_row_levels(const Stmt *s)
{
    int r = s->out->rank, v = s->nloop - 1, lv = 1;
    long c, ext;
    while (lv <= v && lv < r && ix_is_const(s->loops[v - lv + 1].hi, &ext) && ext == s->out->maxext[r - lv] &&
           ix_var_offset(s->oidx[r - 1 - lv], s->loops[v - lv].var, &c) && c == 0) {
        int other = 0;
        for (int k = 0; k < r - 1 - lv; k++)
            other |= ix_mentions_var(s->oidx[k], s->loops[v - lv].var);
        if (other)
            break;
        lv++;
    }
    return lv;
}

static void emit_exp_row(Em *em, const Stmt *s)
{
    int v = s->nloop - 1, lv = exp_row_levels(s), r = s->out->rank;
    Ix *row[IR_MAX_RANK];
    open_loops(em, s, 0, v + 1);
    store(em, s, "", 0);
    cex(em, s->e->a, 0);
    fputs(";\n", em->f);
    close_loops(em, lv);
    memcpy(row, s->oidx, sizeof row);
    for (int k = 0; k < lv; k++)
        row[r - 1 - k] = ix_const(0);
    out(em, "mg_exp_row(&%s[", s->out->name);
    offset(em, s->out, row);
    fputs("], ", em->f);
    cix(em, s->loops[v - lv + 1].hi, lv > 1 ? 2 : 0);
    for (int k = 1; k < lv; k++)
        fprintf(em->f, " * %ld", s->out->maxext[r - k]);
    fputs(");    /* exp in place, libm's bits */\n", em->f);
    close_loops(em, v + 1 - lv);
}

/* the nest of s[0] and the n - 1 statements fused into it, as scheduled */
static void emit_group(Em *em, Stmt *const *s, int n, const char *prefix)
{
    emit_comment(em, s[0], prefix);
    for (int k = 0; k < n; k++)
        if (s[k]->what) {    /* a backward statement's derivative note (autodiff.c) */
            out(em, "/* ");
            emit_c_comment(em->f, s[k]->what);
            fputs(" */\n", em->f);
        }
    for (int k = 0; k < n; k++) {
        name_loops(em, s[k]);
        if (s[k]->zero_first && !s[k]->rec)
            out(em, "memset(%s, 0, %ld * sizeof *%s);\n", s[k]->out->name, s[k]->out->size, s[k]->out->name);
    }
    name_loops(em, s[0]);
    em->sc = s[0]->sched;
    int nout = s[0]->nloop - s[0]->nred;
    switch (em->sc->kind) {
    case SCHED_GEMM: emit_gemm(em, s[0]); break;
    case SCHED_VECTOR: emit_vector(em, s[0]); break;
    case SCHED_TILES:
        open_loops(em, s[0], 0, nout - 2);
        out(em, "{\n");
        em->indent++;
        emit_tiles(em, s[0], sched_adds(s[0]));
        close_loops(em, nout - 1);
        break;
    case SCHED_BLOCKED:
        open_loops(em, s[0], 0, nout - 1);
        if (nout == 1) {
            out(em, "{\n");
            em->indent++;
        }
        emit_blocked(em, s[0], sched_adds(s[0]));
        close_loops(em, nout == 1 ? 1 : nout - 1);
        break;
    case SCHED_LOOPS:
        if (n == 1 && exp_row(em->g, s[0]))
            emit_exp_row(em, s[0]);
        else
            emit_loops(em, s, n);
        break;
    case SCHED_COLUMNS: emit_columns(em, s[0]); break;
    case SCHED_SEED:
    case SCHED_FUSED: MGC_INTERNAL("a group starts with a seed or a fused statement");
    }
}

/* The n statements of a recurrence (those sel selects) inside one loop over
 * its steps, forward or in reverse; the gradients they start are cleared
 * before it, since each step adds to them. */
static void emit_rec(Em *em, Stmt *const *s, int n, const char *sel, const char *prefix, int reverse)
{
    int any = 0;
    for (int k = 0; k < n; k++)
        any |= !sel || sel[k];
    if (!any)
        return;
    for (int k = 0; k < n; k++)
        if (s[k]->zero_first)
            out(em, "memset(%s, 0, %ld * sizeof *%s);\n", s[k]->out->name, s[k]->out->size, s[k]->out->name);
    const char *hint = em->g->varname[s[0]->loops[0].var], *v = hint;
    for (int k = 2; name_used(em, s[0], 0, v); k++)
        v = arena_printf("%s%d", hint, k);
    out(em, "/* recurrence: every statement below runs at step %s before any runs at the %s one */\n", v,
        reverse ? "previous" : "next");
    out(em, "for (int %s = ", v);
    if (reverse) {
        cix(em, s[0]->loops[0].hi, 0);
        fprintf(em->f, " - 1; %s >= 0; %s--) {\n", v, v);
    } else {
        fprintf(em->f, "0; %s < ", v);
        cix(em, s[0]->loops[0].hi, 0);
        fprintf(em->f, "; %s++) {\n", v);
    }
    em->indent++;
    em->step = v;
    for (int k = 0; k < n; k++)
        if (!sel || sel[k])
            emit_group(em, s + k, 1, prefix);
    em->step = NULL;
    em->indent--;
    out(em, "}\n");
}

/* the statements of l selected by sel (NULL: all), fused runs together */
static void emit_list(Em *em, const StmtList *l, const char *sel, const char *prefix)
{
    em->last_site = (SrcLoc){0};
    for (int i = 0; i < l->n;) {
        Stmt *const *s = l->items + i;
        if (!s[0]->sched || s[0]->sched->kind == SCHED_FUSED)
            MGC_INTERNAL("a statement reached the emitter without its schedule");
        int n = s[0]->sched->kind == SCHED_SEED ? 1 : s[0]->sched->group;
        if (s[0]->rec) {
            n = ir_rec_run(l, i);
            emit_rec(em, s, n, sel ? sel + i : NULL, prefix, l == &em->g->bwd);
        } else if (s[0]->sched->kind == SCHED_SEED) {
            name_loops(em, s[0]);
            out(em, "%s[0] = 1.0;\n", s[0]->out->name);
        } else if (!sel || sel[i]) {
            emit_group(em, s, n, prefix);
        }
        i += n;
    }
}

/* ------------------------------------------------------------------ layout */

static void mark_ix(const Ix *x, char *used)
{
    if (!x)
        return;
    if (x->kind == IX_READ)
        used[x->t->id] = 1;
    for (int k = 0; k < (x->kind == IX_PAD ? x->var : x->kind == IX_READ); k++)
        mark_ix(x->idx[k], used);
    mark_ix(x->a, used);
    mark_ix(x->b, used);
}

static void mark_ex(const Ex *e, char *used)
{
    if (e->kind == EX_READ)
        used[e->t->id] = 1;
    for (int k = 0; (e->kind == EX_READ || e->kind == EX_PAD) && k < e->t->rank; k++)
        mark_ix(e->idx[k], used);
    mark_ix(e->ix, used);
    if (e->a)
        mark_ex(e->a, used);
    if (e->b)
        mark_ex(e->b, used);
}

static void mark_list(const StmtList *l, const char *sel, char *used)
{
    for (int i = 0; i < l->n; i++)
        if (!sel || sel[i]) {
            const Stmt *st = l->items[i];
            used[st->out->id] = 1;
            mark_ex(st->e, used);
            for (int k = 0; k < st->out->rank; k++)
                mark_ix(st->oidx[k], used);
            for (int k = 0; k < st->nloop; k++)
                mark_ix(st->loops[k].hi, used);
            mark_ix(st->arg, used);
        }
}

/* does t live in scratch at its plan offset (not a parameter, its gradient or a local)? */
static int in_scratch(const Tensor *t, int writes_grads)
{
    if (t->local || t->size <= 0)
        return 0;
    return t->kind == TK_ACT || (t->kind == TK_GRAD && (t->primal->kind == TK_ACT || !writes_grads));
}

static int by_offset(const void *a, const void *b)
{
    const Tensor *x = *(const Tensor *const *)a, *y = *(const Tensor *const *)b;
    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    return x->id - y->id;
}

/* The lowest ids of the buffers declared before one buffer whose memory
 * overlaps its own: the first three, and n, how many were seen (capped at 4,
 * which prints as "..."). */
typedef struct Near {
    int id[3];
    int n;
} Near;

static void near_add(Near *nr, int id)
{
    int k = nr->n < 3 ? nr->n : 3;
    if (nr->n < 4)
        nr->n++;
    if (k == 3 && id > nr->id[2])
        return;
    if (k == 3)
        k = 2;      /* the largest of the three drops out */
    for (; k > 0 && nr->id[k - 1] > id; k--)
        nr->id[k] = nr->id[k - 1];
    nr->id[k] = id;
}

/* For each used scratch buffer, the names of the used buffers declared before
 * it whose memory overlaps its own (the plan reuses memory: plan.c), at most
 * three then "...".  Sorted by offset, each overlap is found from the buffer
 * that starts lower, without comparing every pair, and kept in a Near of
 * three, so that thousands of buffers sharing one region cost no memory. */
static const char **shared_memory(const Graph *g, const char *used, int writes_grads)
{
    const char **note = arena_alloc((size_t)g->ntensors * sizeof *note);
    const Tensor **b = arena_alloc((size_t)g->ntensors * sizeof *b);
    Near *near = arena_alloc((size_t)g->ntensors * sizeof *near);
    int n = 0;
    for (int i = 0; i < g->ntensors; i++)
        if (used[i] && in_scratch(g->tensors[i], writes_grads))
            b[n++] = g->tensors[i];
    qsort(b, (size_t)n, sizeof *b, by_offset);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n && b[j]->offset < b[i]->offset + b[i]->size; j++) {
            int hi = b[i]->id > b[j]->id;
            near_add(&near[hi ? b[i]->id : b[j]->id], hi ? b[j]->id : b[i]->id);
        }
    for (int t = 0; t < g->ntensors; t++) {
        const Near *nr = &near[t];
        for (int k = 0; k < nr->n && k < 3; k++) {
            const char *name = g->tensors[nr->id[k]]->name;
            note[t] = k ? arena_printf("%s, %s", note[t], name) : name;
        }
        if (nr->n > 3)
            note[t] = arena_printf("%s, ...", note[t]);
    }
    return note;
}

static void declare_tensors(Em *em, const char *used, int writes_grads)
{
    Graph *g = em->g;
    const char **shares = shared_memory(g, used, writes_grads);
    for (int i = 0; i < g->ntensors; i++) {
        const Tensor *t = g->tensors[i];
        if (!used[t->id] || t == g->tokens || t->local)
            continue;
        const char *sp = g->f32 ? "s_" : "scratch";     /* f32: float params and grads live in scratch */
        if (t->kind == TK_INPUT || t->kind == TK_DATA)
            out(em, "const double *%s = inputs[%d]; /* ", t->name, t->field);
        else if (t->kind == TK_PARAM)
            out(em, "const %s *%s = %s + %ld; /* ", em->real, t->name, g->f32 ? "p_" : "params", t->offset);
        else if (t->kind == TK_GRAD && t->primal->kind == TK_PARAM && writes_grads)
            out(em, "%s *%s = %s + %ld; /* ", em->real, t->name, g->f32 ? "g_" : "grads", t->primal->offset);
        else
            out(em, "%s *%s = %s + %ld; /* ", em->real, t->name, sp, t->offset);
        shape_comment(em, t);
        if (shares[t->id])
            fprintf(em->f, "; shares memory with %s", shares[t->id]);
        fputs(" */\n", em->f);
    }
}

/* written[id]: some backward statement writes tensor id */
static char *written_by_backward(const Graph *g)
{
    char *w = arena_alloc((size_t)g->ntensors);
    for (int i = 0; i < g->bwd.n; i++)
        w[g->bwd.items[i]->out->id] = 1;
    return w;
}

static const char *init_name(MgInitKind k)
{
    switch (k) {
    case MG_INIT_GAUSS: return "MG_INIT_GAUSS";
    case MG_INIT_ZEROS: return "MG_INIT_ZEROS";
    case MG_INIT_ONES: return "MG_INIT_ONES";
    case MG_INIT_CONST: return "MG_INIT_CONST";
    case MG_INIT_UNIFORM: return "MG_INIT_UNIFORM";
    }
    return "MG_INIT_ZEROS";
}

static const char *opt_name(MgOptKind k)
{
    switch (k) {
    case MG_OPT_SGD: return "MG_OPT_SGD";
    case MG_OPT_ADAM: return "MG_OPT_ADAM";
    case MG_OPT_ADAMW: return "MG_OPT_ADAMW";
    }
    return "MG_OPT_SGD";
}

static const char *schedule_name(MgSchedule k)
{
    switch (k) {
    case MG_SCHED_CONSTANT: return "MG_SCHED_CONSTANT";
    case MG_SCHED_LINEAR: return "MG_SCHED_LINEAR";
    case MG_SCHED_COSINE: return "MG_SCHED_COSINE";
    case MG_SCHED_STEP: return "MG_SCHED_STEP";
    }
    return "MG_SCHED_LINEAR";
}

/* ", .NAME = x" for each real setting of the optimizer line */
static void emit_reals(FILE *f, const char *const *names, const double *vals, int n)
{
    for (int i = 0; i < n; i++) {
        fprintf(f, "%s.%s = ", i ? ", " : "", names[i]);
        ir_print_num(f, vals[i]);
    }
}

/* The small inline functions the statements call: each element op's name_
 * (ops.def), then pow_.  A libm op's helper calls libm through a volatile
 * pointer: the C compiler may neither rewrite pow(x, -1.0) as 1.0 / x nor
 * evaluate a call on constants at compile time (correctly rounded, where libm
 * can differ in the last bit). */
static const char *const libm_note = "/* libm as the reference calls it, through volatile pointers: otherwise C compilers\n"
                                     " * turn pow(x, -1.0) into 1.0 / x and evaluate calls on constants at compile time,\n"
                                     " * either of which can differ from libm in the last bit. */\n";
static const char *const pow_helper = "static inline double pow_(double x, double k)\n"
                                      "{\n    double (*volatile f)(double, double) = pow;\n    return f(x, k);\n}\n";
/* --dtype=f32: the same in float (no claim to the reference's bits) */
static const char *const libm_note32 = "/* libm's float functions, through volatile pointers as in the double build */\n";
static const char *const pow_helper32 = "static inline float pow_(float x, float k)\n"
                                        "{\n    float (*volatile f)(float, float) = powf;\n    return f(x, k);\n}\n";

/* the derivatives of pow(a, b) with a tensor exponent, as PyTorch's
 * pow_backward_self and pow_backward_exponent (interp.c's Value rule computes
 * the same expressions) */
static void emit_dpow_helpers(FILE *f, const char *used, int f32)
{
    const char *real = f32 ? "float" : "double", *pw = f32 ? "powf" : "pow";
    if (used[EX_DPOWA])
        fprintf(f, "static inline %s dpow_a_(%s a, %s b)\n{\n    %s (*volatile f)(%s, %s) = %s;\n"
                "    return b == 0 ? 0.0%s : b * f(a, b - 1.0%s);\n}\n", real, real, real, real, real, real, pw,
                f32 ? "f" : "", f32 ? "f" : "");
    if (used[EX_DPOWB])
        fprintf(f, "static inline %s dpow_b_(%s a, %s b)\n{\n    %s (*volatile f)(%s, %s) = %s;\n"
                "    %s (*volatile g)(%s) = %s;\n    return b >= 0 && a == 0 ? 0.0%s : f(a, b) * g(a);\n}\n",
                real, real, real, real, real, real, pw, real, real, f32 ? "logf" : "log", f32 ? "f" : "");
}

static void emit_op_helper(FILE *f, const OpInfo *o, int f32)
{
    const char *real = f32 ? "float" : "double";
    if (o->libm)
        fprintf(f, "static inline %s %s_(%s x) { %s (*volatile f)(%s) = %s; return %s; }\n", real, o->name, real,
                real, real, f32 ? o->cf : o->c, o->body ? f32 ? o->bodyf : o->body : "f(x)");
    else
        fprintf(f, "static inline %s %s_(%s x) { return %s; }\n", real, o->name, real, f32 ? o->bodyf : o->body);
}

/* mg_exactexp.h, for the exact build's rows of exp (exp_row): an #include,
 * or its text in standalone C, which needs only the C library */
static void emit_exactexp(FILE *f, const char *used, int standalone)
{
    if (used[USED_EXACT_EXP] && !standalone)
        fputs("#include \"mg_exactexp.h\"   /* exp over a row with libm's bits */\n\n", f);
    for (const char *l = mgc_exactexp, *e; used[USED_EXACT_EXP] && standalone && *l; l = *e ? e + 1 : e) {
        e = strchr(l, '\n');
        e = e ? e : l + strlen(l);
        if (strncmp(l, "#include", 8))
            fprintf(f, "%.*s\n", (int)(e - l), l);
    }
}

/* the helpers whose kind is marked in used (no unused helper is printed):
 * mg_exactpow.h's (its text when standalone, else an #include), the ops that
 * are not libm's, then the libm ones and pow_ */
static void emit_helpers(FILE *f, const char *used, int f32, int standalone)
{
    int libm = used[EX_POW] || used[EX_DPOWA] || used[EX_DPOWB];
    if (used[USED_EXACT_POW] && !standalone)
        fputs("#include \"mg_exactpow.h\"   /* x ** 2, 0.5, -1, -2, -0.5, -1.5 with libm's bits */\n\n", f);
    for (const char *l = mgc_exactpow, *e; used[USED_EXACT_POW] && standalone && *l; l = *e ? e + 1 : e) {
        e = strchr(l, '\n');
        e = e ? e : l + strlen(l);
        if (strncmp(l, "#include", 8))    /* the C has math.h and string.h already */
            fprintf(f, "%.*s\n", (int)(e - l), l);
    }
    emit_exactexp(f, used, standalone);
    for (int i = 0; i < op_count(); i++) {
        const OpInfo *o = op_at(i);
        if (!o->libm && used[o->kind])
            emit_op_helper(f, o, f32);
        libm |= o->libm && used[o->kind];
    }
    if (libm)
        fputs(f32 ? libm_note32 : libm_note, f);
    for (int i = 0; i < op_count(); i++)
        if (op_at(i)->libm && used[op_at(i)->kind])
            emit_op_helper(f, op_at(i), f32);
    if (used[EX_POW])
        fputs(f32 ? pow_helper32 : pow_helper, f);
    if (used[EX_DPOWA] || used[EX_DPOWB])
        emit_dpow_helpers(f, used, f32);
    fputc('\n', f);
}

/* --dtype=f32: scratch holds floats: the activations at the plan's offsets,
 * then a float copy of the parameters (P), then the float gradients (G);
 * forward converts the logits to doubles past them (D, in doubles). */
typedef struct F32Layout {
    long P, G, D, total;    /* total: doubles of scratch */
} F32Layout;

static F32Layout f32_layout(const Graph *g)
{
    F32Layout l;
    l.P = (g->scratch + 15) / 16 * 16;
    l.G = (l.P + g->nscalars + 15) / 16 * 16;
    l.D = ((l.G + g->nscalars + 1) / 2 + 7) / 8 * 8;
    l.total = l.D + (g->tokens ? g->Tmax * g->vocab : g->logits ? g->logits->size : 0);
    return l;
}

/* f32: the float views of scratch, and the parameters converted (grads 2:
 * only scratch's, for <model>_loss_grad_f32) */
static void f32_prologue(Em *em, int grads)
{
    F32Layout l = f32_layout(em->g);
    if (grads == 2) {     /* <model>_loss_grad_f32: the caller gives p_ and g_ */
        out(em, "float *s_ = (float *)scratch;\n");
        return;
    }
    out(em, "float *s_ = (float *)scratch, *p_ = s_ + %ld;\n", l.P);
    if (grads)
        out(em, "float *g_ = s_ + %ld;\n", l.G);
    out(em, "for (long i = 0; i < %ld; i++)\n", em->g->nscalars);
    out(em, "    p_[i] = (float)params[i];\n");
}

/* which helpers e calls (a row that is one libm call: only without --fast) */
static void mark_helpers(const Ex *e, const Graph *g, char *used)
{
    const OpInfo *o = op_info(e->kind);
    int fast = g->fast;
    if (e->kind == EX_POW && exact_pow(g, e->c))
        used[USED_EXACT_POW] = 1;
    else if (o ? op_calls_helper(o, fast) : (e->kind == EX_POW || e->kind == EX_POWX) && !fast)
        used[e->kind == EX_POWX ? EX_POW : e->kind] = 1;
    if (e->kind == EX_DPOWA || e->kind == EX_DPOWB)
        used[e->kind] = 1;
    if (e->a)
        mark_helpers(e->a, g, used);
    if (e->b)
        mark_helpers(e->b, g, used);
}

/* which helpers statement s calls: a row of exp (exp_row) calls mg_exp_row,
 * not exp_ */
static void mark_stmt_helpers(const Stmt *s, const Graph *g, char *used)
{
    if (!exp_row(g, s)) {
        mark_helpers(s->e, g, used);
        return;
    }
    used[USED_EXACT_EXP] = 1;
    mark_helpers(s->e->a, g, used);
}

/* The emitted functions' input: a text model's tokens, or one example's
 * values for each input of a model of examples (mg_model.h). */
static const char *in_decl(const Graph *g) { return g->tokens ? "const int *tokens" : "const double *const *inputs"; }
static const char *in_arg(const Graph *g) { return g->tokens ? "tokens" : "inputs"; }

/* <model>_forward_pass: the statements the logits need (sel), which the
 * memory plan put first (plan.c), so both <model>_forward and the start of
 * <model>_loss_grad are this one function */
static void emit_forward_pass(Em *em, const char *sel, char *used)
{
    FILE *f = em->f;
    Graph *g = em->g;
    const char *m = g->model;
    mark_list(&g->fwd, sel, used);
    const char *x = g->tokens ? "" : "_x";
    if (g->tokens)
        fprintf(f, "/* The forward statements the logits need, for tokens[0..T-1]: %s_forward and\n", m);
    else
        fprintf(f, "/* The forward statements the logits need, for one example: %s_forward_x and\n", m);
    fprintf(f, " * %s_loss_grad%s both start here. */\n", m, x);
    if (g->f32)
        fprintf(f, "static void %s_forward_pass(const float *p_, %s, int T, float *s_)\n{\n", m, in_decl(g));
    else
        fprintf(f, "static void %s_forward_pass(const double *params, %s, int T, double *scratch)\n{\n", m,
                in_decl(g));
    em->indent = 1;
    out(em, "(void)%s, (void)%s%s; /* a model may not need them all */\n", g->f32 ? "p_" : "params", in_arg(g),
        g->tokens ? "" : ", (void)T");
    declare_tensors(em, used, 0);
    emit_list(em, &g->fwd, sel, "");
    em->indent = 0;
    fputs("}\n\n", f);
}

/* the call of <model>_forward_pass in <model>_forward and _loss_grad */
static void call_forward_pass(Em *em)
{
    if (em->g->f32)
        out(em, "%s_forward_pass(p_, %s, T, s_);\n", em->g->model, in_arg(em->g));
    else
        out(em, "%s_forward_pass(params, %s, T, scratch);\n", em->g->model, in_arg(em->g));
}

/* <model>_forward_pass and <model>_forward, which returns the logits */
static void emit_forward(Em *em, const char *sel, char *used)
{
    FILE *f = em->f;
    Graph *g = em->g;
    const char *m = g->model;
    emit_forward_pass(em, sel, used);
    if (g->tokens) {
        fprintf(f, "/* Logits for tokens[0..T-1]: T rows of %d. */\n", g->vocab);
        fprintf(f, "static const double *%s_forward(void *ctx, const double *params, const int *tokens, int T,\n", m);
        fprintf(f, "%*sdouble *scratch)\n{\n", (int)strlen(m) + 30, "");
    } else {
        fprintf(f, "/* The logits of one example: %ld doubles. */\n", g->logits->size);
        fprintf(f, "static const double *%s_forward_x(void *ctx, const double *params, const double *const *inputs,\n",
                m);
        fprintf(f, "%*sint T, double *scratch)\n{\n", (int)strlen(m) + 32, "");
    }
    em->indent = 1;
    out(em, "(void)ctx;\n");
    if (g->f32)
        f32_prologue(em, 0);
    memset(used, 0, (size_t)g->ntensors);
    used[g->logits->id] = 1;
    declare_tensors(em, used, 0);
    out(em, "\n");
    call_forward_pass(em);
    if (g->f32) {
        out(em, "\n");
        out(em, "double *logits_ = scratch + %ld;\n", f32_layout(g).D);
        if (g->tokens)
            out(em, "for (long i = 0; i < (long)T * %d; i++)\n", g->vocab);
        else
            out(em, "for (long i = 0; i < %ld; i++)\n", g->logits->size);
        out(em, "    logits_[i] = %s[i];\n", g->logits->name);
        out(em, "return logits_;\n");
    } else {
        out(em, "return %s;\n", g->logits->name);
    }
    em->indent = 0;
    fputs("}\n\n", f);
}

/* A model of examples: its inputs, as the runtime describes them (MgField);
 * .loss_only = 1 (written only then) for an input <model>_forward_x does not read */
static void emit_fields(FILE *f, const Graph *g)
{
    char *used = arena_alloc((size_t)g->ntensors + 1);
    emit_c_forward_reads(g, used);
    fprintf(f, "static const MgField %s_inputs[%d] = {\n", g->model, g->ninputs);
    for (int i = 0; i < g->ninputs; i++) {
        const IrInput *x = &g->inputs[i];
        long size = 1;
        fputs("    {.name = \"", f);
        emit_c_string(f, x->name);
        fprintf(f, "\", .is_int = %d, .range = %ld, .rank = %d, .shape = {", x->is_int, x->range, x->rank);
        for (int k = 0; k < x->rank; k++) {
            fprintf(f, "%s%ld", k ? ", " : "", x->maxext[k]);
            size *= x->maxext[k];
        }
        long c;
        int runtime = x->rank > 0 && !ix_is_const(x->ext[0], &c);
        fprintf(f, "%s}, .size = %ld%s%s},\n", x->rank ? "" : "0", size, runtime ? ", .runtime_len = 1" : "",
                used[x->t->id] ? "" : ", .loss_only = 1");
    }
    fputs("};\n\n", f);
}

/* ------------------------------------------------ --fast and --dtype=f32 */

/* --fast and --dtype=f32 make no claim to the reference's bits, so the C
 * compiler may reassociate sums and products and contract them into FMAs:
 * loss_grad takes about 30% less time.  Pragmas rather than flags, so that
 * the generated file is fast however it is compiled.  Never
 * -ffinite-math-only (nor -ffast-math, which implies it): the trainer's
 * checks for NaN and infinity must survive. */
static const char *const fast_fp_pragmas =
    "/* --fast / --dtype=f32: sums and products may be reassociated and fused\n"
    " * (never -ffinite-math-only: NaN and infinity checks stay) */\n"
    "#if defined(__clang__)\n"
    "#pragma clang fp reassociate(on)\n"
    "#pragma clang fp contract(fast)\n"
    "#elif defined(__GNUC__)\n"
    "#pragma GCC optimize(\"associative-math\", \"no-signed-zeros\", \"no-trapping-math\", \"reciprocal-math\", \\\n"
    "                     \"fp-contract=fast\")\n"
    "#endif\n\n";

/* --fast --dtype=f32: e^x without libm, so that softmax's loops vectorise.
 * Relative error at most 2.5e-7 (2 float ulps) for x in [-87, 88.3]
 * (tests/diff/test_fast.c checks it against exp); NaN gives NaN, +inf and x
 * above 88.7 give inf, -inf and x below -104 give 0.  The reduction runs in
 * double because reassociation may merge a two-constant Cody-Waite step. */
static const char *const fexp_helper =
    "/* e^x = 2^n e^r, n = rint(x / ln 2), e^r by its degree-7 Taylor polynomial:\n"
    " * within 2.5e-7 relative of exp(x), and loops over it vectorise */\n"
    "static inline float fexp_(float x)\n"
    "{\n"
    "    float c = x > -104.0f ? (x < 89.0f ? x : 89.0f) : -104.0f;   /* NaN: -104, then x below */\n"
    "    float n = rintf(c * 1.44269504f);\n"
    "    float r = (float)((double)c - (double)n * 0.69314718055994531);\n"
    "    float p = 1.0f + r * (1.0f + r * (0.5f + r * (1.66666667e-1f + r * (4.16666667e-2f + r * (8.33333333e-3f\n"
    "              + r * (1.38888889e-3f + r * 1.98412698e-4f))))));\n"
    "    int k = (int)n, h = k / 2;     /* 2^n as 2^h 2^(n-h): no overflow of the exponent field */\n"
    "    unsigned u1 = (unsigned)(h + 127) << 23, u2 = (unsigned)(k - h + 127) << 23;\n"
    "    float s1, s2;\n"
    "    memcpy(&s1, &u1, sizeof s1);\n"
    "    memcpy(&s2, &u2, sizeof s2);\n"
    "    return x == x ? p * s1 * s2 : x;\n"
    "}\n\n";

static int uses_kind(const Ex *e, ExKind kind)
{
    return e && (e->kind == kind || uses_kind(e->a, kind) || uses_kind(e->b, kind));
}

/* the pragmas, and fexp_ when some statement takes exp in float */
static void emit_fast_fp(FILE *f, const Graph *g)
{
    fputs(fast_fp_pragmas, f);
    int exp = 0;
    for (int i = 0; i < g->fwd.n; i++)
        exp |= uses_kind(g->fwd.items[i]->e, EX_EXP);
    for (int i = 0; i < g->bwd.n; i++)
        exp |= uses_kind(g->bwd.items[i]->e, EX_EXP);
    if (g->fast && g->f32 && exp)
        fputs(fexp_helper, f);
}

/* --dtype=f32, a model of tokens: <model>_loss_grad_f32 takes float
 * parameters and gradients (MgModel.loss_grad_f32), so a trainer that keeps
 * a float copy of the parameters converts nothing per document */
static void emit_native_head(Em *em)
{
    const char *m = em->g->model;
    fputs("/* Loss of one document (tokens[0..T]) and d(loss)/d(param) into grads, all in float:\n"
          " * params and grads hold n_scalars floats each, outside scratch. */\n", em->f);
    fprintf(em->f, "static double %s_loss_grad_f32(void *ctx, const float *p_, float *g_, const int *tokens,\n", m);
    fprintf(em->f, "%*sint T, double *scratch)\n{\n", (int)strlen(m) + 29, "");
}

/* <model>_loss_grad for --dtype=f32: the parameters converted to float in
 * scratch, <model>_loss_grad_f32, the gradients converted back */
static void emit_native_wrapper(Em *em)
{
    const char *m = em->g->model;
    F32Layout l = f32_layout(em->g);
    fputs("/* Loss of one document (tokens[0..T]) and d(loss)/d(param) into grads. */\n", em->f);
    fprintf(em->f, "static double %s_loss_grad(void *ctx, const double *params, double *grads, const int *tokens,\n", m);
    fprintf(em->f, "%*sint T, double *scratch)\n{\n", (int)strlen(m) + 25, "");
    em->indent = 1;
    out(em, "float *p_ = (float *)scratch + %ld, *g_ = (float *)scratch + %ld;\n", l.P, l.G);
    out(em, "for (long i = 0; i < %ld; i++)\n", em->g->nscalars);
    out(em, "    p_[i] = (float)params[i];\n");
    out(em, "double loss = %s_loss_grad_f32(ctx, p_, g_, tokens, T, scratch);\n", m);
    out(em, "for (long i = 0; i < %ld; i++)\n", em->g->nscalars);
    out(em, "    grads[i] = g_[i];\n");
    out(em, "return loss;\n");
    em->indent = 0;
    fputs("}\n\n", em->f);
}

#include "emit_batch.c"     /* <model>_loss_grad_batch_f32 (--dtype=f32) */

void emit_c(FILE *f, Graph *g)
{
    Em em0 = {.f = f, .g = g, .real = g->f32 ? "float" : "double"};
    Em *em = &em0;
    em->vname = arena_alloc((size_t)(g->nvars + 1) * sizeof *em->vname);
    const char *m = g->model;
    const char *src = base_name(g->source);

    em->scratch = g->f32 ? f32_layout(g).total : g->scratch;   /* offsets come from the memory plan (plan.c) */

    int nt = g->ntensors, ns = g->fwd.n > 0 ? g->fwd.n : 1;
    char *need_logits_t = arena_alloc((size_t)nt), *need_logits_s = arena_alloc((size_t)ns);
    char *need_loss_t = arena_alloc((size_t)nt), *need_loss_s = arena_alloc((size_t)ns);
    ir_depends(g, g->logits, need_logits_t, need_logits_s);
    ir_depends_grad(g, need_loss_t, need_loss_s);

    fputs("/* Generated by mgc from ", f);
    emit_c_comment(f, src);
    fputs(". Do not edit: change ", f);
    emit_c_comment(f, src);
    fputs(" and run mgc again.\n", f);
    fprintf(f, " *\n * Model '%s': %d parameter tensors, %ld scalars; T <= %ld; vocab %d.\n", m, g->nparams,
            g->nscalars, g->Tmax, g->vocab);
    if (g->tokens)
        fprintf(f, " * %s_forward computes the logits, %s_loss_grad the loss of one document and\n", m, m);
    else
        fprintf(f, " * %s_forward_x computes the logits, %s_loss_grad_x the loss of one example and\n", m, m);
    fprintf(f, " * the gradient of every parameter.  Every array is row-major; the comment after\n");
    fprintf(f, " * each pointer gives its shape.  Scratch: %ld doubles.%s%s */\n", em->scratch,
            g->fast ? "\n *\n * Built with --fast: sums are split and powers simplified, so the numbers differ\n"
                      " * from the reference's in the last bits" : "",
            g->f32 ? "\n *\n * Built with --dtype=f32: computed in float, accumulations too; the parameters\n"
                     " * are converted from double on entry and the gradients to double on exit" : "");
    fputs("#include <math.h>\n#include <string.h>\n\n#include \"mg_model.h\"\n\n", f);
    if (g->fast || g->f32)
        emit_fast_fp(f, g);
    char kinds[USED_EXACT_EXP + 1] = {0};     /* only the helpers some statement calls */
    for (int i = 0; i < g->fwd.n; i++)
        if (need_logits_s[i] || need_loss_s[i])
            mark_stmt_helpers(g->fwd.items[i], g, kinds);
    for (int i = 0; i < g->bwd.n; i++)
        mark_stmt_helpers(g->bwd.items[i], g, kinds);
    emit_helpers(f, kinds, g->f32, 0);

    /* the parameter table, in designated initializers: a new MgParam field
     * changes no line of it */
    fprintf(f, "static const MgParam %s_params[%d] = {\n", m, g->nparams);
    for (int i = 0; i < g->nparams; i++) {
        const Tensor *p = g->params[i];
        fputs("    {.name = \"", f);
        emit_c_string(f, p->display);
        fprintf(f, "\", .rank = %d, .shape = {", p->rank);    /* rank 1 to 4 (trace.c) */
        for (int k = 0; k < p->rank; k++)
            fprintf(f, "%s%ld", k ? ", " : "", p->maxext[k]);
        fprintf(f, "}, .offset = %ld, .size = %ld,\n     .init = %s, .init_a = ", p->offset, p->size, init_name(p->init));
        ir_print_num(f, p->init_a);
        fputs(", .init_b = ", f);
        ir_print_num(f, p->init_b);
        fputs("},\n", f);
    }
    fputs("};\n\n", f);

    if (!g->tokens)
        emit_fields(f, g);

    /* forward: logits only */
    char *used = arena_alloc((size_t)nt);
    if (g->logits)
        emit_forward(em, need_logits_s, used);

    /* loss and gradient: the forward pass, the statements only the loss needs, the backward */
    for (int i = 0; i < g->fwd.n; i++)
        need_loss_s[i] &= !need_logits_s[i];
    memset(used, 0, (size_t)nt);
    mark_list(&g->fwd, need_loss_s, used);
    mark_list(&g->bwd, NULL, used);
    if (g->tokens && g->f32) {
        emit_native_head(em);
    } else if (g->tokens) {
        fputs("/* Loss of one document (tokens[0..T]) and d(loss)/d(param) into grads. */\n", f);
        fprintf(f, "static double %s_loss_grad(void *ctx, const double *params, double *grads, const int *tokens,\n",
                m);
        fprintf(f, "%*sint T, double *scratch)\n{\n", (int)strlen(m) + 25, "");
    } else {
        fputs("/* Loss of one example (inputs[f]: the values of input f) and d(loss)/d(param) into grads. */\n", f);
        fprintf(f, "static double %s_loss_grad_x(void *ctx, const double *params, double *grads,\n", m);
        fprintf(f, "%*sconst double *const *inputs, int T, double *scratch)\n{\n", (int)strlen(m) + 27, "");
    }
    em->indent = 1;
    out(em, "(void)ctx;\n");
    if (g->f32)
        f32_prologue(em, g->tokens ? 2 : 1);
    declare_tensors(em, used, 1);
    out(em, "\n");
    if (g->logits) {
        call_forward_pass(em);
        out(em, "\n");
    } else {
        out(em, "(void)T, (void)inputs; /* a model may not need them all */\n");
    }
    out(em, "/* the loss */\n");
    emit_list(em, &g->fwd, need_loss_s, "");
    out(em, "\n");
    out(em, "/* backward: each gradient's first statement assigns it or follows a clear, the rest add */\n");
    const char *written = written_by_backward(g);
    for (int i = 0; i < g->nparams; i++) {
        const Tensor *p = g->params[i];
        if (!p->grad || !written[p->grad->id]) {
            out(em, "memset(%s + %ld, 0, %ld * sizeof *%s); /* ", g->f32 ? "g_" : "grads", p->offset, p->size,
                g->f32 ? "g_" : "grads");
            emit_c_comment(f, p->display);
            fputs(": no gradient */\n", f);
        }
    }
    emit_list(em, &g->bwd, NULL, "backward of ");
    if (g->f32 && !g->tokens) {
        out(em, "\n");
        out(em, "for (long i = 0; i < %ld; i++)\n", g->nscalars);
        out(em, "    grads[i] = g_[i];\n");
    }
    out(em, "return %s[0];\n", g->loss->name);
    em->indent = 0;
    fputs("}\n\n", f);
    if (g->tokens && g->f32)
        emit_native_wrapper(em);
    int batch = batch_emittable(g);
    if (batch)
        emit_batch(em);

    /* the descriptor */
    fprintf(f, "const MgModel %s_model = {\n", m);
    fputs("    .name = \"", f);
    emit_c_string(f, m);
    fputs("\",\n    .source = \"", f);
    emit_c_string(f, src);
    fputs("\",\n", f);
    fprintf(f, "    .vocab = %d,\n    .block_size = %ld,\n", g->vocab, g->Tmax);
    fprintf(f, "    .n_params = %d,\n    .params = %s_params,\n", g->nparams, m);
    fprintf(f, "    .n_scalars = %ld,\n    .scratch = %ld,\n", g->nscalars, em->scratch);
    const MgOptim *o = &g->optim;
    static const char *const first[] = {"lr", "beta1", "beta2", "eps"};
    static const char *const rest[] = {"gamma", "min_lr", "momentum", "weight_decay", "clip"};
    fprintf(f, "    .optim = {.kind = %s, ", opt_name(o->kind));
    emit_reals(f, first, (const double[]){o->lr, o->beta1, o->beta2, o->eps}, 4);
    /* --fast and f32 also let Adam take g * g and sqrt for ** (MgOptim.fast) */
    fprintf(f, ",\n              .steps = %d, .schedule = %s, .fast = %d, .warmup = %d, .step_size = %d,\n"
               "              .nesterov = %d, ",
            o->steps, schedule_name(o->schedule), g->fast || g->f32, o->warmup, o->step_size, o->nesterov);
    emit_reals(f, rest, (const double[]){o->gamma, o->min_lr, o->momentum, o->weight_decay, o->clip}, 5);
    fputs("},\n", f);
    if (g->tokens) {
        fprintf(f, "    .ctx = 0,\n    .loss_grad = %s_loss_grad,\n    .forward = %s_forward,\n", m, m);
        if (g->f32)
            fprintf(f, "    .loss_grad_f32 = %s_loss_grad_f32,\n", m);
        if (batch)
            fprintf(f, "    .loss_grad_batch_f32 = %s_loss_grad_batch_f32,\n    .batch_scratch = %ld,\n", m,
                    batch_scratch(g));
        fputs("};\n", f);
        return;
    }
    fprintf(f, "    .ctx = 0,\n    .n_inputs = %d,\n    .inputs = %s_inputs,\n    .n_out = %ld,\n", g->ninputs, m,
            g->logits ? g->logits->size : 0L);
    fprintf(f, "    .loss_grad_x = %s_loss_grad_x,\n", m);
    if (g->logits)
        fprintf(f, "    .forward_x = %s_forward_x,\n", m);
    if (ir_runtime_row(g->logits))
        fprintf(f, "    .out_row = %ld,\n", ir_runtime_row(g->logits));
    fputs("};\n", f);
}

/* The helpers and <model>_forward alone, with the same text as in emit_c's
 * output (so the same arithmetic): no includes and nothing from mg_model.h.
 * The caller (emit_standalone.c) writes the includes around it. */
void emit_c_forward(FILE *f, Graph *g)
{
    Em em0 = {.f = f, .g = g, .real = g->f32 ? "float" : "double"};
    Em *em = &em0;
    em->vname = arena_alloc((size_t)(g->nvars + 1) * sizeof *em->vname);
    em->scratch = g->scratch;
    int nt = g->ntensors, ns = g->fwd.n > 0 ? g->fwd.n : 1;
    char *need_t = arena_alloc((size_t)nt), *need_s = arena_alloc((size_t)ns);
    ir_depends(g, g->logits, need_t, need_s);
    char kinds[USED_EXACT_EXP + 1] = {0};
    for (int i = 0; i < g->fwd.n; i++)
        if (need_s[i])
            mark_stmt_helpers(g->fwd.items[i], g, kinds);
    emit_helpers(f, kinds, g->f32, 1);
    emit_forward(em, need_s, arena_alloc((size_t)nt));
}

void emit_c_forward_reads(const Graph *g, char *used)
{
    int ns = g->fwd.n > 0 ? g->fwd.n : 1;
    char *need_t = arena_alloc((size_t)g->ntensors + 1), *need_s = arena_alloc((size_t)ns);
    ir_depends(g, g->logits, need_t, need_s);
    if (g->logits)
        mark_list(&g->fwd, need_s, used);
}
