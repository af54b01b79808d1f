/* checkpoint.c: maps an MgModel's parameter table onto safetensors tensors.
 * Takes the model and a flat array; hands on a file, or params + vocab + step.
 * Invariant: a load either fills all of params or reports why and fills nothing. */
#include "mg_checkpoint.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mg_ckpt_write_like(const char *path, const MgModel *m, const double *data, const MgMeta *meta, int nmeta,
                       MgErr *e) {
    MgTensor *t = malloc((size_t)(m->n_params ? m->n_params : 1) * sizeof *t);
    if (!t) return mg_err(e, "%s: out of memory", path);
    for (int i = 0; i < m->n_params; i++) {
        const MgParam *p = &m->params[i];
        t[i] = (MgTensor){p->name, p->rank, p->shape, data + p->offset};
    }
    int rc = mg_st_write(path, t, m->n_params, meta, nmeta, e);
    free(t);
    return rc;
}

int mg_ckpt_save(const char *path, const MgModel *m, const double *params, const MgVocab *vocab, long step,
                 MgErr *e) {
    char *vs = mg_vocab_to_string(vocab), stepbuf[32];
    if (!vs) return mg_err(e, "%s: cannot serialise the vocabulary", path);
    snprintf(stepbuf, sizeof stepbuf, "%ld", step);
    MgMeta meta[3] = {{"model", m->name}, {"vocab", vs}, {"step", stepbuf}};
    int rc = mg_ckpt_write_like(path, m, params, meta, 3, e);
    free(vs);
    return rc;
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
        for (int k = 0; k < m->n_params && !found; k++) found = strcmp(st->t[i].name, m->params[k].name) == 0;
        if (!found)
            return mg_err(e, "%s: unexpected tensor '%.100s' (model '%s' has no such parameter)", path,
                          st->t[i].name, m->name);
    }
    return 0;
}

int mg_ckpt_load(const char *path, const MgModel *m, double *params, MgVocab *vocab, long *step, MgErr *e) {
    MgSafetensors st;
    memset(vocab, 0, sizeof *vocab);
    if (mg_st_read(&st, path, e) < 0) return -1;
    int rc = check_meta(path, m, &st, vocab, step, e);
    if (rc == 0 && check_tensors(path, m, &st, e) < 0) {
        mg_vocab_free(vocab);
        rc = -1;
    }
    for (int i = 0; rc == 0 && i < m->n_params; i++) {
        const MgParam *p = &m->params[i];
        memcpy(params + p->offset, mg_st_find(&st, p->name)->data, p->size * sizeof *params);
    }
    mg_st_free(&st);
    return rc;
}
