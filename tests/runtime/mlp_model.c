/* mlp_model.c: the tutorial's Step-2 MLP written by hand (REFERENCE.md), to run
 * the runtime end to end against the published losses.  Takes params and
 * tokens; hands on loss, gradients and logits.  Allocates nothing. */
#include "mg_model.h"

#include <math.h>
#include <string.h>

enum { V = 27, E = 16, H = 64, BLOCK = 16 };
enum { WTE = 0, FC1 = WTE + V * E, FC2 = FC1 + H * E, NPARAM = FC2 + V * H };
enum { S_LOGITS = 0, S_A = BLOCK * V, S_H = S_A + H, S_P = S_H + H, S_DH = S_P + V, NSCRATCH = S_DH + H };

static const MgParam mlp_params[] = {
    {"wte", 2, {V, E, 0, 0}, WTE, V * E, MG_INIT_GAUSS, 0.0, 0.08},
    {"mlp_fc1", 2, {H, E, 0, 0}, FC1, H * E, MG_INIT_GAUSS, 0.0, 0.08},
    {"mlp_fc2", 2, {V, H, 0, 0}, FC2, V * H, MG_INIT_GAUSS, 0.0, 0.08},
};

/* a = fc1 @ wte[tok], h = relu(a), logits = fc2 @ h */
static void position(const double *p, int tok, double *a, double *h, double *logits) {
    const double *x = p + WTE + tok * E;
    for (int j = 0; j < H; j++) {
        double s = 0.0;
        for (int i = 0; i < E; i++) s += p[FC1 + j * E + i] * x[i];
        a[j] = s;
        h[j] = s > 0 ? s : 0.0;
    }
    for (int o = 0; o < V; o++) {
        double s = 0.0;
        for (int j = 0; j < H; j++) s += p[FC2 + o * H + j] * h[j];
        logits[o] = s;
    }
}

static const double *mlp_forward(void *ctx, const double *p, const int *tokens, int T, double *s) {
    (void)ctx;
    for (int t = 0; t < T; t++) position(p, tokens[t], s + S_A, s + S_H, s + S_LOGITS + t * V);
    return s + S_LOGITS;
}

static double mlp_loss_grad(void *ctx, const double *p, double *g, const int *tokens, int T, double *s) {
    (void)ctx;
    double *a = s + S_A, *h = s + S_H, *l = s + S_LOGITS, *pr = s + S_P, *dh = s + S_DH, loss = 0.0;
    memset(g, 0, NPARAM * sizeof *g);
    for (int t = 0; t < T; t++) {
        int tok = tokens[t], y = tokens[t + 1];
        position(p, tok, a, h, l);
        double max = l[0], total = 0.0;
        for (int o = 1; o < V; o++)
            if (l[o] > max) max = l[o];
        for (int o = 0; o < V; o++) total += pr[o] = exp(l[o] - max);
        for (int o = 0; o < V; o++) pr[o] /= total;
        loss += -log(pr[y]);
        memset(dh, 0, H * sizeof *dh);
        for (int o = 0; o < V; o++) {
            double d = (pr[o] - (o == y)) / T;
            for (int j = 0; j < H; j++) {
                g[FC2 + o * H + j] += d * h[j];
                dh[j] += d * p[FC2 + o * H + j];
            }
        }
        for (int j = 0; j < H; j++) {
            if (a[j] <= 0) continue;
            for (int i = 0; i < E; i++) {
                g[FC1 + j * E + i] += dh[j] * p[WTE + tok * E + i];
                g[WTE + tok * E + i] += dh[j] * p[FC1 + j * E + i];
            }
        }
    }
    return loss / T;
}

const MgModel ref_mlp_model = {
    .name = "mlp",
    .source = "tests/runtime/mlp_model.c",
    .vocab = V,
    .block_size = BLOCK,
    .n_params = 3,
    .params = mlp_params,
    .n_scalars = NPARAM,
    .scratch = NSCRATCH,
    .optim = {.kind = MG_OPT_SGD, .lr = 1.0, .beta1 = 0.0, .beta2 = 0.0, .eps = 0.0, .steps = 1000, .schedule = MG_SCHED_LINEAR, .fast = 0},
    .loss_grad = mlp_loss_grad,
    .forward = mlp_forward,
};
