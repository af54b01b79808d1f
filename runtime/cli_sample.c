/* cli_sample.c: the commands that read a checkpoint and do not train (sample, grad),
 * and the samples train prints at its end.
 * Takes a Run and the options; hands on printed samples, a loss and a gradient file. */
#include "cli_internal.h"

#include "mg_checkpoint.h"
#include "mg_sample.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int cli_print_samples(Run *r, int num, double temperature) {
    for (int i = 0; i < num; i++) {
        int n = mg_sample(r->m, r->params, &r->rng, temperature, r->tokens, r->probs, r->scratch);
        if (n < 0) return cli_error(r->cli, "sample %d: the probabilities are not finite (diverged parameters?)", i + 1);
        if (mg_vocab_decode(&r->vocab, r->tokens + 1, (size_t)n, r->text, (size_t)r->m->block_size * 4 + 1) < 0)
            return cli_error(r->cli, "sample %d: a token id is outside the vocabulary", i + 1);
        printf("sample %2d: %s\n", i + 1, r->text);
    }
    fflush(stdout);
    return 0;
}

static int load_ckpt(Run *r, const char *path, MgVocab *vocab) {
    MgErr e;
    long step;
    if (mg_ckpt_load(path, r->m, r->params, vocab, &step, &e) < 0) return cli_error(r->cli, "%s", e.msg);
    return 0;
}

int cli_cmd_sample(Run *r, const Opts *o) {
    if (!o->load) return cli_error(r->cli, "sample needs --load CKPT (try '%s --help')", r->cli->prog);
    if (cli_run_alloc(r, 0) || load_ckpt(r, o->load, &r->vocab)) return 1;
    mg_rng_seed(&r->rng, o->seed);
    return cli_print_samples(r, o->num, o->temperature);
}

/* A model of examples: the loss of example --doc I (0-based) and its gradients. */
static int grad_example(Run *r, const Opts *o, double *loss) {
    char *end;
    errno = 0;
    unsigned long long i = strtoull(o->doc, &end, 10);
    if (errno || end == o->doc || *end || o->doc[0] == '-' || i >= r->cli->ex->n)
        return cli_error(r->cli, "--doc '%s': give an example's index, 0 to %zu, of %s", o->doc, r->cli->ex->n - 1,
                         r->cli->ex->source);
    *loss = cli_example_loss(r, (size_t)i, r->grads, r->scratch);
    return 0;
}

int cli_cmd_grad(Run *r, const Opts *o) {
    const MgModel *m = r->m;
    if (!o->load || !o->doc || !o->out)
        return cli_error(r->cli, "grad needs --load CKPT, --doc WORD and --out FILE (missing %s)",
                     !o->load ? "--load" : !o->doc ? "--doc" : "--out");
    const char *in[] = {o->load};
    if (cli_check_output(r->cli, o->out, in, 1) || cli_run_alloc(r, 1) || load_ckpt(r, o->load, &r->vocab)) return 1;
    MgErr e;
    double loss = 0;
    if (r->cli->ex) {
        if (grad_example(r, o, &loss)) return 1;
    } else {
        int *ids;
        size_t n;
        if (mg_vocab_encode_utf8(&r->vocab, o->doc, &ids, &n, &e) < 0)
            return cli_error(r->cli, "--doc '%s': %s of %s", o->doc, e.msg, o->load);
        int T = (int)n - 1 < m->block_size ? (int)n - 1 : m->block_size;
        loss = m->loss_grad(m->ctx, r->params, r->grads, ids, T, r->scratch);
        free(ids);
    }
    printf("loss %.17g\n", loss);
    fflush(stdout);
    char *vs = mg_vocab_to_string(&r->vocab), lossbuf[40];
    snprintf(lossbuf, sizeof lossbuf, "%.17g", loss);
    MgMeta meta[4] = {{"model", m->name}, {"vocab", vs ? vs : ""}, {"doc", o->doc}, {"loss", lossbuf}};
    int rc = mg_ckpt_write_like(o->out, m, r->grads, meta, 4, &e);
    free(vs);
    return rc < 0 ? cli_error(r->cli, "%s", e.msg) : 0;
}
