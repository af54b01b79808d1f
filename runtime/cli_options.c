/* cli_options.c: the trainer's options and its help text.
 * Takes argv after the command; hands on an Opts (or one error line, or the help).
 * Invariants: a command accepts only its own options; every value is checked here. */
#include "cli_internal.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The help's train options after --lr (cli_usage prints those with the model's defaults). */
static const char optim_help[] =
    "  --optimizer NAME    sgd, adam or adamw (default: the model's)\n"
    "  --schedule NAME     learning-rate schedule: constant, linear (to --min-lr at\n"
    "                      the last step), cosine (likewise) or step (times --gamma\n"
    "                      every --step-size steps); models/README.md has the formulas\n"
    "  --warmup N          raise the rate linearly over the first N steps:\n"
    "                      lr * (step + 1) / N; the schedule starts after them\n"
    "  --min-lr X          the rate linear and cosine reach at the last step\n"
    "  --step-size N       the step schedule's period, in steps\n"
    "  --gamma X           the step schedule's factor\n"
    "  --momentum X        SGD's momentum, 0 <= X < 1 (torch.optim.SGD, dampening 0)\n"
    "  --nesterov 0|1      SGD: Nesterov's momentum\n"
    "  --weight-decay X    SGD, Adam: L2 decay, X * param added to the gradient;\n"
    "                      AdamW: decoupled, param *= 1 - lr * X before the update\n"
    "  --clip X            scale the gradients when their global L2 norm is above X\n"
    "                      (torch.nn.utils.clip_grad_norm_; 0: never)\n"
    "  --beta1 X, --beta2 X, --eps X   Adam's and AdamW's settings\n"
    "                      (a resumed run needs the same optimizer options again:\n"
    "                      the checkpoint records them and refuses others)\n";

/* The rest of the train options. */
static const char train_help[] =
    "  --load CKPT         start from a checkpoint's parameters instead of random ones;\n"
    "                      the data must use only the checkpoint's characters.  A\n"
    "                      checkpoint saved by train resumes that run where it was\n"
    "                      saved (step, Adam's moments, random state, learning rate,\n"
    "                      steps and seed), printing the same losses and ending with\n"
    "                      the same parameters as a run never interrupted; it needs\n"
    "                      the same --data (checked) and refuses a different --seed\n"
    "  --save CKPT         write the parameters and training state after training\n"
    "                      (safetensors with a checksum; written to a temporary file\n"
    "                      beside it, synced, then renamed, so CKPT is always a whole\n"
    "                      checkpoint; locked while training, against a second trainer)\n"
    "  --batch B           train on B documents per step (default 1): the objective is\n"
    "                      the mean loss over all their target positions, each\n"
    "                      document with its own length; step s takes documents\n"
    "                      s*B .. s*B+B-1 of the shuffled data (wrapping around)\n"
    "  --rank-timeout S    under MPI: seconds to wait for another rank (default 60);\n"
    "                      then rank 0 names the ranks that stopped answering and\n"
    "                      the job stops\n"
    "  --threads N         split each batch's documents over N threads (default 1;\n"
    "                      the largest power of two up to N and the batch is used):\n"
    "                      a batch's gradients are summed pairwise in a fixed tree\n"
    "                      whose nodes the threads take, so every N gives the\n"
    "                      bits of one thread.  With one document at a time, the\n"
    "                      model's large matrix products (mgc splits the output\n"
    "                      rows of those above 2^18 terms) run on the N threads,\n"
    "                      each output whole on one thread: the same bits again\n"
    "  --docs MODE         lines (default): one document per line, stripped; text:\n"
    "                      the file as it is, newlines included, cut into documents\n"
    "                      of the block size (for models of running text)\n"
    "  --save-every N      also save CKPT after every N steps, so that a run that is\n"
    "                      killed can be resumed with --load CKPT (0: only at the end)\n"
    "  --log FILE.csv      write 'step,loss,lr,elapsed' for every step: the loss, the\n"
    "                      learning rate of the step's update and the seconds spent\n"
    "                      training so far (a resumed run keeps the lines up to its\n"
    "                      checkpoint's step and appends, counting on from their time;\n"
    "                      another run's log is refused)\n"
    "  --progress MODE     auto (default): on a terminal one live line with the step,\n"
    "                      loss, tokens per second and time left, else a 'step ... |\n"
    "                      loss ...' line per step; line or plain force either\n"
    "  --num N             number of samples printed after training (default 20)\n"
    "  --temperature T     sampling temperature, > 0 (default 0.5)\n";

/* A model of examples: training's validation options, and eval and predict. */
static const char eval_help[] =
    "  --val FILE          a validation set, read like --data: its mean loss (and a\n"
    "                      classifier's accuracy) is printed ('val ...' lines) and\n"
    "                      logged (columns val_loss, val_accuracy) as training goes\n"
    "  --val-split F       hold out the fraction F (0 < F < 1) of --data instead:\n"
    "                      round(F * N) examples chosen by --seed (as Python's\n"
    "                      random.shuffle; README, 'A validation split'); training\n"
    "                      uses only the rest, and a resumed run needs the same F\n"
    "  --eval-every N      evaluate after every N steps and after the last (default:\n"
    "                      every tenth of the steps); needs --val or --val-split\n"
    "\n"
    "eval --load CKPT --data FILE\n"
    "  print 'eval: N examples, loss L' with the mean loss over the examples, summed\n"
    "  in file order (the same for any --threads), and for a classifier (a model\n"
    "  whose logits[C] are the classes of its one integer scalar input < C, or\n"
    "  whose one logit scores a label < 2: above 0 says 1) ', accuracy A% (K/N)':\n"
    "  the examples whose class (the first largest logit) is the label\n"
    "\n"
    "predict --load CKPT --data FILE [-o OUT.csv]\n"
    "  write the model's logits for each example, %.17g, under a header\n"
    "  'logits[0],logits[1],...' (and a column 'class', the first largest logit's\n"
    "  index or the score's side, for a classifier); to standard output without -o\n"
    "  (--out); the cells of logits rows past an example's T are empty.  FILE needs\n"
    "  only the columns of the inputs the logits read: a label's may be absent\n"
    "\n";

/* The help's sample and grad commands, and what holds for every command. */
static const char other_help[] =
    "sample --load CKPT [--num N] [--temperature T] [--seed S]\n"
    "  print N samples (default 20, temperature 0.5, seed 42); the vocabulary\n"
    "  comes from the checkpoint\n"
    "\n"
    "grad --load CKPT --doc WORD --out FILE.safetensors\n"
    "  encode WORD with the checkpoint's vocabulary, print 'loss L', and write\n"
    "  d(loss)/d(param) for every parameter under the parameter's name\n"
    "\n"
    "A non-finite loss, gradient or updated parameter stops training with a message\n"
    "naming the step and the first parameter affected; nothing is saved after it.\n"
    "SIGINT or SIGTERM stops training after its step: with --save the checkpoint is\n"
    "saved ('interrupted at step N; resume with --load CKPT'); exit status 130 / 143.\n"
    "\n"
    "Options take their value as the next argument or after '=' (--steps=100).\n"
    "Exit status: 0 on success, 1 on any error (one line 'PROG: error: ...').\n";

void cli_usage(FILE *f, const MgModel *m, const char *prog) {
    static const char *const kinds[] = {"sgd", "adam", "adamw"};
    static const char *const scheds[] = {"", " with linear decay", " with a cosine schedule", " with a step schedule"};
    int ex = !m->loss_grad;     /* a model of examples (mg_examples.h) */
    fprintf(f, "usage: %s COMMAND [OPTIONS]\n\n", prog);
    if (ex) {
        fprintf(f, "Train and run the model '%s' (%s): %zu parameters; it reads examples, with the\ninputs", m->name,
                m->source ? m->source : "built in", m->n_scalars);
        for (int i = 0; i < m->n_inputs; i++) {
            const MgField *in = &m->inputs[i];
            fprintf(f, "%s %s", i ? "," : "", in->name);
            for (int k = 0; k < in->rank; k++) fprintf(f, "%s%d", k ? ", " : "[", in->shape[k]);
            if (in->rank) fputs("]", f);
            if (in->is_int) fprintf(f, " < %ld", in->range);
        }
        fprintf(f, ";\n%s lr %g over %d steps%s.\n", kinds[m->optim.kind], m->optim.lr, m->optim.steps,
                scheds[m->optim.schedule]);
    } else {
        fprintf(f, "Train and run the model '%s' (%s): %zu parameters, vocabulary %d (BOS = %d),\n"
                   "block size %d, %s lr %g over %d steps%s.\n", m->name, m->source ? m->source : "built in",
                m->n_scalars, m->vocab, m->vocab - 1, m->block_size, kinds[m->optim.kind], m->optim.lr,
                m->optim.steps, scheds[m->optim.schedule]);
    }
    fputs("\n"
          "commands:\n"
          "  train     train on a dataset, optionally save a checkpoint, then print samples\n"
          "  sample    print samples from a checkpoint\n"
          "  grad      print the loss of one document and write d(loss)/d(param)\n"
          "  eval      a model of examples: print the mean loss (and accuracy) of a dataset\n"
          "  predict   a model of examples: write the model's logits for each example\n"
          "  help      print this help (also --help, -h, COMMAND --help)\n"
          "\n"
          "train [OPTIONS]\n", f);
    if (ex)
        fputs("  --data FILE         the examples (required): a CSV file whose header names the\n"
              "                      inputs' columns (x[0], x[1], y, ...), a .npy file (a model\n"
              "                      of one input), a folder of NAME.npy files or a .safetensors\n"
              "                      file with a tensor per input; the first axis counts examples\n", f);
    else
        fputs("  --data FILE         documents, one per line, UTF-8 (default: the embedded word list);\n"
              "                      lines are stripped, blank ones skipped, \\r\\n accepted; a\n"
              "                      document longer than the block size is cropped to it\n", f);
    fprintf(f,
            "  --max-data MIB      refuse a data file larger than MIB MiB (default 1024); a\n"
            "                      FIFO or device is read up to that much, and stops at its\n"
            "                      first byte that is not UTF-8\n"
            "  --steps N           number of optimizer steps (default %d); the learning rate\n"
            "                      schedule (below) runs over N steps\n"
            "  --seed S            random seed, a non-negative integer (default 42)\n"
            "  --lr X              learning rate (default %g)\n",
            m->optim.steps, m->optim.lr);
    fputs(optim_help, f);
    fputs(train_help, f);
    fputs(ex ? eval_help : "\n", f);
    fputs(other_help, f);
}

/* ---- option parsing ---- */

static int parse_int(Cli *c, const char *flag, const char *s, int *out) {
    if (!*s) return cli_error(c, "%s: expected a non-negative integer, got an empty string", flag);
    long long v = 0;
    for (const char *d = s; *d; d++) {
        if (*d < '0' || *d > '9') return cli_error(c, "%s: '%s' is not a non-negative integer", flag, s);
        v = v * 10 + (*d - '0');
        if (v > INT_MAX) return cli_error(c, "%s: '%s' is too large (at most %d)", flag, s, INT_MAX);
    }
    *out = (int)v;
    return 0;
}

static int parse_u64(Cli *c, const char *flag, const char *s, uint64_t *out) {
    if (!*s) return cli_error(c, "%s: expected a non-negative integer, got an empty string", flag);
    uint64_t v = 0;
    for (const char *d = s; *d; d++) {
        if (*d < '0' || *d > '9') return cli_error(c, "%s: '%s' is not a non-negative integer", flag, s);
        if (v > (UINT64_MAX - (uint64_t)(*d - '0')) / 10)
            return cli_error(c, "%s: '%s' is too large (at most %llu)", flag, s, (unsigned long long)UINT64_MAX);
        v = v * 10 + (uint64_t)(*d - '0');
    }
    *out = v;
    return 0;
}

/* A finite double; positive if strict, else >= 0. */
static int parse_double(Cli *c, const char *flag, const char *s, int strict, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || end == s) return cli_error(c, "%s: '%s' is not a number", flag, s);
    if (!isfinite(v) || errno == ERANGE) return cli_error(c, "%s: '%s' is out of range", flag, s);
    if (strict ? !(v > 0) : !(v >= 0)) return cli_error(c, "%s: '%s' must be %s", flag, s, strict ? "> 0" : ">= 0");
    *out = v;
    return 0;
}

/* Which flags each command accepts. */
static int allowed(Cmd c, const char *flag) {
    static const char *train[] = {"data", "steps", "seed", "lr", "save", "save-every", "load", "log", "num",
                                  "temperature", "progress", "batch", "threads", "docs",
                                  "rank-timeout", "max-data", "optimizer", "schedule", "warmup", "min-lr",
                                  "step-size", "gamma", "momentum", "nesterov", "weight-decay", "clip", "beta1",
                                  "beta2", "eps", "val", "val-split", "eval-every", 0};
    static const char *sample[] = {"load", "num", "temperature", "seed", 0};
    static const char *grad[] = {"load", "doc", "out", 0};
    static const char *eval[] = {"load", "data", "threads", "max-data", 0};
    static const char *predict[] = {"load", "data", "out", "threads", "max-data", 0};
    const char **list = c == CMD_TRAIN ? train : c == CMD_SAMPLE ? sample : c == CMD_GRAD ? grad
                        : c == CMD_EVAL ? eval : predict;
    for (; *list; list++)
        if (strcmp(*list, flag) == 0) return 1;
    return 0;
}

/* A real in [0, 1): momentum, beta1, beta2. */
static int parse_unit(Cli *c, const char *flag, const char *s, double *out) {
    if (parse_double(c, flag, s, 0, out)) return 1;
    if (!(*out < 1)) return cli_error(c, "%s: '%s' must be below 1", flag, s);
    return 0;
}

/* One of words[] (NULL-terminated), as its index. */
static int parse_word(Cli *c, const char *flag, const char *s, const char *const *words, const char *choices, int *out) {
    for (int k = 0; words[k]; k++)
        if (!strcmp(s, words[k])) {
            *out = k;
            return 0;
        }
    return cli_error(c, "%s: unknown %s '%s' (%s)", flag, flag + 2, s, choices);
}

/* The optimizer's options (--optimizer, --schedule, ...); -1 when name is none of them. */
static int set_optim(Cli *c, MgOptim *g, const char *name, const char *flag, const char *v) {
    static const char *const kinds[] = {"sgd", "adam", "adamw", 0};
    static const char *const scheds[] = {"constant", "linear", "cosine", "step", 0};
    int k = 0;
    if (!strcmp(name, "optimizer")) {
        if (parse_word(c, flag, v, kinds, "sgd, adam or adamw", &k)) return 1;
        g->kind = (MgOptKind)k;
    } else if (!strcmp(name, "schedule")) {
        if (parse_word(c, flag, v, scheds, "constant, linear, cosine or step", &k)) return 1;
        g->schedule = (MgSchedule)k;
    } else if (!strcmp(name, "nesterov")) {
        if (strcmp(v, "0") && strcmp(v, "1")) return cli_error(c, "%s: '%s' is not 0 or 1", flag, v);
        g->nesterov = v[0] == '1';
    }
    else if (!strcmp(name, "warmup")) return parse_int(c, flag, v, &g->warmup);
    else if (!strcmp(name, "step-size")) return parse_int(c, flag, v, &g->step_size);
    else if (!strcmp(name, "min-lr")) return parse_double(c, flag, v, 0, &g->min_lr);
    else if (!strcmp(name, "gamma")) return parse_double(c, flag, v, 0, &g->gamma);
    else if (!strcmp(name, "weight-decay")) return parse_double(c, flag, v, 0, &g->weight_decay);
    else if (!strcmp(name, "clip")) return parse_double(c, flag, v, 0, &g->clip);
    else if (!strcmp(name, "eps")) return parse_double(c, flag, v, 0, &g->eps);
    else if (!strcmp(name, "momentum")) return parse_unit(c, flag, v, &g->momentum);
    else if (!strcmp(name, "beta1")) return parse_unit(c, flag, v, &g->beta1);
    else if (!strcmp(name, "beta2")) return parse_unit(c, flag, v, &g->beta2);
    else return -1;
    return 0;
}

/* Settings that only make sense together, once every option is read. */
static int check_optim(Cli *c, const MgOptim *g) {
    if (g->schedule == MG_SCHED_STEP && g->step_size < 1)
        return cli_error(c, "the step schedule needs --step-size N (N >= 1)");
    if (g->nesterov && !(g->momentum > 0)) return cli_error(c, "--nesterov 1 needs a --momentum above 0");
    if (g->kind != MG_OPT_SGD && g->momentum > 0)
        return cli_error(c, "--momentum is SGD's; Adam and AdamW have --beta1");
    return 0;
}

static int set_opt(Cli *c, Opts *o, const char *name, const char *flag, const char *v) {
    int r = set_optim(c, &o->optim, name, flag, v);
    if (r >= 0) return r;
    if (!strcmp(name, "data")) o->data = v;
    else if (!strcmp(name, "save")) o->save = v;
    else if (!strcmp(name, "load")) o->load = v;
    else if (!strcmp(name, "log")) o->log = v;
    else if (!strcmp(name, "doc")) o->doc = v;
    else if (!strcmp(name, "out")) o->out = v;
    else if (!strcmp(name, "steps")) { o->has_steps = 1; return parse_int(c, flag, v, &o->steps); }
    else if (!strcmp(name, "num")) return parse_int(c, flag, v, &o->num);
    else if (!strcmp(name, "save-every")) return parse_int(c, flag, v, &o->save_every);
    else if (!strcmp(name, "val")) o->val = v;
    else if (!strcmp(name, "val-split")) {
        if (parse_double(c, flag, v, 1, &o->val_split)) return 1;
        if (!(o->val_split < 1))
            return cli_error(c, "%s: '%s' must be between 0 and 1 (the fraction of the examples held out)", flag, v);
    }
    else if (!strcmp(name, "eval-every")) {
        if (parse_int(c, flag, v, &o->eval_every)) return 1;
        if (o->eval_every < 1) return cli_error(c, "%s: must be at least 1", flag);
    }
    else if (!strcmp(name, "rank-timeout")) return parse_double(c, flag, v, 1, &c->rank_timeout);
    else if (!strcmp(name, "max-data")) {
        int mib = 0;
        if (parse_int(c, flag, v, &mib)) return 1;
        if (mib < 1) return cli_error(c, "%s: must be at least 1 (MiB)", flag);
        o->max_data = (size_t)mib << 20;
    }
    else if (!strcmp(name, "docs")) {
        o->has_text = 1;
        if (!strcmp(v, "lines")) o->text = 0;
        else if (!strcmp(v, "text")) o->text = 1;
        else return cli_error(c, "%s: '%s' is not lines or text", flag, v);
    }
    else if (!strcmp(name, "threads")) {
        if (parse_int(c, flag, v, &o->threads)) return 1;
        if (o->threads < 1) return cli_error(c, "%s: must be at least 1", flag);
#ifndef _OPENMP
        if (o->threads > 1) return cli_error(c, "%s: this trainer was built without OpenMP: it runs one thread", flag);
#endif
    }
    else if (!strcmp(name, "batch")) {
        o->has_batch = 1;
        if (parse_int(c, flag, v, &o->batch)) return 1;
        if (o->batch < 1) return cli_error(c, "%s: must be at least 1", flag);
    }
    else if (!strcmp(name, "seed")) { o->has_seed = 1; return parse_u64(c, flag, v, &o->seed); }
    else if (!strcmp(name, "lr")) { o->has_lr = 1; return parse_double(c, flag, v, 0, &o->lr); }
    else if (!strcmp(name, "temperature")) return parse_double(c, flag, v, 1, &o->temperature);
    else if (!strcmp(name, "progress")) {
        if (!strcmp(v, "auto")) o->progress = PROGRESS_AUTO;
        else if (!strcmp(v, "line")) o->progress = PROGRESS_LINE;
        else if (!strcmp(v, "plain")) o->progress = PROGRESS_PLAIN;
        else return cli_error(c, "%s: '%s' is not auto, line or plain", flag, v);
    }
    if (!*v && strcmp(name, "doc") != 0) return cli_error(c, "%s: expected a file name, got an empty string", flag);
    return 0;
}

/* Returns 0 to run, 1 on error, 2 when help was printed. */
int cli_parse_opts(Cli *c, const MgModel *m, const char *cmd, int argc, char **argv, Opts *o) {
    o->optim = m->optim;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            cli_usage(stdout, m, c->prog);
            return 2;
        }
        if (!strcmp(a, "-o")) a = "--out";     /* predict -o FILE */
        if (strncmp(a, "--", 2) != 0 || !a[2])
            return cli_error(c, "unexpected argument '%s' (try '%s --help')", a, c->prog);
        char name[32];
        const char *eq = strchr(a, '='), *val;
        size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        if (n >= sizeof name || (memcpy(name, a + 2, n), name[n] = '\0', !allowed(o->cmd, name)))
            return cli_error(c, "unknown option '%.*s' for '%s' (try '%s --help')", (int)(n + 2), a, cmd, c->prog);
        char flag[40];
        snprintf(flag, sizeof flag, "--%s", name);
        if (eq) val = eq + 1;
        else if (i + 1 < argc) val = argv[++i];
        else return cli_error(c, "option '%s' needs a value", flag);
        if (set_opt(c, o, name, flag, val)) return 1;
    }
    if (o->val && o->val_split) return cli_error(c, "--val and --val-split are two validation sets; give one");
    if (o->eval_every && !o->val && !o->val_split)
        return cli_error(c, "--eval-every needs a validation set: --val FILE or --val-split FRACTION");
    return check_optim(c, &o->optim);
}
