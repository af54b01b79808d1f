/* emit_batch.c: <model>_loss_grad_batch_f32 (MgModel.loss_grad_batch_f32),
 * the loss and gradients of a whole batch of B documents of one length T in
 * one call, for mgc --dtype=f32 models of tokens (issue #20).  Part of
 * emit_c.c's translation unit (it prints statements with emit_c's printers),
 * included at its end.
 *
 * The batch's layout: each activation and activation gradient keeps its
 * plan offset scaled by B, B * offset, and holds document b's copy at
 * b * (its size), or, when its first axis is the runtime length T (R values
 * a row), at b * T * R: then the rows of all B documents follow one another,
 * row (b, t) at (b * T + t) * R, as in one tensor of B * T rows.  Buffers the
 * plan lets share memory share it the same way (the scaled regions keep their
 * order), so the scratch is B times a document's.  Parameters and their
 * gradients are one copy: the gradients are cleared once and every statement
 * that writes one adds into it, so they are summed over the batch in place.
 * The loss gradient's seed is the document's weight (w_[b]), so every
 * gradient comes out weighted.
 *
 * Each statement runs for every document in turn (a loop over b around its
 * nest, in the statements' order, so what the plan reuses is dead for every
 * document; on threads, a share of the documents each, unless they add to a
 * parameter's gradient), except the matrix products that batch: with --blas, a product
 * over the T rows of per-document matrices into per-document rows (M = T)
 * becomes one mg_sgemm over B * T rows, and a weight gradient, a sum over T
 * of per-document rows into a parameter's gradient (K = T), one mg_sgemm
 * with K = B * T. */

/* The values of a row of t when its first axis is exactly T (then its
 * documents' rows follow one another), else 0 (a document takes t->size:
 * a first axis of T + 1 would overlap the next document's) */
static long batch_row(const Tensor *t)
{
    return t->rank > 0 && ix_equal(t->ext[0], ix_T()) ? ir_runtime_row(t) : 0;
}

/* is t one copy per document in the batch call: an activation or its gradient */
static int batch_per_doc(const Tensor *t)
{
    return t->kind == TK_ACT || (t->kind == TK_GRAD && t->primal->kind == TK_ACT);
}

/* does a statement write a parameter's gradient (summed over the batch)? */
static int batch_param_grad(const Tensor *t) { return t->kind == TK_GRAD && t->primal->kind == TK_PARAM; }

/* per-document rows of ld values, which follow one another over the batch */
static int batch_rows(const Tensor *t, long ld) { return batch_per_doc(t) && batch_row(t) == ld; }

/* Pointers to the tensors the n statements s[] use, for document `doc` (a C
 * expression; NULL: the first document, for a product over all of them). */
static void batch_declare(Em *em, Stmt *const *s, int n, const char *doc)
{
    Graph *g = em->g;
    char *used = arena_alloc((size_t)g->ntensors);
    StmtList l = {.items = (Stmt **)s, .n = n};
    mark_list(&l, NULL, used);
    for (int i = 0; i < g->ntensors; i++) {
        const Tensor *t = g->tensors[i];
        if (!used[i] || t->local)
            continue;
        if (t == g->tokens)
            out(em, "const int *%s = tok_%s;\n", t->name, doc ? arena_printf(" + (long)%s * (T + 1)", doc) : "");
        else if (t->kind == TK_PARAM)
            out(em, "const float *%s = p_ + %ld;\n", t->name, t->offset);
        else if (batch_param_grad(t))
            out(em, "float *%s = g_ + %ld;\n", t->name, t->primal->offset);
        else if (!batch_per_doc(t))
            MGC_INTERNAL("the batch call reads a tensor neither per document nor a parameter");
        else if (!doc)
            out(em, "float *%s = s_ + (long)nb_ * %ld;\n", t->name, t->offset);
        else if (batch_row(t))
            out(em, "float *%s = s_ + (long)nb_ * %ld + (long)%s * T * %ld;\n", t->name, t->offset, doc,
                batch_row(t));
        else
            out(em, "float *%s = s_ + (long)nb_ * %ld + (long)%s * %ld;\n", t->name, t->offset, doc, t->size);
    }
}

/* 1: a product over B * T rows (M = T), 2: a weight gradient over K = B * T, 0: neither */
static int batch_gemm(const Stmt *s)
{
    const Schedule *sc = s->sched;
    if (sc->kind != SCHED_GEMM)
        return 0;
    Ix *T = ix_T();
    if (ix_equal(sc->M, T) && !sc->ta && batch_rows(sc->A, sc->lda) && batch_rows(s->out, sc->ldc) &&
        !batch_per_doc(sc->B))
        return 1;
    if (ix_equal(sc->K, T) && sc->ta && !sc->tb && batch_rows(sc->A, sc->lda) && batch_rows(sc->B, sc->ldb) &&
        batch_param_grad(s->out))
        return 2;
    return 0;
}

/* A GEMM statement as one product over the batch (how: batch_gemm's
 * answer), its M rows of output shared out between the threads, each
 * calling mg_sgemm on its block (the trainer runs the BLAS on one thread
 * then: one pool of threads, not two spinning at once). */
static void batch_emit_gemm(Em *em, Stmt *s, int how, int zero)
{
    const Schedule *sc = s->sched;
    out(em, "{\n");
    em->indent++;
    batch_declare(em, &s, 1, NULL);
    if (zero && !batch_param_grad(s->out))     /* (every document's rows) */
        out(em, "memset(%s, 0, (size_t)nb_ * T * %ld * sizeof *%s);\n", s->out->name, sc->ldc, s->out->name);
    out(em, "long m_ = ");
    if (how == 1)
        fputs("(long)nb_ * T", em->f);
    else
        cix(em, sc->M, 0);
    fputs(";\n", em->f);
    out(em, "#ifdef _OPENMP\n");
    out(em, "#pragma omp parallel\n");
    out(em, "#endif\n");
    out(em, "{\n");
    em->indent++;
    out(em, "long t_ = 0, nt_ = 1;\n");
    out(em, "#ifdef _OPENMP\n");
    out(em, "t_ = omp_get_thread_num(), nt_ = omp_get_num_threads();\n");
    out(em, "#endif\n");
    out(em, "long lo_ = m_ * t_ / nt_, hi_ = m_ * (t_ + 1) / nt_;\n");
    out(em, "if (hi_ > lo_)\n");
    out(em, "    mg_sgemm(%d, %d, (int)(hi_ - lo_), %ld, ", sc->ta, sc->tb, sc->N);
    if (how == 2)
        fputs("nb_ * T", em->f);
    else
        cix(em, sc->K, 0);
    fprintf(em->f, ", %s + lo_%s, %ld, %s, %ld, %s, %s + lo_ * %ld, %ld);\n", sc->A->name,
            sc->ta ? "" : arena_printf(" * %ld", sc->lda), sc->lda, sc->B->name, sc->ldb,
            sc->beta || batch_param_grad(s->out) ? "1.0f" : "0.0f", s->out->name, sc->ldc, sc->ldc);
    em->indent--;
    out(em, "}\n");
    em->indent--;
    out(em, "}\n");
}

/* A statement's flags while it runs in the batch call: a parameter's
 * gradient is cleared once before the batch and every writer adds to it. */
typedef struct BatchFlags {
    int accumulate, acc_from_out, assign_first, zero_first, beta;
} BatchFlags;

static BatchFlags batch_flags(Stmt *s)
{
    BatchFlags f = {s->accumulate, s->acc_from_out, s->assign_first, s->zero_first, s->sched->beta};
    if (batch_param_grad(s->out)) {
        s->accumulate = 1, s->acc_from_out = 0, s->assign_first = 0;
        s->sched->beta = 1;
    }
    s->zero_first = 0;      /* (batch_list clears a document's part, no more) */
    return f;
}

static void batch_restore(Stmt *s, BatchFlags f)
{
    s->accumulate = f.accumulate, s->acc_from_out = f.acc_from_out, s->assign_first = f.assign_first;
    s->zero_first = f.zero_first, s->sched->beta = f.beta;
}

/* Do the documents of the n statements s[] run on threads (each its own
 * documents)?  Yes unless they add to a parameter's gradient (which all
 * documents share) or call the BLAS (which has threads of its own).  A
 * statement's own parallel loop then runs on one thread (the trainer allows
 * one active level). */
static int batch_threads(Stmt *const *s, int n)
{
    for (int k = 0; k < n; k++)
        if (batch_param_grad(s[k]->out) || (s[k]->sched && s[k]->sched->kind == SCHED_GEMM))
            return 0;
    return 1;
}

/* the statements of l that sel selects (NULL: all), each group of fused
 * statements (or recurrence) once per document, batched products once */
static void batch_list(Em *em, const StmtList *l, const char *sel, const char *prefix)
{
    em->last_site = (SrcLoc){0};
    for (int i = 0; i < l->n;) {
        Stmt *const *s = l->items + i;
        int n = s[0]->rec ? ir_rec_run(l, i) : s[0]->sched->kind == SCHED_SEED ? 1 : s[0]->sched->group;
        int any = !sel || sel[i];     /* (a recurrence: any of its statements, as emit_rec) */
        for (int k = 1; sel && s[0]->rec && k < n; k++)
            any |= sel[i + k];
        if (!any) {
            i += n;
            continue;
        }
        BatchFlags *f = arena_alloc((size_t)n * sizeof *f);
        for (int k = 0; k < n; k++)
            f[k] = batch_flags(s[k]);
        int how = s[0]->rec ? 0 : batch_gemm(s[0]);
        if (how) {
            emit_comment(em, s[0], prefix);
            out(em, "/* one product over the batch's %s */\n", how == 1 ? "B * T rows" : "B * T terms");
            batch_emit_gemm(em, s[0], how, f[0].zero_first);
        } else {
            if (batch_threads(s, n)) {
                out(em, "#ifdef _OPENMP\n");
                out(em, "#pragma omp parallel for schedule(static)\n");
                out(em, "#endif\n");
            }
            out(em, "for (int b_ = 0; b_ < nb_; b_++) {\n");
            em->indent++;
            batch_declare(em, s, n, "b_");
            for (int k = 0; k < n; k++)     /* (not the whole buffer: the next document's rows follow) */
                if (!f[k].zero_first || batch_param_grad(s[k]->out))
                    continue;
                else if (batch_row(s[k]->out))
                    out(em, "memset(%s, 0, (size_t)T * %ld * sizeof *%s);\n", s[k]->out->name,
                        batch_row(s[k]->out), s[k]->out->name);
                else
                    out(em, "memset(%s, 0, %ld * sizeof *%s);\n", s[k]->out->name, s[k]->out->size, s[k]->out->name);
            if (s[0]->rec)
                emit_rec(em, s, n, sel ? sel + i : NULL, prefix, l == &em->g->bwd);
            else if (s[0]->sched->kind == SCHED_SEED)
                out(em, "%s[0] = (float)w_[b_]; /* the document's weight */\n", s[0]->out->name);
            else
                emit_group(em, s, n, prefix);
            em->indent--;
            out(em, "}\n");
        }
        for (int k = 0; k < n; k++)
            batch_restore(s[k], f[k]);
        i += n;
    }
}

/* Floats of scratch a document takes in the batch call: the plan's buffers */
static long batch_scratch(const Graph *g) { return (g->scratch + 1) / 2 + 8; }

/* Can the batch call be emitted: a text model in float, no name it needs taken */
static int batch_emittable(const Graph *g)
{
    static const char *const names[] = {"b_", "nb_", "tok_", "w_", "loss_", "s_", "p_", "g_"};
    if (!g->tokens || !g->f32 || !g->loss)
        return 0;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (ir_name_taken(g, names[i]))
            return 0;
    return 1;
}

/* <model>_loss_grad_batch_f32 */
static void emit_batch(Em *em)
{
    Graph *g = em->g;
    const char *m = g->model;
    int ns = g->fwd.n > 0 ? g->fwd.n : 1;
    char *need_t = arena_alloc((size_t)g->ntensors + 1), *need_s = arena_alloc((size_t)ns);
    char *logit_t = arena_alloc((size_t)g->ntensors + 1), *logit_s = arena_alloc((size_t)ns);
    ir_depends_grad(g, need_t, need_s);
    ir_depends(g, g->logits, logit_t, logit_s);     /* (loss_grad runs the forward pass whole) */
    for (int i = 0; i < g->fwd.n; i++)
        need_s[i] |= logit_s[i];
    FILE *f = em->f;
    fputs("#ifdef _OPENMP\n#include <omp.h>\n#endif\n\n", f);
    fputs("/* The loss and gradients of a batch of nb_ documents of T positions each, in float:\n"
          " * tok_ holds nb_ rows of T + 1 ids; returns the sum over documents b of w_[b] times\n"
          " * b's loss, and g_ (n_scalars floats) the same sum of their gradients.  Activations\n"
          " * for every document side by side: document b's row t of a T-row buffer is row\n"
          " * b * T + t, so products over T rows run over nb_ * T.  Scratch: nb_ times\n"
          " * batch_scratch doubles. */\n", f);
    fprintf(f, "static double %s_loss_grad_batch_f32(void *ctx, const float *p_, float *g_, const int *tok_,\n", m);
    fprintf(f, "%*sint nb_, int T, const double *w_, double *scratch)\n{\n", (int)strlen(m) + 35, "");
    em->indent = 1;
    out(em, "(void)ctx, (void)p_, (void)tok_;\n");
    out(em, "float *s_ = (float *)scratch;\n");
    out(em, "double loss_ = 0;\n");
    out(em, "memset(g_, 0, %ld * sizeof *g_); /* every writer below adds to a gradient */\n", g->nscalars);
    out(em, "\n/* forward, for every document */\n");
    batch_list(em, &g->fwd, need_s, "");
    out(em, "for (int b_ = 0; b_ < nb_; b_++) {\n");
    em->indent++;
    out(em, "const float *%s = s_ + (long)nb_ * %ld + (long)b_ * %ld;\n", g->loss->name, g->loss->offset,
        g->loss->size);
    out(em, "loss_ += w_[b_] * %s[0];\n", g->loss->name);
    em->indent--;
    out(em, "}\n");
    out(em, "\n/* backward, every document's gradients weighted by w_[b] */\n");
    batch_list(em, &g->bwd, NULL, "backward of ");
    out(em, "return loss_;\n");
    em->indent = 0;
    fputs("}\n\n", f);
}
