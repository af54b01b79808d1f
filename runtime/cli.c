/* cli.c: parses a command and its options, then runs train, sample or grad.
 * Takes an MgModel and argv; hands on stdout lines, files and an exit status.
 * Invariants: every failure prints one "PROG: error:" line and returns 1; params,
 * grads, optimizer state and scratch are allocated once, before any step. */
#include "mg_cli.h"

#include "mg_checkpoint.h"
#include "mg_data.h"
#include "mg_optim.h"
#include "mg_rng.h"
#include "mg_sample.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { CMD_TRAIN, CMD_SAMPLE, CMD_GRAD } Cmd;

typedef struct Opts {
    Cmd cmd;
    const char *data, *save, *load, *log, *doc, *out;
    int steps, has_steps, num, save_every;
    uint64_t seed;
    double lr, temperature;
    int has_lr;
} Opts;

/* Everything a command allocates, in one place so it is freed in one place. */
typedef struct Run {
    const MgModel *m;
    const char *prog;
    MgDocs docs;
    MgVocab vocab;
    MgRng rng;
    MgOptimizer opt;
    int start;              /* first step to run (a resumed run's saved step) */
    double *params, *grads, *scratch, *probs;
    int *tokens;
    char *text;
    FILE *log;
} Run;

static int cli_error(const char *prog, const char *fmt, ...) MG_PRINTF(2, 3);
static int cli_error(const char *prog, const char *fmt, ...) {
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "%s: error: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

static void usage(FILE *f, const MgModel *m, const char *prog) {
    fprintf(f,
            "usage: %s COMMAND [OPTIONS]\n"
            "\n"
            "Train and run the model '%s' (%s): %zu parameters, vocabulary %d (BOS = %d),\n"
            "block size %d, %s lr %g over %d steps%s.\n"
            "\n"
            "commands:\n"
            "  train     train on a dataset, optionally save a checkpoint, then print samples\n"
            "  sample    print samples from a checkpoint\n"
            "  grad      print the loss of one document and write d(loss)/d(param)\n"
            "  help      print this help (also --help, -h, COMMAND --help)\n"
            "\n"
            "train [OPTIONS]\n"
            "  --data FILE         documents, one per line, UTF-8 (default: the embedded word list)\n"
            "  --steps N           number of optimizer steps (default %d); the learning rate\n"
            "                      decays linearly to 0 over N steps when the model says so\n"
            "  --seed S            random seed, a non-negative integer (default 42)\n"
            "  --lr X              learning rate (default %g)\n"
            "  --load CKPT         start from a checkpoint instead of random parameters; a\n"
            "                      checkpoint saved by train resumes that run where it\n"
            "                      stopped (optimizer state, step and random state included)\n"
            "  --save CKPT         write the parameters and training state after training\n"
            "                      (safetensors; written to CKPT.tmp, then renamed)\n"
            "  --save-every N      also save CKPT every N steps, so a killed run can resume\n"
            "  --log FILE.csv      write 'step,loss' for every step\n"
            "  --num N             number of samples printed after training (default 20)\n"
            "  --temperature T     sampling temperature, > 0 (default 0.5)\n"
            "\n"
            "sample --load CKPT [--num N] [--temperature T] [--seed S]\n"
            "  print N samples (default 20, temperature 0.5, seed 42); the vocabulary\n"
            "  comes from the checkpoint\n"
            "\n"
            "grad --load CKPT --doc WORD --out FILE.safetensors\n"
            "  encode WORD with the checkpoint's vocabulary, print 'loss L', and write\n"
            "  d(loss)/d(param) for every parameter under the parameter's name\n"
            "\n"
            "Options take their value as the next argument or after '=' (--steps=100).\n"
            "Exit status: 0 on success, 1 on any error.\n",
            prog, m->name, m->source ? m->source : "built in", m->n_scalars, m->vocab, m->vocab - 1,
            m->block_size, m->optim.kind == MG_OPT_ADAM ? "adam" : "sgd", m->optim.lr, m->optim.steps,
            m->optim.linear_decay ? " with linear decay" : "", m->optim.steps, m->optim.lr);
}

/* ---- option parsing ---- */

static int parse_int(const char *prog, const char *flag, const char *s, int *out) {
    if (!*s) return cli_error(prog, "%s: expected a non-negative integer, got an empty string", flag);
    long long v = 0;
    for (const char *c = s; *c; c++) {
        if (*c < '0' || *c > '9') return cli_error(prog, "%s: '%s' is not a non-negative integer", flag, s);
        v = v * 10 + (*c - '0');
        if (v > INT_MAX) return cli_error(prog, "%s: '%s' is too large (at most %d)", flag, s, INT_MAX);
    }
    *out = (int)v;
    return 0;
}

static int parse_u64(const char *prog, const char *flag, const char *s, uint64_t *out) {
    if (!*s) return cli_error(prog, "%s: expected a non-negative integer, got an empty string", flag);
    uint64_t v = 0;
    for (const char *c = s; *c; c++) {
        if (*c < '0' || *c > '9') return cli_error(prog, "%s: '%s' is not a non-negative integer", flag, s);
        if (v > (UINT64_MAX - (uint64_t)(*c - '0')) / 10)
            return cli_error(prog, "%s: '%s' is too large (at most %llu)", flag, s, (unsigned long long)UINT64_MAX);
        v = v * 10 + (uint64_t)(*c - '0');
    }
    *out = v;
    return 0;
}

/* A finite double; positive if strict, else >= 0. */
static int parse_double(const char *prog, const char *flag, const char *s, int strict, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || end == s) return cli_error(prog, "%s: '%s' is not a number", flag, s);
    if (!isfinite(v) || errno == ERANGE) return cli_error(prog, "%s: '%s' is out of range", flag, s);
    if (strict ? !(v > 0) : !(v >= 0)) return cli_error(prog, "%s: '%s' must be %s", flag, s, strict ? "> 0" : ">= 0");
    *out = v;
    return 0;
}

/* Which flags each command accepts. */
static int allowed(Cmd c, const char *flag) {
    static const char *train[] = {"data", "steps", "seed", "lr", "save", "save-every", "load", "log", "num",
                                  "temperature", 0};
    static const char *sample[] = {"load", "num", "temperature", "seed", 0};
    static const char *grad[] = {"load", "doc", "out", 0};
    const char **list = c == CMD_TRAIN ? train : c == CMD_SAMPLE ? sample : grad;
    for (; *list; list++)
        if (strcmp(*list, flag) == 0) return 1;
    return 0;
}

static int set_opt(const char *prog, Opts *o, const char *name, const char *flag, const char *v) {
    if (!strcmp(name, "data")) o->data = v;
    else if (!strcmp(name, "save")) o->save = v;
    else if (!strcmp(name, "load")) o->load = v;
    else if (!strcmp(name, "log")) o->log = v;
    else if (!strcmp(name, "doc")) o->doc = v;
    else if (!strcmp(name, "out")) o->out = v;
    else if (!strcmp(name, "steps")) { o->has_steps = 1; return parse_int(prog, flag, v, &o->steps); }
    else if (!strcmp(name, "num")) return parse_int(prog, flag, v, &o->num);
    else if (!strcmp(name, "save-every")) return parse_int(prog, flag, v, &o->save_every);
    else if (!strcmp(name, "seed")) return parse_u64(prog, flag, v, &o->seed);
    else if (!strcmp(name, "lr")) { o->has_lr = 1; return parse_double(prog, flag, v, 0, &o->lr); }
    else if (!strcmp(name, "temperature")) return parse_double(prog, flag, v, 1, &o->temperature);
    if (!*v && strcmp(name, "doc") != 0) return cli_error(prog, "%s: expected a file name, got an empty string", flag);
    return 0;
}

/* Returns 0 to run, 1 on error, 2 when help was printed. */
static int parse_opts(const MgModel *m, const char *prog, const char *cmd, int argc, char **argv, Opts *o) {
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout, m, prog);
            return 2;
        }
        if (strncmp(a, "--", 2) != 0 || !a[2])
            return cli_error(prog, "unexpected argument '%s' (try '%s --help')", a, prog);
        char name[32];
        const char *eq = strchr(a, '='), *val;
        size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        if (n >= sizeof name || (memcpy(name, a + 2, n), name[n] = '\0', !allowed(o->cmd, name)))
            return cli_error(prog, "unknown option '%.*s' for '%s' (try '%s --help')", (int)(n + 2), a, cmd, prog);
        char flag[40];
        snprintf(flag, sizeof flag, "--%s", name);
        if (eq) val = eq + 1;
        else if (i + 1 < argc) val = argv[++i];
        else return cli_error(prog, "option '%s' needs a value", flag);
        if (set_opt(prog, o, name, flag, val)) return 1;
    }
    return 0;
}

/* ---- shared pieces ---- */

static void run_free(Run *r) {
    mg_data_free(&r->docs);
    mg_vocab_free(&r->vocab);
    mg_optim_free(&r->opt);
    free(r->params);
    free(r->grads);
    free(r->scratch);
    free(r->probs);
    free(r->tokens);
    free(r->text);
    if (r->log) fclose(r->log);
}

/* The one allocation of each buffer a command needs. */
static int run_alloc(Run *r, int with_grads) {
    const MgModel *m = r->m;
    r->params = calloc(m->n_scalars ? m->n_scalars : 1, sizeof *r->params);
    r->grads = with_grads ? calloc(m->n_scalars ? m->n_scalars : 1, sizeof *r->grads) : NULL;
    r->scratch = calloc(m->scratch ? m->scratch : 1, sizeof *r->scratch);
    r->probs = calloc((size_t)m->vocab, sizeof *r->probs);
    r->tokens = calloc((size_t)m->block_size + 2, sizeof *r->tokens);
    r->text = malloc((size_t)m->block_size * 4 + 1);
    if (!r->params || (with_grads && !r->grads) || !r->scratch || !r->probs || !r->tokens || !r->text)
        return cli_error(r->prog, "out of memory (%zu parameters, %zu scratch doubles)", m->n_scalars, m->scratch);
    return 0;
}

static void init_params(const MgModel *m, double *params, MgRng *rng) {
    for (int i = 0; i < m->n_params; i++) {
        const MgParam *p = &m->params[i];
        double *x = params + p->offset;
        for (size_t k = 0; k < p->size; k++) {
            switch (p->init) {
            case MG_INIT_GAUSS: x[k] = mg_rng_gauss(rng, p->init_a, p->init_b); break;
            case MG_INIT_ZEROS: x[k] = 0.0; break;
            case MG_INIT_ONES: x[k] = 1.0; break;
            case MG_INIT_CONST: x[k] = p->init_a; break;
            }
        }
    }
}

static int print_samples(Run *r, int num, double temperature) {
    for (int i = 0; i < num; i++) {
        int n = mg_sample(r->m, r->params, &r->rng, temperature, r->tokens, r->probs, r->scratch);
        if (n < 0) return cli_error(r->prog, "sample %d: the probabilities are not finite (diverged parameters?)", i + 1);
        if (mg_vocab_decode(&r->vocab, r->tokens + 1, (size_t)n, r->text, (size_t)r->m->block_size * 4 + 1) < 0)
            return cli_error(r->prog, "sample %d: a token id is outside the vocabulary", i + 1);
        printf("sample %2d: %s\n", i + 1, r->text);
    }
    fflush(stdout);
    return 0;
}

/* Fail early, before training, if path cannot be written (probes PATH.tmp). */
static int check_writable(const char *prog, const char *path) {
    size_t n = strlen(path);
    char *tmp = malloc(n + 5);
    if (!tmp) return cli_error(prog, "out of memory");
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".tmp", 5);
    FILE *f = fopen(tmp, "wb");
    int err = errno;
    if (f) {
        fclose(f);
        remove(tmp);
    }
    free(tmp);
    return f ? 0 : cli_error(prog, "%s: cannot write: %s", path, strerror(err));
}

static int load_ckpt(Run *r, const char *path, MgVocab *vocab) {
    MgErr e;
    long step;
    if (mg_ckpt_load(path, r->m, r->params, vocab, &step, &e) < 0) return cli_error(r->prog, "%s", e.msg);
    return 0;
}

/* tokens = ([BOS] + ids(doc) + [BOS])[0 .. T], T = min(block_size, len + 1). */
static int doc_tokens(const Run *r, size_t d) {
    const MgDoc *doc = &r->docs.docs[d];
    int bos = mg_vocab_bos(&r->vocab), T = r->m->block_size;
    if ((size_t)T > doc->len + 1) T = (int)doc->len + 1;
    r->tokens[0] = bos;
    for (int i = 1; i <= T; i++)
        r->tokens[i] = (size_t)(i - 1) < doc->len ? mg_vocab_id(&r->vocab, r->docs.cps[doc->off + (size_t)i - 1]) : bos;
    return T;
}

/* ---- commands ---- */

static int train_setup(Run *r, const Opts *o) {
    MgErr e;
    const MgModel *m = r->m;
    mg_rng_seed(&r->rng, o->seed);
    if ((o->data ? mg_data_load_file(&r->docs, o->data, &e) : mg_data_load_default(&r->docs, &e)) < 0)
        return cli_error(r->prog, "%s", e.msg);
    mg_data_shuffle(&r->docs, &r->rng);
    if (mg_vocab_build(&r->vocab, &r->docs, &e) < 0) return cli_error(r->prog, "%s", e.msg);
    if (mg_vocab_size(&r->vocab) != m->vocab)
        return cli_error(r->prog, "%s: the data has vocabulary size %d (%d characters + BOS) but model '%s' has %d",
                     r->docs.name, mg_vocab_size(&r->vocab), r->vocab.n, m->name, m->vocab);
    if (o->save && check_writable(r->prog, o->save)) return 1;
    if (o->log && !(r->log = fopen(o->log, "w")))
        return cli_error(r->prog, "%s: cannot write: %s", o->log, strerror(errno));
    if (run_alloc(r, 1)) return 1;
    MgOptim cfg = m->optim;
    if (o->has_lr) cfg.lr = o->lr;
    if (o->has_steps) cfg.steps = o->steps;
    if (mg_optim_init(&r->opt, &cfg, m->n_scalars, &e) < 0) return cli_error(r->prog, "%s", e.msg);
    if (o->save_every && !o->save) return cli_error(r->prog, "--save-every needs --save CKPT");
    if (o->load) {
        MgVocab cv;
        MgTrainState ts = {0, &r->opt, &r->rng};
        long step;
        int resumable;
        if (mg_ckpt_load_state(o->load, m, r->params, &cv, &step, &ts, &resumable, &e) < 0)
            return cli_error(r->prog, "%s", e.msg);
        int same = mg_vocab_equal(&cv, &r->vocab);
        mg_vocab_free(&cv);
        if (!same)
            return cli_error(r->prog, "%s: the checkpoint's vocabulary differs from that of %s", o->load, r->docs.name);
        if (resumable) {
            if (!o->has_steps) r->opt.cfg.steps = (int)ts.steps;
            r->start = step < r->opt.cfg.steps ? (int)step : r->opt.cfg.steps;
        }
    } else {
        init_params(m, r->params, &r->rng);
    }
    return 0;
}

/* Save params and the whole training state after `step` steps. */
static int save_state(Run *r, const char *path, int step) {
    MgErr e;
    MgTrainState ts = {r->opt.cfg.steps, &r->opt, &r->rng};
    if (mg_ckpt_save_state(path, r->m, r->params, &r->vocab, step, &ts, &e) < 0) return cli_error(r->prog, "%s", e.msg);
    return 0;
}

/* A non-finite loss or gradient stops training: name the step and the first
 * parameter (and element) affected.  Nothing is saved. */
static int check_finite(Run *r, int step, double loss) {
    const MgModel *m = r->m;
    if (!isfinite(loss))
        return cli_error(r->prog, "step %d: the loss is %s; training stopped (the last saved checkpoint is kept)", step,
                         isnan(loss) ? "nan" : "infinite");
    for (int i = 0; i < m->n_params; i++) {
        const MgParam *p = &m->params[i];
        for (size_t k = 0; k < p->size; k++) {
            double g = r->grads[p->offset + k];
            if (isfinite(g)) continue;
            size_t idx[MG_MAX_RANK], rest = k;
            for (int d = p->rank - 1; d >= 0; d--) idx[d] = rest % (size_t)p->shape[d], rest /= (size_t)p->shape[d];
            char at[96] = "";
            for (int d = 0, w = 0; d < p->rank; d++)
                w += snprintf(at + w, sizeof at - (size_t)w, d ? ", %zu" : "%zu", idx[d]);
            return cli_error(r->prog, "step %d: the gradient of '%s' is %s at [%s]; training stopped (the last saved "
                             "checkpoint is kept)", step, p->name, isnan(g) ? "nan" : "infinite", at);
        }
    }
    return 0;
}

static int cmd_train(Run *r, const Opts *o) {
    if (train_setup(r, o)) return 1;
    const MgModel *m = r->m;
    const int steps = r->opt.cfg.steps;
    if (r->log) fprintf(r->log, "step,loss\n");
    for (int s = r->start; s < steps; s++) {
        int T = doc_tokens(r, (size_t)s % r->docs.n);
        double loss = m->loss_grad(m->ctx, r->params, r->grads, r->tokens, T, r->scratch);
        if (check_finite(r, s + 1, loss)) return 1;
        mg_optim_step(&r->opt, r->params, r->grads, s);
        printf("step %4d / %4d | loss %.4f\n", s + 1, steps, loss);
        fflush(stdout);
        if (r->log) fprintf(r->log, "%d,%.17g\n", s + 1, loss);
        if (o->save_every && (s + 1) % o->save_every == 0 && s + 1 < steps && save_state(r, o->save, s + 1)) return 1;
    }
    if (r->log) {
        int bad = ferror(r->log) | fclose(r->log);
        r->log = NULL;
        if (bad) return cli_error(r->prog, "%s: write error", o->log);
    }
    if (o->save && save_state(r, o->save, steps)) return 1;
    return print_samples(r, o->num, o->temperature);
}

static int cmd_sample(Run *r, const Opts *o) {
    if (!o->load) return cli_error(r->prog, "sample needs --load CKPT (try '%s --help')", r->prog);
    if (run_alloc(r, 0) || load_ckpt(r, o->load, &r->vocab)) return 1;
    mg_rng_seed(&r->rng, o->seed);
    return print_samples(r, o->num, o->temperature);
}

static int cmd_grad(Run *r, const Opts *o) {
    const MgModel *m = r->m;
    if (!o->load || !o->doc || !o->out)
        return cli_error(r->prog, "grad needs --load CKPT, --doc WORD and --out FILE (missing %s)",
                     !o->load ? "--load" : !o->doc ? "--doc" : "--out");
    if (run_alloc(r, 1) || load_ckpt(r, o->load, &r->vocab)) return 1;
    MgErr e;
    int *ids;
    size_t n;
    if (mg_vocab_encode_utf8(&r->vocab, o->doc, &ids, &n, &e) < 0)
        return cli_error(r->prog, "--doc '%s': %s of %s", o->doc, e.msg, o->load);
    int T = (int)n - 1 < m->block_size ? (int)n - 1 : m->block_size;
    double loss = m->loss_grad(m->ctx, r->params, r->grads, ids, T, r->scratch);
    free(ids);
    printf("loss %.17g\n", loss);
    fflush(stdout);
    char *vs = mg_vocab_to_string(&r->vocab), lossbuf[40];
    snprintf(lossbuf, sizeof lossbuf, "%.17g", loss);
    MgMeta meta[4] = {{"model", m->name}, {"vocab", vs ? vs : ""}, {"doc", o->doc}, {"loss", lossbuf}};
    int rc = mg_ckpt_write_like(o->out, m, r->grads, meta, 4, &e);
    free(vs);
    return rc < 0 ? cli_error(r->prog, "%s", e.msg) : 0;
}

int mg_cli_main(const MgModel *m, const char *prog, int argc, char **argv) {
    if (argc < 2) {
        usage(stderr, m, prog);
        return 1;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout, m, prog);
        return 0;
    }
    Opts o = {.seed = 42, .num = 20, .temperature = 0.5};
    if (!strcmp(cmd, "train")) o.cmd = CMD_TRAIN;
    else if (!strcmp(cmd, "sample")) o.cmd = CMD_SAMPLE;
    else if (!strcmp(cmd, "grad")) o.cmd = CMD_GRAD;
    else return cli_error(prog, "unknown command '%s' (expected train, sample, grad or help)", cmd);
    int rc = parse_opts(m, prog, cmd, argc, argv, &o);
    if (rc) return rc == 2 ? 0 : 1;
    Run r;
    memset(&r, 0, sizeof r);
    r.m = m;
    r.prog = prog;
    rc = o.cmd == CMD_TRAIN ? cmd_train(&r, &o) : o.cmd == CMD_SAMPLE ? cmd_sample(&r, &o) : cmd_grad(&r, &o);
    run_free(&r);
    return rc;
}
