/* ops.c: the element op table (see ops.h), one row per line of ops.def. */
#include "ops.h"

#include <math.h>
#include <string.h>

static double op_relu(double x) { return x > 0 ? x : 0.0; }
static double op_step(double x) { return x > 0 ? 1.0 : 0.0; }
static double op_sign(double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0; }
static double op_sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }   /* as its helper's body */

static const OpInfo table[] = {
#define OP_ROW_(K, mg, arity, name, c, cf, libm, flops, eval, grad, body, bodyf) \
    {EX_##K, mg, arity, name, c, cf, libm, flops, eval, grad, body, bodyf},
    MG_OPS(OP_ROW_)
#undef OP_ROW_
};

enum { NOPS = sizeof table / sizeof table[0] };

int op_count(void) { return NOPS; }

const OpInfo *op_at(int i) { return &table[i]; }

const OpInfo *op_info(ExKind k)
{
    int i = (int)k - (int)table[0].kind;
    return i >= 0 && i < NOPS ? &table[i] : NULL;
}

int op_calls_helper(const OpInfo *o, int fast) { return !o->libm || !fast || o->body; }

const OpInfo *op_builtin(const char *name)
{
    for (int i = 0; i < NOPS; i++)
        if (table[i].mg && !strcmp(table[i].mg, name))
            return &table[i];
    return NULL;
}

double op_dpow_a(double a, double b) { return b == 0 ? 0.0 : b * pow(a, b - 1.0); }

double op_dpow_b(double a, double b) { return b >= 0 && a == 0 ? 0.0 : pow(a, b) * log(a); }
