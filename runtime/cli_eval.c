/* cli_eval.c: evaluation of a model of examples: the eval and predict
 * commands, and the validation set that training evaluates as it goes.
 * Takes a Run with its parameters and examples (predict's: perhaps only the
 * inputs the logits read); hands on a mean loss (and a classifier's
 * accuracy), a CSV of the model's outputs, the validation set.
 * Invariants: a set's loss is summed example by example in file order, on
 * one thread, so neither --batch nor --threads changes it; a classifier is
 * a model whose n_out logits are the classes of its one integer scalar input,
 * or whose one logit is a score for its one label of 2 classes (> 0: class 1). */
#include "cli_internal.h"

#include "mg_checkpoint.h"
#include "mg_dataset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The classifier's label: the one rank-0 integer input whose range C is the
 * number of the model's outputs (logits[C]), C >= 2, or is 2 when the model
 * has one output (a score, as micrograd's moons classifier); -1 when the
 * model is not a classifier (no logits, logits of a runtime length, no such
 * input, or more than one). */
int cli_label(const MgModel *m) {
    int label = -1;
    if (!m->forward_x || m->n_out == 0 || m->out_row) return -1;
    for (int f = 0; f < m->n_inputs; f++) {
        const MgField *in = &m->inputs[f];
        if (!in->is_int || in->rank != 0) continue;
        if (label >= 0) return -1;
        label = f;
    }
    if (label < 0) return -1;
    long range = m->inputs[label].range;
    return (m->n_out == 1 && range == 2) || (m->n_out >= 2 && (size_t)range == m->n_out) ? label : -1;
}

int cli_features(const MgModel *m, MgField *out) {
    int n = 0;
    for (int f = 0; f < m->n_inputs; f++)
        if (!m->inputs[f].loss_only) out[n++] = m->inputs[f];
    return n;
}

/* example i of ex by the model's inputs, when ex holds all of them or (read
 * by predict) only some, in the same order: NULL for an input not there */
static void inputs_at(const MgModel *m, const MgExamples *ex, size_t i, const double **x) {
    int k = 0;
    for (int f = 0; f < m->n_inputs; f++) {
        int have = k < ex->nfields && !strcmp(ex->fields[k].name, m->inputs[f].name);
        x[f] = have ? ex->data[k] + i * ex->fields[k].size : NULL;
        k += have;
    }
}

/* A classifier's class for its outputs v[0..n): the first index of the
 * largest (numpy's argmax; a NaN wins), or with one output (a score), 1 when
 * it is above 0. */
static size_t predicted_class(const double *v, size_t n) {
    if (n == 1) return v[0] > 0;
    size_t best = 0;
    for (size_t k = 1; k < n && v[best] == v[best]; k++)
        if (v[k] > v[best] || v[k] != v[k]) best = k;
    return best;
}

/* The mean loss of the examples of ex (and a classifier's correct count),
 * with the run's parameters; r->grads and r->scratch are overwritten. */
int cli_evaluate(Run *r, const MgExamples *ex, EvalSums *s) {
    const MgModel *m = r->m;
    const double *x[64];     /* n_inputs <= 64: cli_main checks */
    double sum = 0;
    s->n = ex->n;
    s->correct = 0;
    for (size_t i = 0; i < ex->n; i++) {
        cli_example_at(ex, i, x);
        int T = cli_example_T(r, ex, i);
        sum += m->loss_grad_x(m->ctx, r->params, r->grads, x, T, r->scratch);
        if (r->label < 0) continue;
        const double *logits = m->forward_x(m->ctx, r->params, x, T, r->scratch);
        if (!logits) return cli_error(r->cli, "model '%s' gave no logits for example %zu", m->name, i);
        if ((double)predicted_class(logits, m->n_out) == x[r->label][0]) s->correct++;
    }
    s->loss = ex->n ? sum / (double)ex->n : 0;
    return 0;
}

/* eval and predict: the checkpoint's parameters, into a Run of examples */
static int eval_start(Run *r, const Opts *o, const char *cmd) {
    MgErr e;
    long step;
    if (!o->load) return cli_error(r->cli, "%s needs --load CKPT (try '%s --help')", cmd, r->cli->prog);
    if (r->cli->ex->n == 0) return cli_error(r->cli, "%s: no examples", r->cli->ex->source);
    if (cli_run_alloc(r, 1)) return 1;
    if (mg_ckpt_load(o->load, r->m, r->params, &r->vocab, &step, &e) < 0) return cli_error(r->cli, "%s", e.msg);
    r->label = cli_label(r->m);
    return 0;
}

/* "eval: 100 examples, loss L, accuracy 98.00% (98/100)", without the accuracy when not a classifier */
static void print_sums(const char *head, const EvalSums *s, int classifier) {
    printf("%s%zu examples, loss %.17g", head, s->n, s->loss);
    if (classifier)
        printf(", accuracy %.2f%% (%zu/%zu)", s->n ? 100.0 * (double)s->correct / (double)s->n : 0.0, s->correct,
               s->n);
    putchar('\n');
}

int cli_cmd_eval(Run *r, const Opts *o) {
    EvalSums s;
    if (eval_start(r, o, "eval") || cli_evaluate(r, r->cli->ex, &s)) return 1;
    print_sums("eval: ", &s, r->label >= 0);
    return 0;
}

/* predict: the header "logits[0],...,logits[K-1]" (and ",class"), then a
 * row per example of its outputs, %.17g.  The examples may hold only the
 * features (cli_features): forward_x reads no other input. */
static int write_predictions(Run *r, FILE *f) {
    const MgModel *m = r->m;
    const MgExamples *ex = r->cli->ex;
    const double *x[64];
    for (size_t k = 0; k < m->n_out; k++) fprintf(f, "%slogits[%zu]", k ? "," : "", k);
    fputs(r->label >= 0 ? ",class\n" : "\n", f);
    for (size_t i = 0; i < ex->n; i++) {
        inputs_at(m, ex, i, x);
        int T = cli_example_T(r, ex, i);
        const double *y = m->forward_x(m->ctx, r->params, x, T, r->scratch);
        if (!y) return cli_error(r->cli, "model '%s' gave no logits for example %zu", m->name, i);
        /* logits of a runtime length: T rows, the cells of the others empty */
        size_t have = m->out_row ? (size_t)T * m->out_row : m->n_out;
        for (size_t k = 0; k < m->n_out; k++) {
            if (k) fputc(',', f);
            if (k < have) fprintf(f, "%.17g", y[k]);
        }
        if (r->label >= 0) fprintf(f, ",%zu", predicted_class(y, m->n_out));
        fputc('\n', f);
    }
    return 0;
}

int cli_cmd_predict(Run *r, const Opts *o) {
    MgErr e;
    MgOut out;
    const char *path = o->out ? o->out : "-", *in[] = {o->data, o->load};
    if (!r->m->forward_x || r->m->n_out == 0)
        return cli_error(r->cli, "model '%s' has no logits: predict writes a model's logits (declare logits[...] "
                         "in %s)", r->m->name, r->m->source ? r->m->source : "its .mg file");
    if (o->out && cli_check_output(r->cli, o->out, in, 2)) return 1;
    if (eval_start(r, o, "predict")) return 1;
    memset(&out, 0, sizeof out);
    if (mg_out_open(&out, path, &e) != 0) return cli_error(r->cli, "%s", e.msg);
    if (write_predictions(r, out.f)) {
        mg_out_abort(&out);
        return 1;
    }
    if (mg_out_close(&out, &e) != 0) return cli_error(r->cli, "%s", e.msg);
    return 0;
}

/* ---- validation while training ---- */

/* --val FILE, or --val-split F of the data seeded by the run's seed (then
 * r->cli->ex becomes the training part, and r->all the whole); decides
 * the steps that validate.  Before the examples are shuffled. */
int cli_val_setup(Run *r, const Opts *o) {
    MgErr e;
    const MgModel *m = r->m;
    int steps = r->opt.cfg.steps;
    r->label = cli_label(m);
    r->eval_every = o->eval_every ? o->eval_every : steps / 10 > 0 ? steps / 10 : 1;
    if (!o->val && !o->val_split) return 0;
    if (!r->cli->ex) return cli_error(r->cli, "%s is for models of examples; model '%s' reads text",
                                      o->val ? "--val" : "--val-split", m->name);
    if (o->val) {
        if (mg_examples_load_max(&r->own_val, o->val, m->inputs, m->n_inputs, o->max_data, &e) < 0)
            return cli_error(r->cli, "--val: %s", e.msg);
        if (r->own_val.n == 0) return cli_error(r->cli, "--val: %s: no examples", o->val);
        snprintf(r->val_desc, sizeof r->val_desc, "file of %zu examples, fnv1a64:%016llx", r->own_val.n,
                 (unsigned long long)cli_examples_checksum(&r->own_val));
    } else {
        if (mg_examples_split(r->cli->ex, o->val_split, r->seed, &r->own_train, &r->own_val, &e) < 0)
            return cli_error(r->cli, "--val-split: %s", e.msg);
        snprintf(r->val_desc, sizeof r->val_desc, "split %.17g", o->val_split);
        snprintf(r->train_desc, sizeof r->train_desc, "%s (the %zu of %zu examples left by --val-split %g)",
                 r->cli->ex->source, r->own_train.n, r->cli->ex->n, o->val_split);
        r->all = r->cli->ex;
        r->cli->ex = &r->own_train;
    }
    r->val = &r->own_val;
    return 0;
}
