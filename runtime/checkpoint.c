/* checkpoint.c: maps an MgModel's parameter table, and a run's training state,
 * onto safetensors tensors and metadata.  Takes the model and flat arrays; hands
 * on a file, or params + vocab + step (+ state).  Invariant: a load either fills
 * all of params (and the state) or reports why and fills nothing; what it
 * fills is finite (Adam's v also not negative). */
#include "mg_checkpoint.h"

#include "mg_utf8.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FNV_START 0xcbf29ce484222325ull

static uint64_t fnv_bytes(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

/* FNV-1a 64 over values as little-endian IEEE doubles */
static uint64_t fnv_doubles(uint64_t h, const double *x, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint64_t b;
        memcpy(&b, &x[i], sizeof b);
        for (int k = 0; k < 8; k++) {
            h ^= (b >> (8 * k)) & 0xff;
            h *= 0x100000001b3ull;
        }
    }
    return h;
}

/* one metadata entry as KEY NUL VALUE NUL */
static uint64_t fnv_meta(uint64_t h, const char *key, size_t klen, const char *val, size_t vlen) {
    h = fnv_bytes(h, key, klen);
    h = fnv_bytes(h, "", 1);
    h = fnv_bytes(h, val, vlen);
    return fnv_bytes(h, "", 1);
}

/* the tensors of a checkpoint, in order: parameters, then Adam's m and v */
static int ckpt_tensors(const MgModel *m, const double *data, const MgOptimizer *opt, MgTensor **out, char **names,
                        uint64_t *sum) {
    int with = opt && opt->m, n = m->n_params * (with ? 3 : 1);
    MgTensor *t = malloc((size_t)(n ? n : 1) * sizeof *t);
    size_t namelen = 0;
    for (int i = 0; i < m->n_params; i++) namelen += strlen(m->params[i].name) + 16;
    char *buf = malloc(2 * namelen + 1), *w = buf;
    if (!t || !buf) {
        free(t), free(buf);
        return -1;
    }
    *sum = FNV_START;
    for (int part = 0; part < (with ? 3 : 1); part++)
        for (int i = 0; i < m->n_params; i++) {
            const MgParam *p = &m->params[i];
            const double *src = (part == 0 ? data : part == 1 ? opt->m : opt->v) + p->offset;
            const char *name = p->name;
            if (part) {
                name = w;
                w += sprintf(w, "optimizer.%s.%s", part == 1 ? "m" : "v", p->name) + 1;
            }
            t[part * m->n_params + i] = (MgTensor){name, p->rank, p->shape, src};
            *sum = fnv_doubles(*sum, src, p->size);
        }
    *out = t;
    *names = buf;
    return n;
}

int mg_ckpt_write_like(const char *path, const MgModel *m, const double *data, const MgMeta *meta, int nmeta,
                       MgErr *e) {
    MgTensor *t;
    char *names;
    uint64_t sum;
    int n = ckpt_tensors(m, data, NULL, &t, &names, &sum);
    if (n < 0) return mg_err(e, "%s: out of memory", path);
    int rc = mg_st_write(path, t, n, meta, nmeta, e);
    free(t);
    free(names);
    return rc;
}

/* the generator as text: 624 words, index, has_gauss, gauss_next's bits, in hex */
static char *rng_text(const MgRng *r) {
    char *s = malloc(MG_RNG_N * 9 + 64), *w = s;
    if (!s) return NULL;
    for (int i = 0; i < MG_RNG_N; i++) w += sprintf(w, "%08" PRIx32, r->mt[i]);
    uint64_t g;
    memcpy(&g, &r->gauss_next, sizeof g);
    sprintf(w, ":%d:%d:%016" PRIx64, r->index, r->has_gauss, g);
    return s;
}

static int rng_parse(MgRng *r, const char *s) {
    size_t n = strlen(s);
    if (n < MG_RNG_N * 8 + 2) return -1;
    for (int i = 0; i < MG_RNG_N; i++) {
        char word[9];
        memcpy(word, s + 8 * i, 8);
        word[8] = 0;
        char *end;
        unsigned long v = strtoul(word, &end, 16);
        if (*end || strspn(word, "0123456789abcdef") != 8) return -1;
        r->mt[i] = (uint32_t)v;
    }
    int index, has;
    char gbuf[17];
    if (sscanf(s + 8 * MG_RNG_N, ":%d:%d:%16[0-9a-f]", &index, &has, gbuf) != 3 || index < 0 || index > MG_RNG_N ||
        (has != 0 && has != 1) || strlen(gbuf) != 16)
        return -1;
    uint64_t g = strtoull(gbuf, NULL, 16);
    r->index = index, r->has_gauss = has;
    memcpy(&r->gauss_next, &g, sizeof g);
    return 0;
}

/* The metadata of a checkpoint and the buffers its values live in. */
typedef struct MetaBuf {
    MgMeta m[24];           /* meta_fill adds at most 15 (and then the checksum) */
    int n;
    char step[24], steps[24], lr[32], seed[24], docs[24], docs_sum[40], sum[40], data[256], batch[24], val[256];
    char inputs[1024], optim[512];
    char *vocab, *rng;
} MetaBuf;

/* The optimizer settings a resumed run must share with the run it resumes,
 * as the trainer's options name them, each setting that matters to c's
 * optimizer and schedule: "optimizer=sgd schedule=linear warmup=0 ...".
 * lr and steps are not among them: they are the state's own. */
/* " NAME=X" with the shortest %g that reads back as x */
static int real_setting(char *buf, size_t cap, const char *name, double x) {
    char t[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(t, sizeof t, "%.*g", prec, x);
        if (strtod(t, NULL) == x) break;
    }
    return snprintf(buf, cap, " %s=%s", name, t);
}

static void optim_text(const MgOptim *c, char *buf, size_t cap) {
    static const char *kind[] = {"sgd", "adam", "adamw"}, *sched[] = {"constant", "linear", "cosine", "step"};
    int w = snprintf(buf, cap, "optimizer=%s schedule=%s warmup=%d", kind[c->kind], sched[c->schedule], c->warmup);
    if (c->schedule == MG_SCHED_STEP) {
        w += snprintf(buf + w, cap - (size_t)w, " step-size=%d", c->step_size);
        w += real_setting(buf + w, cap - (size_t)w, "gamma", c->gamma);
    }
    if (c->schedule == MG_SCHED_LINEAR || c->schedule == MG_SCHED_COSINE)
        w += real_setting(buf + w, cap - (size_t)w, "min-lr", c->min_lr);
    if (c->kind == MG_OPT_SGD) {
        w += real_setting(buf + w, cap - (size_t)w, "momentum", c->momentum);
        w += snprintf(buf + w, cap - (size_t)w, " nesterov=%d", c->nesterov);
    } else {
        w += real_setting(buf + w, cap - (size_t)w, "beta1", c->beta1);
        w += real_setting(buf + w, cap - (size_t)w, "beta2", c->beta2);
        w += real_setting(buf + w, cap - (size_t)w, "eps", c->eps);
    }
    w += real_setting(buf + w, cap - (size_t)w, "weight-decay", c->weight_decay);
    real_setting(buf + w, cap - (size_t)w, "clip", c->clip);
}

/* The first setting of `was` that `now` differs in, in the words of the
 * trainer's options ("--momentum 0.5 ... --momentum 0.9"). */
static int optim_mismatch(const char *path, const char *was, const char *now, MgErr *e) {
    char a[64] = "", b[64] = "";
    for (const char *p = was, *q = now; *p || *q;) {
        size_t n = strcspn(p, " "), k = strcspn(q, " ");
        snprintf(a, sizeof a, "%.*s", (int)n, p);
        snprintf(b, sizeof b, "%.*s", (int)k, q);
        if (strcmp(a, b)) break;
        p += n + (p[n] == ' '), q += k + (q[k] == ' ');
    }
    char *ea = strchr(a, '='), *eb = strchr(b, '=');
    if (ea) *ea = ' ';
    if (eb) *eb = ' ';
    return mg_err(e, "%s: cannot resume this run with --%s: it trained with --%s (give the optimizer settings it "
                  "trained with)", path, eb ? b : "(nothing)", ea ? a : "(nothing)");
}

/* s as valid UTF-8 (a file name may not be): each invalid byte becomes '?'. */
static void utf8_clean(char *out, size_t cap, const char *s) {
    size_t w = 0, n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        int k = mg_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (w + (size_t)(k ? k : 1) >= cap) break;
        if (k) memcpy(out + w, s + i, (size_t)k);
        else out[w] = '?';
        w += (size_t)(k ? k : 1);
        i += (size_t)(k ? k : 1);
    }
    out[w] = '\0';
}

static void meta_add(MetaBuf *b, const char *key, const char *value) { b->m[b->n++] = (MgMeta){key, value}; }

static void shape_text(const int *shape, int rank, char *buf, size_t cap);

/* A model of examples: its inputs as the checkpoint records them,
 * "x: real [2], y: int < 3 []" */
static void inputs_text(const MgModel *m, char *buf, size_t cap) {
    size_t w = 0;
    buf[0] = '\0';
    for (int i = 0; i < m->n_inputs && w < cap; i++) {
        const MgField *f = &m->inputs[i];
        char shape[128];
        shape_text(f->shape, f->rank, shape, sizeof shape);
        if (f->is_int)
            w += (size_t)snprintf(buf + w, cap - w, "%s%s: int < %ld %s", i ? ", " : "", f->name, f->range, shape);
        else
            w += (size_t)snprintf(buf + w, cap - w, "%s%s: real %s", i ? ", " : "", f->name, shape);
    }
}

/* Everything but the checksum; -1 when out of memory. */
static int meta_fill(MetaBuf *b, const MgModel *m, const MgVocab *vocab, long step, const MgTrainState *st) {
    memset(b, 0, sizeof *b);
    b->vocab = mg_vocab_to_string(vocab);
    b->rng = st && st->rng ? rng_text(st->rng) : NULL;
    if (!b->vocab || (st && st->rng && !b->rng)) return -1;
    snprintf(b->step, sizeof b->step, "%ld", step);
    meta_add(b, "model", m->name);
    meta_add(b, "vocab", b->vocab);
    meta_add(b, "step", b->step);
    if (m->n_inputs > 0) {
        inputs_text(m, b->inputs, sizeof b->inputs);
        meta_add(b, "inputs", b->inputs);
    }
    if (!st) return 0;
    snprintf(b->steps, sizeof b->steps, "%ld", st->steps);
    snprintf(b->lr, sizeof b->lr, "%.17g", st->lr);
    snprintf(b->seed, sizeof b->seed, "%" PRIu64, st->seed);
    snprintf(b->docs, sizeof b->docs, "%zu", st->docs);
    snprintf(b->docs_sum, sizeof b->docs_sum, "fnv1a64:%016" PRIx64, st->docs_sum);
    meta_add(b, "steps", b->steps);
    meta_add(b, "lr", b->lr);
    meta_add(b, "seed", b->seed);
    utf8_clean(b->data, sizeof b->data, st->data);
    meta_add(b, "data", b->data);
    meta_add(b, "docs", b->docs);
    meta_add(b, "docs_checksum", b->docs_sum);
    snprintf(b->batch, sizeof b->batch, "%ld", st->batch > 0 ? st->batch : 1);
    meta_add(b, "batch", b->batch);
    meta_add(b, "docs_mode", st->text ? "text" : "lines");
    if (st->val[0]) {
        utf8_clean(b->val, sizeof b->val, st->val);
        meta_add(b, "validation", b->val);
    }
    if (st->opt) {
        optim_text(&st->opt->cfg, b->optim, sizeof b->optim);
        meta_add(b, "optimizer", b->optim);
    }
    if (b->rng) meta_add(b, "rng", b->rng);
    return 0;
}

int mg_ckpt_save_state(const char *path, const MgModel *m, const double *params, const MgVocab *vocab, long step,
                       const MgTrainState *st, MgErr *e) {
    MgTensor *t = NULL;
    char *names = NULL;
    uint64_t sum;
    MetaBuf mb;
    int n = ckpt_tensors(m, params, st ? st->opt : NULL, &t, &names, &sum), rc;
    if (meta_fill(&mb, m, vocab, step, st) < 0 || n < 0) {
        rc = mg_err(e, "%s: out of memory", path);
    } else {
        for (int i = 0; i < mb.n; i++)
            sum = fnv_meta(sum, mb.m[i].key, strlen(mb.m[i].key), mb.m[i].value, strlen(mb.m[i].value));
        snprintf(mb.sum, sizeof mb.sum, "fnv1a64:%016" PRIx64, sum);
        meta_add(&mb, "checksum", mb.sum);
        rc = mg_st_write(path, t, n, mb.m, mb.n, e);
    }
    if (n >= 0) free(t), free(names);
    free(mb.vocab), free(mb.rng);
    return rc;
}

int mg_ckpt_save(const char *path, const MgModel *m, const double *params, const MgVocab *vocab, long step,
                 MgErr *e) {
    return mg_ckpt_save_state(path, m, params, vocab, step, NULL, e);
}

static void shape_text(const int *shape, int rank, char *buf, size_t cap) {
    size_t w = (size_t)snprintf(buf, cap, "[");
    for (int d = 0; d < rank && w < cap; d++) w += (size_t)snprintf(buf + w, cap - w, d ? ", %d" : "%d", shape[d]);
    if (w < cap) snprintf(buf + w, cap - w, "]");
}

static void st_shape_text(const MgStTensor *t, char *buf, size_t cap) {
    size_t w = (size_t)snprintf(buf, cap, "[");
    for (int d = 0; d < t->rank && w < cap; d++)
        w += (size_t)snprintf(buf + w, cap - w, d ? ", %llu" : "%llu", (unsigned long long)t->shape[d]);
    if (w < cap) snprintf(buf + w, cap - w, "]");
}

static int shape_eq(const MgParam *p, const MgStTensor *t) {
    if (p->rank != t->rank) return 0;
    for (int d = 0; d < p->rank; d++)
        if ((uint64_t)p->shape[d] != t->shape[d]) return 0;
    return 1;
}

static int parse_step(const char *s, long *out) {
    long v = 0;
    if (!*s) return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (0x7fffffffL - (*s - '0')) / 10) return -1;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return 0;
}

static int check_meta(const char *path, const MgModel *m, const MgSafetensors *st, MgVocab *vocab, long *step,
                      MgErr *e) {
    static const char *keys[] = {"model", "vocab", "step"};
    for (int i = 0; i < 3; i++)
        if (!mg_st_meta(st, keys[i])) return mg_err(e, "%s: missing metadata '%s' (not an mgc checkpoint?)", path, keys[i]);
    const char *model = mg_st_meta(st, "model"), *vs = mg_st_meta(st, "vocab"), *sv = mg_st_meta(st, "step");
    if (strcmp(model, m->name) != 0)
        return mg_err(e, "%s: checkpoint is for model '%.100s', not '%s'", path, model, m->name);
    if (parse_step(sv, step) < 0)
        return mg_err(e, "%s: metadata 'step' is not a non-negative integer: '%.40s'", path, sv);
    if (m->n_inputs > 0) {     /* a model of examples: no vocabulary, its inputs instead */
        char want[1024];
        const char *got = mg_st_meta(st, "inputs");
        inputs_text(m, want, sizeof want);
        if (!got || strcmp(got, want) != 0)
            return mg_err(e, "%s: checkpoint inputs are '%.300s' but model '%s' reads '%.300s'", path,
                          got ? got : "(none: a text model's)", m->name, want);
        return 0;
    }
    MgErr ve;
    if (mg_vocab_from_string(vocab, vs, strlen(vs), &ve) < 0)
        return mg_err(e, "%s: metadata 'vocab': %s", path, ve.msg);
    if (mg_vocab_size(vocab) != m->vocab) {
        int n = vocab->n;
        mg_vocab_free(vocab);
        return mg_err(e, "%s: checkpoint vocabulary has %d tokens (%d characters + BOS) but model '%s' has %d",
                      path, n + 1, n, m->name, m->vocab);
    }
    return 0;
}

static int check_tensors(const char *path, const MgModel *m, const MgSafetensors *st, MgErr *e) {
    char a[128], b[128];
    for (int i = 0; i < m->n_params; i++) {
        const MgParam *p = &m->params[i];
        const MgStTensor *t = mg_st_find(st, p->name);
        if (!t) return mg_err(e, "%s: missing tensor '%s' (a parameter of model '%s')", path, p->name, m->name);
        if (!shape_eq(p, t)) {
            st_shape_text(t, a, sizeof a);
            shape_text(p->shape, p->rank, b, sizeof b);
            return mg_err(e, "%s: tensor '%s' has shape %s but model '%s' expects %s", path, p->name, a, m->name, b);
        }
    }
    for (int i = 0; i < st->n; i++) {
        int found = 0;
        const char *name = st->t[i].name;
        if (!strncmp(name, "optimizer.m.", 12) || !strncmp(name, "optimizer.v.", 12)) name += 12;
        for (int k = 0; k < m->n_params && !found; k++) found = strcmp(name, m->params[k].name) == 0;
        if (!found)
            return mg_err(e, "%s: unexpected tensor '%.100s' (model '%s' has no such parameter)", path,
                          st->t[i].name, m->name);
    }
    return 0;
}

/* the optimizer tensors, all or none, with the parameters' shapes */
static int check_state(const char *path, const MgModel *m, const MgSafetensors *st, int *with, MgErr *e) {
    char name[300];
    int have = 0;
    for (int i = 0; i < 2 * m->n_params; i++) {
        const MgParam *p = &m->params[i % m->n_params];
        snprintf(name, sizeof name, "optimizer.%s.%s", i < m->n_params ? "m" : "v", p->name);
        const MgStTensor *t = mg_st_find(st, name);
        if (t && !shape_eq(p, t)) return mg_err(e, "%s: tensor '%s' does not have the shape of '%s'", path, name, p->name);
        have += t != NULL;
    }
    if (have && have != 2 * m->n_params)
        return mg_err(e, "%s: the optimizer state is incomplete (%d of %d tensors)", path, have, 2 * m->n_params);
    *with = have > 0;
    return 0;
}

static const double *find_data(const MgSafetensors *st, const char *prefix, const char *name) {
    char full[300];
    snprintf(full, sizeof full, "%s%s", prefix, name);
    return mg_st_find(st, full)->data;
}

static int check_sum(const char *path, const MgModel *m, const MgSafetensors *st, int with, MgErr *e) {
    const char *want = mg_st_meta(st, "checksum");
    if (!want) return mg_err(e, "%s: missing metadata 'checksum' (not an mgc checkpoint?)", path);
    static const char *prefix[] = {"", "optimizer.m.", "optimizer.v."};
    uint64_t sum = FNV_START;
    for (int part = 0; part < (with ? 3 : 1); part++)
        for (int i = 0; i < m->n_params; i++)
            sum = fnv_doubles(sum, find_data(st, prefix[part], m->params[i].name), m->params[i].size);
    for (int c = st->meta->first; c >= 0; c = st->json.nodes[c].next) {
        const MgJsonNode *kv = &st->json.nodes[c];
        if (strcmp(kv->key, "checksum") != 0) sum = fnv_meta(sum, kv->key, kv->keylen, kv->str, kv->len);
    }
    char got[40];
    snprintf(got, sizeof got, "fnv1a64:%016" PRIx64, sum);
    if (strcmp(got, want) != 0)
        return mg_err(e, "%s: checksum mismatch (the file says %.40s, its contents give %s): the data is corrupt",
                      path, want, got);
    return 0;
}

void mg_element_text(const MgParam *p, size_t k, char *buf, size_t cap) {
    size_t idx[MG_MAX_RANK];
    for (int d = p->rank - 1; d >= 0; d--) idx[d] = k % (size_t)p->shape[d], k /= (size_t)p->shape[d];
    size_t w = (size_t)snprintf(buf, cap, "[");
    for (int d = 0; d < p->rank && w < cap; d++) w += (size_t)snprintf(buf + w, cap - w, d ? ", %zu" : "%zu", idx[d]);
    if (w < cap) snprintf(buf + w, cap - w, "]");
}

/* Every value of the tensors named prefix + each parameter's name is finite
 * (and, for Adam's v, not negative); else the first that is not, named. */
static int check_values(const char *path, const MgModel *m, const MgSafetensors *st, const char *prefix, MgErr *e) {
    int second = !strcmp(prefix, "optimizer.v.");
    for (int i = 0; i < m->n_params; i++) {
        const MgParam *p = &m->params[i];
        const double *x = find_data(st, prefix, p->name);
        for (size_t k = 0; k < p->size; k++) {
            if (isfinite(x[k]) && !(second && x[k] < 0)) continue;
            char at[96], val[40];
            mg_element_text(p, k, at, sizeof at);
            if (isfinite(x[k])) snprintf(val, sizeof val, "%.17g", x[k]);
            else snprintf(val, sizeof val, "%s", isnan(x[k]) ? "nan" : x[k] > 0 ? "inf" : "-inf");
            if (!*prefix)
                return mg_err(e, "%s: parameter '%s' element %s is %s; a checkpoint holds finite numbers (was it saved "
                              "after training diverged?)", path, p->name, at, val);
            return mg_err(e, "%s: Adam's moment '%s%s' element %s is %s%s", path, prefix, p->name, at, val,
                          isfinite(x[k]) ? ", but a second moment is never negative" : "; a checkpoint holds finite numbers");
        }
    }
    return 0;
}

/* a decimal integer without sign, fitting uint64_t */
static int parse_u64(const char *s, uint64_t *out) {
    uint64_t v = 0;
    if (!*s) return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10) return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 0;
}

static int parse_lr(const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(v) || v < 0) return -1;
    *out = v;
    return 0;
}

static int parse_fnv(const char *s, uint64_t *out) {
    if (strncmp(s, "fnv1a64:", 8) != 0 || strlen(s) != 24 || strspn(s + 8, "0123456789abcdef") != 16) return -1;
    *out = strtoull(s + 8, NULL, 16);
    return 0;
}

/* The state's scalar metadata into t (all of it must be there). */
static int parse_state(const char *path, const MgSafetensors *st, MgTrainState *t, MgRng *rng, MgErr *e) {
    static const char *keys[] = {"steps", "lr", "seed", "data", "docs", "docs_checksum", "rng"};
    const char *v[7];
    uint64_t docs;
    for (int i = 0; i < 7; i++)
        if (!(v[i] = mg_st_meta(st, keys[i])))
            return mg_err(e, "%s: the training state is incomplete (no metadata '%s')", path, keys[i]);
    int bad = parse_step(v[0], &t->steps) < 0 ? 0 : parse_lr(v[1], &t->lr) < 0 ? 1
              : parse_u64(v[2], &t->seed) < 0 ? 2 : parse_u64(v[4], &docs) < 0 ? 4
              : parse_fnv(v[5], &t->docs_sum) < 0 ? 5 : rng_parse(rng, v[6]) < 0 ? 6 : -1;
    if (bad >= 0) return mg_err(e, "%s: metadata '%s' is not valid: '%.40s'", path, keys[bad], v[bad]);
    t->docs = (size_t)docs;
    snprintf(t->data, sizeof t->data, "%s", v[3]);
    /* optional: checkpoints from before batches trained one document per step */
    const char *b = mg_st_meta(st, "batch");
    t->batch = 1;
    if (b && (parse_step(b, &t->batch) < 0 || t->batch < 1))
        return mg_err(e, "%s: metadata 'batch' is not valid: '%.40s'", path, b);
    const char *mode = mg_st_meta(st, "docs_mode");     /* optional too: lines before text existed */
    if (mode && strcmp(mode, "lines") && strcmp(mode, "text"))
        return mg_err(e, "%s: metadata 'docs_mode' is not valid: '%.40s'", path, mode);
    t->text = mode && !strcmp(mode, "text");
    const char *val = mg_st_meta(st, "validation");     /* optional: runs without validation have none */
    snprintf(t->val, sizeof t->val, "%s", val ? val : "");
    return 0;
}

static int load_state(const char *path, const MgModel *m, const MgSafetensors *st, MgTrainState *ts, int with,
                      MgErr *e) {
    MgTrainState t = *ts;
    MgRng r;
    if (parse_state(path, st, &t, &r, e) < 0) return -1;
    const char *was = mg_st_meta(st, "optimizer");     /* optional: checkpoints from before it was recorded */
    if (was && ts->opt) {
        char now[512];
        optim_text(&ts->opt->cfg, now, sizeof now);
        if (strcmp(was, now)) return optim_mismatch(path, was, now, e);
    }
    if (with != (ts->opt && ts->opt->m != NULL))
        return mg_err(e, "%s: the checkpoint %s Adam's moments but model '%s' uses %s", path, with ? "has" : "lacks",
                      m->name, with ? "SGD" : "Adam");
    *ts = t;
    *ts->rng = r;
    for (int i = 0; with && i < m->n_params; i++) {
        const MgParam *p = &m->params[i];
        memcpy(ts->opt->m + p->offset, find_data(st, "optimizer.m.", p->name), p->size * sizeof(double));
        memcpy(ts->opt->v + p->offset, find_data(st, "optimizer.v.", p->name), p->size * sizeof(double));
    }
    return 0;
}

/* What a checkpoint's header is checked against before its data is read. */
typedef struct HeaderCheck {
    const char *path;
    const MgModel *m;
    MgVocab *vocab;
    long step;
    int with;               /* it has Adam's moments */
} HeaderCheck;

static int check_header(const MgSafetensors *st, void *ctx, MgErr *e) {
    HeaderCheck *h = ctx;
    if (check_meta(h->path, h->m, st, h->vocab, &h->step, e) < 0) return -1;
    if (check_tensors(h->path, h->m, st, e) < 0 || check_state(h->path, h->m, st, &h->with, e) < 0) {
        mg_vocab_free(h->vocab);
        return -1;
    }
    return 0;
}

int mg_ckpt_load_state(const char *path, const MgModel *m, double *params, MgVocab *vocab, long *step,
                       MgTrainState *ts, int *resumable, MgErr *e) {
    MgSafetensors st;
    HeaderCheck h = {path, m, vocab, 0, 0};
    memset(vocab, 0, sizeof *vocab);
    if (resumable) *resumable = 0;
    /* names and shapes are the model's before the data is read, so the data
     * read is at most the parameters and Adam's moments */
    if (mg_st_read_checked(&st, path, check_header, &h, e) < 0) {
        mg_vocab_free(vocab);
        return -1;
    }
    int with = h.with, rc = check_sum(path, m, &st, with, e);
    int has_state = rc == 0 && (mg_st_meta(&st, "rng") || mg_st_meta(&st, "steps"));
    if (rc == 0) rc = check_values(path, m, &st, "", e);
    if (rc == 0 && ts && has_state && with)    /* the moments only when they are loaded (not by sample) */
        rc = check_values(path, m, &st, "optimizer.m.", e) < 0 || check_values(path, m, &st, "optimizer.v.", e) < 0 ? -1 : 0;
    if (rc == 0 && ts && has_state && load_state(path, m, &st, ts, with, e) < 0) rc = -1;
    for (int i = 0; rc == 0 && i < m->n_params; i++) {
        const MgParam *p = &m->params[i];
        memcpy(params + p->offset, mg_st_find(&st, p->name)->data, p->size * sizeof *params);
    }
    if (rc == 0) *step = h.step;
    if (rc == 0 && resumable) *resumable = ts && has_state;
    if (rc != 0) mg_vocab_free(vocab);
    mg_st_free(&st);
    return rc;
}

int mg_ckpt_load(const char *path, const MgModel *m, double *params, MgVocab *vocab, long *step, MgErr *e) {
    return mg_ckpt_load_state(path, m, params, vocab, step, NULL, NULL, e);
}
