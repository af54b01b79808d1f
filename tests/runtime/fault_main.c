/* fault_main.c: a trainer whose model has faults planted by the data, to test
 * how training stops.  The model is the toy bigram model (same parameters and
 * loss) trained with SGD, lr 2, linear decay, except that a document holding
 * "qq" has a NaN loss; "zz" an infinite gradient at bigram[25, 3] (and a NaN one
 * at bias[1], later in parameter order); "ww" a finite gradient of DBL_MAX at
 * bias[7], which an SGD step with lr_t > 1 turns into a -inf parameter. */
#include "mg_cli.h"
#include "toy_model.h"

#include <float.h>
#include <math.h>

enum { Q = 16, W = 22, Z = 25 };

static int has_pair(const int *tokens, int T, int id) {
    for (int t = 0; t < T; t++)
        if (tokens[t] == id && tokens[t + 1] == id) return 1;
    return 0;
}

static double fault_loss_grad(void *ctx, const double *params, double *grads, const int *tokens, int T,
                              double *scratch) {
    double loss = toy_model.loss_grad(ctx, params, grads, tokens, T, scratch);
    if (has_pair(tokens, T, Q)) loss = NAN;
    if (has_pair(tokens, T, Z)) {
        grads[Z * TOY_VOCAB + 3] = INFINITY;
        grads[TOY_VOCAB * TOY_VOCAB + 1] = NAN;
    }
    if (has_pair(tokens, T, W)) grads[TOY_VOCAB * TOY_VOCAB + 7] = DBL_MAX;
    return loss;
}

int main(int argc, char **argv) {
    MgModel m = toy_model;
    m.name = "fault";
    m.source = "tests/runtime/fault_main.c";
    m.optim = (MgOptim){.kind = MG_OPT_SGD, .lr = 2.0, .beta1 = 0, .beta2 = 0, .eps = 0, .steps = 1000, .schedule = MG_SCHED_LINEAR, .fast = 0};
    m.loss_grad = fault_loss_grad;
    return mg_cli_main(&m, "fault", argc, argv);
}
