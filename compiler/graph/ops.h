/* ops.h: the table of builtin element ops, made from ops.def's rows.  Every
 * stage that needs a fact about such an op (its .mg name, its C spelling,
 * whether it calls libm, its FLOPs, its value on a constant, its dump and DOT
 * name) reads it here; only its derivative (autodiff.c) and its Value rule
 * (interp.c) are written where the math is. */
#ifndef MGC_OPS_H
#define MGC_OPS_H

#include "ir.h"

typedef struct OpInfo {
    ExKind kind;
    const char *mg;         /* name in .mg; NULL: an op only mgc makes */
    int arity;
    const char *name;       /* dump and DOT name; the helper is name_ */
    const char *c, *cf;     /* the C function in double / float: libm's, or name_ */
    int libm;               /* c and cf are libm's: exact builds call name_ instead */
    int flops;
    double (*eval)(double);
    int grad;               /* a gradient passes through it */
    const char *body, *bodyf;   /* the helper's return expression (a libm row's: of x and f) */
} OpInfo;

/* 2 / sqrt(pi) (glibc's M_2_SQRTPI, which C11 does not define): erf's
 * derivative is OP_2_SQRTPI * exp(-a^2), in autodiff.c and interp.c */
#define OP_2_SQRTPI 1.12837916709551257390

/* The local derivatives of pow(a, b) with a tensor exponent, as PyTorch's
 * pow_backward_self and pow_backward_exponent: 0 where b == 0, and where
 * b >= 0 && a == 0 (else 0 * inf would give NaN).  The interpreter's Value
 * rule; emit_c prints the same expressions as the helpers dpow_a_, dpow_b_. */
double op_dpow_a(double a, double b);
double op_dpow_b(double a, double b);

/* case labels for every row: switch (e->kind) { MG_OPS(OP_CASE) ... } */
#define OP_CASE(K, ...) case EX_##K:

/* the row of kind k, or NULL when k is not an element op (EX_ADD, ...) */
const OpInfo *op_info(ExKind k);
/* the row of the builtin called `name` in .mg, or NULL */
const OpInfo *op_builtin(const char *name);
/* Is o called through its helper name_ (in a --fast build when fast)?
 * Yes, except a row that is one libm call in a --fast build: c or cf then. */
int op_calls_helper(const OpInfo *o, int fast);
/* rows in ops.def's order: op_at(0) .. op_at(op_count() - 1) */
int op_count(void);
const OpInfo *op_at(int i);

#endif
