/* cli_batch.c: one step's loss and gradients over a batch of documents, summed
 * pairwise in a fixed tree whose nodes threads (and MPI ranks) take.
 * Takes a Run with its documents; hands on r->grads and the step's loss.
 * Invariant: every thread count, and a power of two of ranks, gives the bits of one thread
 * (except code from mgc --dtype=f32, whose batch is step_part_f32's, to f32's tolerance). */
#include "cli_internal.h"
#include "mg_bigmem.h"

#include <stdlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* T = min(block_size, len + 1) positions of document d: a document longer
 * than the block is cropped, as the reference does. */
static int doc_positions(const Run *r, size_t d) {
    if (r->cli->ex) return 1;      /* an example weighs one */
    size_t len = r->docs.docs[d].len;
    return len + 1 < (size_t)r->m->block_size ? (int)len + 1 : r->m->block_size;
}

/* tokens = ([BOS] + ids(doc) + [BOS])[0 .. T]; returns T */
static int doc_tokens(const Run *r, size_t d, int *tokens) {
    const MgDoc *doc = &r->docs.docs[d];
    int bos = mg_vocab_bos(&r->vocab), T = doc_positions(r, d);
    tokens[0] = bos;
    for (int i = 1; i <= T; i++)
        tokens[i] = (size_t)(i - 1) < doc->len ? mg_vocab_id(&r->vocab, r->docs.cps[doc->off + (size_t)i - 1]) : bos;
    return T;
}

/* The fast modes' batch (step_part_f32): code from mgc --dtype=f32 for a
 * text model. */
static int batch_f32(const Run *r) { return r->m->loss_grad_f32 && !r->cli->ex; }

/* A batch's buffers: one document's gradients and the pairwise sums' levels
 * for each thread, and for each thread past the first its own scratch,
 * tokens and node sum.  Threads: the largest power of two <= --threads and
 * <= the batch, so that they take whole nodes of the batch's summation tree.
 * The interpreter keeps state in its ctx, so it runs one thread. */
int cli_alloc_batch(Run *r, const Opts *o) {
    const MgModel *m = r->m;
    int want = o->threads > 0 ? o->threads : 1, N = 1;
    if (want > 1 && m->ctx)
        return cli_error(r->cli, "--threads %d: the interpreter runs one thread (a compiled trainer runs more)",
                         o->threads);
    while (N * 2 <= want && N * 2 <= r->batch && N < 64) N *= 2;
    r->threads = N;
    if (N > 1)
        mg_blas_threads(1);     /* (each thread's documents call it) */
    if (r->batch * r->cli->ranks == 1) return 0;
    size_t np = m->n_scalars ? m->n_scalars : 1, k = (size_t)N - 1;
    int f32 = batch_f32(r);     /* no tree: no levels, no per-document gradients */
    for (r->depth = 1; (1L << r->depth) < r->batch; r->depth++) {}
    r->gdoc = mg_big_calloc(np + 1, sizeof *r->gdoc);      /* (+1: ranks_combine sends a sum and a loss) */
    r->tloss = calloc((size_t)N, sizeof *r->tloss);
    r->lev = f32 ? NULL : mg_big_calloc((size_t)N * (size_t)r->depth * np, sizeof *r->lev);
    r->pf = f32 ? mg_big_calloc(np, sizeof *r->pf) : NULL;
    r->gf = f32 ? mg_big_calloc((size_t)N * np, sizeof *r->gf) : NULL;
    int ranks_ok = 1;
    if (r->cli->ranks > 1 && r->cli->rank == 0) {
        r->gathered = calloc(((size_t)r->cli->ranks) * (np + 1), sizeof *r->gathered);
        r->rank_sums = calloc((size_t)r->cli->ranks, sizeof *r->rank_sums);
        r->rank_losses = calloc((size_t)r->cli->ranks, sizeof *r->rank_losses);
        ranks_ok = r->gathered && r->rank_sums && r->rank_losses;
#ifdef MGC_MPI
        r->rank_req = calloc((size_t)r->cli->ranks, sizeof *r->rank_req);
        ranks_ok = ranks_ok && r->rank_req;
#endif
    }
    if (N > 1) {
        r->tscratch = mg_big_calloc(k * (m->scratch ? m->scratch : 1), sizeof *r->tscratch);
        r->tgdoc = f32 ? NULL : mg_big_calloc(k * np, sizeof *r->tgdoc);
        r->tacc = mg_big_calloc(k * np, sizeof *r->tacc);
        r->ttokens = calloc(k * ((size_t)m->block_size + 2), sizeof *r->ttokens);
    }
    if (f32 && m->loss_grad_batch_f32) {     /* (one call for a batch whose documents share T) */
        size_t B = (size_t)r->batch;
        r->bscratch = mg_big_calloc(B * (m->batch_scratch ? m->batch_scratch : 1), sizeof *r->bscratch);
        r->bweights = calloc(B, sizeof *r->bweights);
        r->btokens = calloc(B * ((size_t)m->block_size + 1), sizeof *r->btokens);
        if (!r->bscratch || !r->bweights || !r->btokens)
            return cli_error(r->cli, "out of memory (a batch of %d in one call)", r->batch);
    }
    if (!r->gdoc || !r->tloss || (f32 ? !r->pf || !r->gf : !r->lev) || !ranks_ok ||
        (N > 1 && (!r->tscratch || (!f32 && !r->tgdoc) || !r->tacc || !r->ttokens)))
        return cli_error(r->cli, "out of memory (%zu parameters, %d threads)", m->n_scalars, N);
    return 0;
}

static double step_part(Run *r, size_t first, size_t lo, size_t hi, long W);

/* One thread's buffers for the sums of a batch. */
typedef struct Worker {
    int *tokens;
    double *scratch, *gdoc, *lev;
} Worker;

/* Document `first + j`'s loss and gradients, weighted by its share of the W
 * positions: out = w g, or out += w g when `add` (the same bits as adding a
 * copy of w g: the product is rounded before the sum either way). */
static double tree_leaf(const Run *r, const Worker *k, size_t first, size_t j, long W, double *out, int add) {
    const MgModel *m = r->m;
    size_t np = m->n_scalars;
    size_t d = (first + j) % cli_ndocs(r);
    int T = r->cli->ex ? 1 : doc_tokens(r, d, k->tokens);
    double L = r->cli->ex ? cli_example_loss(r, r->order[d], k->gdoc, k->scratch)
                          : m->loss_grad(m->ctx, r->params, k->gdoc, k->tokens, T, k->scratch);
    double w = (double)T / (double)W;
    const double *g = k->gdoc;
    if (add)
        for (size_t i = 0; i < np; i++) out[i] += w * g[i];
    else
        for (size_t i = 0; i < np; i++) out[i] = w * g[i];
    return w * L;
}

/* The summation tree of a batch: documents [lo, hi) of the global batch
 * starting at document `first` sum as [lo, mid) + [mid, hi), mid = lo +
 * (hi - lo) / 2, down to single documents, which give w_b * (gradients of b),
 * w_b = T_b / W.  The same tree whoever computes which node, so that threads
 * and MPI ranks that take whole nodes (a power of two of them, splitting a
 * batch that they divide) give the bits of one process; others differ in
 * the last bits only.  out = the node's sum; returns the sum of w_b * loss_b.
 * A right half of one document is added into out as it is made, which saves
 * writing and reading back a copy of every gradient (the same bits). */
static double tree_sum(const Run *r, const Worker *k, size_t first, size_t lo, size_t hi, long W, double *out,
                       int level) {
    size_t np = r->m->n_scalars;
    if (hi - lo == 1) return tree_leaf(r, k, first, lo, W, out, 0);
    size_t mid = lo + (hi - lo) / 2;
    double a = tree_sum(r, k, first, lo, mid, W, out, level + 1);
    if (hi - mid == 1) return a + tree_leaf(r, k, first, mid, W, out, 1);
    double *right = k->lev + (size_t)level * np;
    double b = tree_sum(r, k, first, mid, hi, W, right, level + 1);
    for (size_t i = 0; i < np; i++) out[i] += right[i];
    return a + b;
}

/* the node of the tree over [lo, hi) at `depth` levels down, t-th from the left */
static void tree_node(size_t lo, size_t hi, int depth, size_t t, size_t *a, size_t *b) {
    for (int d = depth - 1; d >= 0; d--) {
        size_t mid = lo + (hi - lo) / 2;
        if ((t >> d) & 1) lo = mid;
        else hi = mid;
    }
    *a = lo, *b = hi;
}

/* sum[j] += sum[j + step] for j = 0, 2 step, ..., pairwise up to sum[0]: the
 * top of the tree over n node sums of np doubles each (n a power of two),
 * sums[j] at sums + j * stride; loss[] likewise */
void cli_tree_top(double *const *sums, double *loss, int n, size_t np, int threads) {
    for (int step = 1; step < n; step *= 2)
        for (int j = 0; j + step < n; j += 2 * step) {
            double *x = sums[j];
            const double *y = sums[j + step];
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
            for (size_t i = 0; i < np; i++) x[i] += y[i];
            loss[j] += loss[j + step];
        }
    (void)threads;
}

/* The loss of step s (0-based) and its gradients in r->grads; *ntok = the
 * positions trained on.  Batch B: the mean over all target positions of
 * documents s*B .. s*B+B-1, i.e. the sum of each document's mean loss (and
 * gradients) weighted by its share T_b / sum(T) of the positions, summed
 * pairwise (tree_sum).  Under MPI, rank k takes documents k*B .. k*B+B-1 of a
 * global batch of B * ranks.  With B = 1 the weight is 1 and nothing changes. */
double cli_step_loss(Run *r, int s, long *ntok) {
    const MgModel *m = r->m;
    size_t n = cli_ndocs(r), B = (size_t)r->batch, G = B * (size_t)r->cli->ranks, gfirst = (size_t)s * G % n;
    if (G == 1 && r->cli->ex) {
        *ntok = 1;
        return cli_example_loss(r, r->order[gfirst], r->grads, r->scratch);
    }
    if (G == 1) {
        int T = doc_tokens(r, gfirst, r->tokens);
        *ntok = T;
        if (r->fopt.p)    /* float parameters and gradients (cli_train.c's float_setup) */
            return m->loss_grad_f32(m->ctx, r->fopt.p, r->fopt.g, r->tokens, T, r->scratch);
        return m->loss_grad(m->ctx, r->params, r->grads, r->tokens, T, r->scratch);
    }
    long W = 0;
    for (size_t b = 0; b < G; b++) W += doc_positions(r, (gfirst + b) % n);
    *ntok = W;
    double loss = step_part(r, gfirst, (size_t)r->cli->rank * B, (size_t)r->cli->rank * B + B, W);
    if (r->cli->ranks > 1) loss = cli_ranks_combine(r, r->grads, m->n_scalars, loss, s + 1);
    return loss;
}

/* do documents [lo, hi) of the batch from `first` all have the same T? */
static int same_length(const Run *r, size_t first, size_t lo, size_t hi) {
    int T = doc_positions(r, (first + lo) % cli_ndocs(r));
    for (size_t i = lo + 1; i < hi; i++)
        if (doc_positions(r, (first + i) % cli_ndocs(r)) != T) return 0;
    return 1;
}

/* A batch whose documents share T (same_length) in one call of
 * MgModel.loss_grad_batch_f32 on the float parameters pf: products over all
 * B x T rows, the gradients summed into one float buffer as they are made
 * (the float optimizer's, or r->gf and then r->grads); threads: the call's
 * (OpenMP's --threads), the BLAS on one. */
static double step_batch_call(Run *r, const float *pf, size_t first, size_t lo, size_t hi, long W) {
    const MgModel *m = r->m;
    size_t np = m->n_scalars, n = hi - lo;
    int T = doc_positions(r, (first + lo) % cli_ndocs(r));
    for (size_t i = 0; i < n; i++) {
        doc_tokens(r, (first + lo + i) % cli_ndocs(r), r->btokens + i * ((size_t)T + 1));
        r->bweights[i] = (double)T / (double)W;
    }
    float *gf = r->fopt.p ? r->fopt.g : r->gf;
    double loss = m->loss_grad_batch_f32(m->ctx, pf, gf, r->btokens, (int)n, T, r->bweights, r->bscratch);
    if (r->fopt.p) return loss;     /* (the float optimizer takes them as they are) */
    double *g = r->grads;
    for (size_t i = 0; i < np; i++) g[i] = gf[i];
    return loss;
}

/* The fast modes' batch (batch_f32: MgModel.loss_grad_f32): the float
 * parameters of float training (cli_train.c's float_setup, which then takes
 * the float gradients), else the parameters converted to float once a step;
 * one call for a batch of one length (step_batch_call); else thread t's share of
 * documents [lo, hi) adds w_b * (each one's float gradients) into one double
 * buffer of its own (thread 0: r->grads), no per-document buffer kept for a
 * tree, then one sum over the threads.  Not the tree's order: within f32's
 * tolerance of it, and of other thread counts, not their bits. */
static double step_docs_f32(Run *r, const float *pf, size_t first, size_t lo, size_t hi, long W);

static double step_part_f32(Run *r, size_t first, size_t lo, size_t hi, long W) {
    size_t np = r->m->n_scalars;
    int N = r->threads;
    float *pf = r->fopt.p ? r->fopt.p : r->pf;     /* (float training: the parameters themselves) */
    const double *p = r->params;
    if (!r->fopt.p) {
#ifdef _OPENMP
#pragma omp parallel for num_threads(N) schedule(static)
#endif
        for (size_t i = 0; i < np; i++) pf[i] = (float)p[i];
    }
    if (r->bscratch && same_length(r, first, lo, hi)) return step_batch_call(r, pf, first, lo, hi, W);
    double loss = step_docs_f32(r, pf, first, lo, hi, W);
    if (r->fopt.p)
        for (size_t i = 0; i < np; i++) r->fopt.g[i] = (float)r->grads[i];
    return loss;
}

/* step_part_f32's documents one by one, into r->grads */
static double step_docs_f32(Run *r, const float *pf, size_t first, size_t lo, size_t hi, long W) {
    const MgModel *m = r->m;
    size_t np = m->n_scalars, nt = (size_t)m->block_size + 2, n = hi - lo;
    int N = r->threads;
#ifdef _OPENMP
#pragma omp parallel for num_threads(N) schedule(static, 1)
#endif
    for (int t = 0; t < N; t++) {
        size_t j = (size_t)t, a = lo + n * j / (size_t)N, b = lo + n * (j + 1) / (size_t)N;
        double *out = t == 0 ? r->grads : r->tacc + (j - 1) * np;
        double *scratch = t == 0 ? r->scratch : r->tscratch + (j - 1) * m->scratch;
        int *tokens = t == 0 ? r->tokens : r->ttokens + (j - 1) * nt;
        float *gf = r->gf + j * np;
        double L = 0;
        for (size_t i = a; i < b; i++) {
            int T = doc_tokens(r, (first + i) % cli_ndocs(r), tokens);
            double w = (double)T / (double)W;
            L += w * m->loss_grad_f32(m->ctx, pf, gf, tokens, T, scratch);
            if (i == a)
                for (size_t k = 0; k < np; k++) out[k] = w * gf[k];
            else
                for (size_t k = 0; k < np; k++) out[k] += w * gf[k];
        }
        if (a == b)     /* (no document for this thread) */
            for (size_t k = 0; k < np; k++) out[k] = 0;
        r->tloss[t] = L;
    }
    double loss = r->tloss[0];
    for (int t = 1; t < N; t++) loss += r->tloss[t];
    if (N == 1) return loss;
    double *g = r->grads;
    const double *acc = r->tacc;
#ifdef _OPENMP
#pragma omp parallel for num_threads(N) schedule(static)
#endif
    for (size_t i = 0; i < np; i++) {
        double s = g[i];
        for (int t = 1; t < N; t++) s += acc[(size_t)(t - 1) * np + i];
        g[i] = s;
    }
    return loss;
}

/* This process's node [lo, hi) of the batch, on r->threads threads, each
 * taking one node `log2(threads)` levels further down. */
static double step_part(Run *r, size_t first, size_t lo, size_t hi, long W) {
    const MgModel *m = r->m;
    if (batch_f32(r)) return step_part_f32(r, first, lo, hi, W);
    size_t np = m->n_scalars, nt = (size_t)m->block_size + 2, levs = (size_t)r->depth * np;
    int N = r->threads, depth = 0;
    Worker k0 = {r->tokens, r->scratch, r->gdoc, r->lev};
    if (N == 1) return tree_sum(r, &k0, first, lo, hi, W, r->grads, 0);
    while ((1 << depth) < N) depth++;
    double *sums[64];
#ifdef _OPENMP
#pragma omp parallel for num_threads(N) schedule(static, 1)
#endif
    for (int t = 0; t < N; t++) {
        size_t a, b, j = (size_t)t;
        tree_node(lo, hi, depth, j, &a, &b);
        Worker k = t == 0 ? k0 : (Worker){r->ttokens + (j - 1) * nt, r->tscratch + (j - 1) * m->scratch,
                                          r->tgdoc + (j - 1) * np, r->lev + j * levs};
        sums[t] = t == 0 ? r->grads : r->tacc + (j - 1) * np;
        r->tloss[t] = tree_sum(r, &k, first, a, b, W, sums[t], depth);
    }
    cli_tree_top(sums, r->tloss, N, np, N);
    return r->tloss[0];
}
