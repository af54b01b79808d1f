/* schedule.c: the kernel of every statement, chosen after the memory plan.
 * Takes the planned Graph and its flags (block_sums, fast, f32, blas) and
 * hands each Stmt a Schedule (schedule.h) that emit_c.c prints as it is:
 * GEMM calls, vector rows and their tiles, lane sums, blocked sums, split
 * sums and which loop runs on OpenMP threads.  Deterministic: it reads only
 * the graph. */
#include <string.h>

#include "arena.h"
#include "opt.h"
#include "schedule.h"

int sched_from_out(const Stmt *s) { return s->acc_from_out && !s->assign_first; }
int sched_adds(const Stmt *s) { return s->accumulate && !s->assign_first && !s->acc_from_out; }

/* --------------------------------------------------------------- predicates */

/* Threads inside one document: a loop nest of at least PAR_WORK iterations
 * at T = Tmax (a matrix product of gpt_text, not of microGPT) runs its
 * outermost loop's iterations on OpenMP threads when compiled with -fopenmp.
 * Each output element is still computed whole by one thread, in its order:
 * the same bits for any number of threads.  The trainer sets the number
 * (--threads) and keeps these regions to one thread inside its own threads
 * over a batch's documents (max active levels 1). */
enum { PAR_WORK = 1 << 18 };

/* A sum over a loop nest whose last output loop u has a constant extent: its
 * outputs are independent sums, so compute BLOCK of them together (acc_0 ..
 * acc_3), each still added in its own order: the sums stay exactly the
 * reference's, and the BLOCK chains no longer wait on one another. */
enum { BLOCK = 4 };

/* The output loop w just outside u can be unrolled when its iterations write
 * different outputs and the reduction loops do not depend on it: ROWS rows of
 * acc_[u] are then summed side by side, so the vector adds of one row no
 * longer wait on one another (each sum keeps its own order).  ROWS * extent
 * stays within 64 doubles, the registers an AVX-512 or AVX2 machine has for
 * them.  (The same for the four scalar sums of BLOCKED measured no faster.) */
enum { ROWS = 4 };

/* Sums for every u side by side (VECTOR) at most this wide */
enum { VEC_MAX = 1024 };

/* The outermost loop (the one the kernels open first, or tile) may run on
 * threads: its iterations write disjoint elements (some output index is its
 * variable plus a part that mentions no loop), and the value reads no element
 * of the output. */
static int rows_independent(const Stmt *s)
{
    if (opt_reads(s->e, s->out) || s->nloop == s->nred)
        return 0;
    int v = s->loops[0].var;
    for (int k = 0; k < s->out->rank; k++) {
        if (!opt_plus_var(s->oidx[k], v))
            continue;
        Ix *rest = ix_subst_var(s->oidx[k], v, ix_const(0));
        int loops = 0;
        for (int i = 0; i < s->nloop; i++)
            loops |= ix_mentions_var(rest, s->loops[i].var);
        if (!loops)
            return 1;
    }
    return 0;
}

/* iterations of s's loops at T = Tmax, each bound at its largest; vals holds
 * a value per loop variable (a bound reads only the outer loops' values) */
static double nest_work(const Graph *g, const Stmt *s, long *vals)
{
    double work = 1;
    for (int i = 0; i < s->nloop; i++) {
        long hi = ix_eval(s->loops[i].hi, g->Tmax, vals, NULL);
        work *= (double)(hi > 0 ? hi : 0);
        vals[s->loops[i].var] = hi > 0 ? hi - 1 : 0;
    }
    return work;
}

static int row_unroll(const Stmt *s)
{
    int nout = s->nloop - s->nred;
    if (nout < 2 || opt_reads(s->e, s->out))
        return 0;
    int w = s->loops[nout - 2].var, direct = 0;
    for (int i = nout - 1; i < s->nloop; i++)
        if (ix_mentions_var(s->loops[i].hi, w))
            return 0;
    for (int k = 0; k < s->out->rank; k++)
        direct |= s->oidx[k]->kind == IX_VAR && s->oidx[k]->var == w;
    return direct;
}

/* every read of e that depends on u is contiguous in u (u is its last index) */
static int contiguous_in(const Ex *e, int u)
{
    if (!e)
        return 1;
    for (int k = 0; e->kind == EX_PAD && k < e->t->rank; k++)
        if (ix_mentions_var(e->idx[k], u))
            return 0;       /* a test per element: no kernel side by side */
    if (e->kind == EX_READ) {
        for (int k = 0; k < e->t->rank; k++) {
            int last = k == e->t->rank - 1;
            if (last && opt_plus_var(e->idx[k], u))
                continue;
            if (ix_mentions_var(e->idx[k], u))
                return 0;
        }
        return 1;
    }
    if (e->ix && ix_mentions_var(e->ix, u))
        return 0;
    return contiguous_in(e->a, u) && contiguous_in(e->b, u);
}

/* --dtype=f32 and --fast, where the order of a sum is not the reference's:
 * lane sums are possible over one constant reduction loop of at least
 * `lanes` whose reads are contiguous in it (the lanes, or 0) */
static int lane_count(const Graph *g, const Stmt *s, long *red)
{
    int nout = s->nloop - s->nred, lanes = g->f32 ? 16 : 8;
    if ((g->f32 || g->fast) && s->nred == 1 && ix_is_const(s->loops[nout].hi, red) && *red >= lanes &&
        contiguous_in(s->e, s->loops[nout].var))
        return lanes;
    return 0;
}

static int vectorisable(const Stmt *s, long extent)
{
    int nout = s->nloop - s->nred, u = s->loops[nout - 1].var;
    if (s->out->local || extent > VEC_MAX || !contiguous_in(s->e, u))
        return 0;
    for (int k = 0; k < s->out->rank; k++)
        if (ix_mentions_var(s->oidx[k], u) && !(opt_plus_var(s->oidx[k], u) && k == s->out->rank - 1))
            return 0;
    return 1;
}

/* the accumulators VECTOR may keep: 64 doubles or 256 floats, 8 or 16 of an
 * AVX-512 machine's 32 vector registers (half of an AVX2 machine's spill to L1) */
static long vec_budget(const Graph *g) { return g->f32 ? 256 : 64; }

/* The widest tile of u (a power of two dividing extent, at least 8) whose
 * accumulators, `rows` rows of them, fit in the budget.  The whole extent
 * when it fits.  (256 floats, four rows of 64, measured 2-4% faster than 128
 * on gpt_text at n_embd 256.) */
static long vec_tile(const Graph *g, long extent, int rows)
{
    long budget = vec_budget(g) / rows;
    if (extent <= budget)
        return extent;
    for (long t = budget; t >= 8; t /= 2)
        if (extent % t == 0 && (t & (t - 1)) == 0)
            return t;
    return extent;
}

/* ---------------------------------------------------------------- kernels */

static int is_var(const Ix *x, int var) { return x->kind == IX_VAR && x->var == var; }

/* --blas (f32): s is a matrix product, C[w, u] (=, += or from C) the sum over
 * r of A * B, where A is a row-major matrix read at (w, r) or (r, w) and B at
 * (r, u) or (u, r): one mg_sgemm call, in the BLAS's order of additions. */
static int gemm(const Graph *g, const Stmt *s, Schedule *sc)
{
    if (!g->blas || s->red != RED_SUM_ || s->nloop != 3 || s->nred != 1 || s->out->local || s->out->rank != 2)
        return 0;
    int w = s->loops[0].var, u = s->loops[1].var, r = s->loops[2].var;
    long N, ldc, ld[2];
    if (!ix_is_const(s->loops[1].hi, &N) || !ix_is_const(s->out->ext[1], &ldc) || N > ldc ||
        !is_var(s->oidx[0], w) || !is_var(s->oidx[1], u))
        return 0;
    for (int i = 0; i < 3; i++)
        if (ix_mentions_var(s->loops[i].hi, w) || ix_mentions_var(s->loops[i].hi, u) ||
            ix_mentions_var(s->loops[i].hi, r))
            return 0;
    const Ex *e = s->e, *A = NULL, *B = NULL;
    int ta = 0, tb = 0;
    if (e->kind != EX_MUL || e->a->kind != EX_READ || e->b->kind != EX_READ)
        return 0;
    const Ex *x[2] = {e->a, e->b};
    for (int k = 0; k < 2; k++) {
        if (x[k]->t->rank != 2 || x[k]->t == s->out || !ix_is_const(x[k]->t->ext[1], &ld[k]))
            return 0;
        Ix *const *i = x[k]->idx;
        if (!A && ((is_var(i[0], w) && is_var(i[1], r)) || (is_var(i[0], r) && is_var(i[1], w))))
            A = x[k], ta = is_var(i[0], r);
        else if (!B && ((is_var(i[0], r) && is_var(i[1], u)) || (is_var(i[0], u) && is_var(i[1], r))))
            B = x[k], tb = is_var(i[0], u);
        else
            return 0;
    }
    sc->kind = SCHED_GEMM;
    sc->ta = ta, sc->tb = tb, sc->beta = sched_from_out(s) || sched_adds(s);
    sc->M = s->loops[0].hi, sc->K = s->loops[2].hi;
    sc->N = N, sc->ldc = ldc;
    sc->A = A->t, sc->lda = ld[A == x[1]];
    sc->B = B->t, sc->ldb = ld[B == x[1]];
    return 1;
}

/* VECTOR: rows of w together when row_unroll allows and their tile fits the
 * budget; the loop that takes the threads is the first one it opens (the
 * outer loops, w, or the tiles of u).  With one output loop and no tiles
 * there is none: every iteration of the reduction loop adds to the same
 * acc_[u], so threads there would race (a bias gradient summed over a long
 * T: tests/passes/schedule_serial_sum.mg) */
static void vector(const Graph *g, const Stmt *s, Schedule *sc, int par)
{
    int nout = s->nloop - s->nred;
    sc->kind = SCHED_VECTOR;
    sc->rows = row_unroll(s) && vec_tile(g, sc->extent, ROWS) * ROWS <= vec_budget(g) ? ROWS : 1;
    sc->tile = vec_tile(g, sc->extent, sc->rows);
    sc->row_tile = vec_tile(g, sc->extent, 1);
    long wext;
    sc->rest = sc->rows > 1 && (!ix_is_const(s->loops[nout - 2].hi, &wext) || wext % ROWS);
    if (!par)
        sc->par_loop = -1;
    else if (nout > 1 || sc->row_tile < sc->extent)
        sc->par_loop = 0;
    else
        sc->par_loop = -1;
    /* exact f64, stored with =: the rest of w as one block overlapping the one before (as COLUMNS) */
    sc->overlap = sc->rest && !g->fast && !g->f32 && !sched_adds(s) && !sched_from_out(s) && sc->par_loop < 0;
}

/* COLUMNS: u padded to whole vectors of this many doubles (an AVX-512
 * register; two of AVX2) */
enum { COL_PAD = 8 };

/* The exact build (no --fast, --dtype=f32 or --blas) sums a BLOCKED
 * statement's outputs side by side when it is a product by a parameter,
 * out[.., u] = (or +=) sum over r < R of w[u, r] * x[.., r], x not
 * depending on u: w's column u, strided in memory, is read from a copy of w
 * transposed into scratch (columns_place), each
 * acc_[u] still adding r = 0, 1, 2, ... from 0.0 as the reference does, so
 * the sums are the same to the bit.  Not on threads: a nest as large as
 * PAR_WORK keeps its BLOCKED kernel. */
static int columns(const Graph *g, const Stmt *s, Schedule *sc, int par)
{
    int nout = s->nloop - s->nred;
    long red, wext;
    const Ex *e = s->e;
    if (g->fast || g->f32 || g->blas || par || s->nred != 1 || sched_from_out(s) || s->out->local ||
        e->kind != EX_MUL || e->a->kind != EX_READ || e->b->kind != EX_READ || opt_reads(e, s->out) ||
        !ix_is_const(s->loops[nout].hi, &red) || red < 1)
        return 0;
    int u = s->loops[nout - 1].var, r = s->loops[nout].var;
    const Ex *w = e->a, *x = e->b;
    if (w->t->kind != TK_PARAM)
        w = e->b, x = e->a;
    if (w->t->kind != TK_PARAM || w->t->rank != 2 || !is_var(w->idx[0], u) || !is_var(w->idx[1], r))
        return 0;
    for (int k = 0; k < x->t->rank; k++)
        if (ix_mentions_var(x->idx[k], u))
            return 0;
    for (int k = 0; k < s->out->rank; k++)
        if (ix_mentions_var(s->oidx[k], u) && !(opt_plus_var(s->oidx[k], u) && k == s->out->rank - 1))
            return 0;
    sc->kind = SCHED_COLUMNS;
    sc->red = red;
    sc->wread = w, sc->xread = x, sc->w_first = w == e->a;
    sc->pad = (sc->extent + COL_PAD - 1) / COL_PAD * COL_PAD;
    sc->rows = nout > 1 && row_unroll(s) ? ROWS : 1;
    sc->tile = vec_tile(g, sc->pad, sc->rows);
    sc->row_tile = vec_tile(g, sc->pad, 1);
    sc->rest = sc->rows > 1 && (!ix_is_const(s->loops[nout - 2].hi, &wext) || wext % ROWS);
    sc->overlap = sc->rest && !sched_adds(s);
    return 1;
}

/* the kernel of a statement that is not fused into the one before */
static void kernel(const Graph *g, const Stmt *s, Schedule *sc, long *vals)
{
    long extent;
    if (s->guard)
        return;     /* SCHED_LOOPS: a test per element */
    if (sc->group == 1 && gemm(g, s, sc))
        return;
    if (sc->group > 1 || !g->block_sums || !opt_blockable(s, &extent))
        return;     /* SCHED_LOOPS */
    sc->extent = extent;
    sc->simd = nest_work(g, s, vals) >= PAR_WORK;
    int par = sc->simd && rows_independent(s);
    if (vectorisable(s, extent)) {
        vector(g, s, sc, par);
        return;
    }
    sc->par_loop = par ? 0 : -1;
    sc->simd = 0;
    if (columns(g, s, sc, par))
        return;
    sc->block = BLOCK;
    sc->lanes = lane_count(g, s, &sc->red);
    sc->kind = sc->lanes && row_unroll(s) ? SCHED_TILES : SCHED_BLOCKED;
}

/* LOOPS, FUSED: --fast takes a sum over one constant loop of at least 8 as
 * four interleaved partial sums, which the C compiler can vectorise */
static long split_sum(const Graph *g, const Stmt *s)
{
    int nout = s->nloop - s->nred;
    long ext;
    if (g->fast && s->red == RED_SUM_ && !sched_from_out(s) && s->nred == 1 && ix_is_const(s->loops[nout].hi, &ext) &&
        ext >= 8)
        return ext;
    return 0;
}

static void sched_list(const Graph *g, StmtList *l, long *vals)
{
    for (int i = 0; i < l->n;) {
        int j = i + 1;
        while (j < l->n && l->items[j]->fused)
            j++;
        for (int k = i; k < j; k++) {
            Schedule *sc = arena_alloc(sizeof *sc);
            memset(sc, 0, sizeof *sc);
            sc->kind = k == i ? SCHED_LOOPS : SCHED_FUSED;
            sc->group = k == i ? j - i : 0;
            sc->par_loop = -1;
            l->items[k]->sched = sc;
        }
        Stmt *s = l->items[i];
        if (g->loss->grad && s->out == g->loss->grad && s->e->kind == EX_CONST && !s->fused && j == i + 1)
            s->sched->kind = SCHED_SEED;
        else if (!s->rec)   /* a recurrence's step runs its statements as written, on one thread */
            kernel(g, s, s->sched, vals);
        for (int k = i; k < j; k++)
            if (l->items[k]->sched->kind == SCHED_LOOPS || l->items[k]->sched->kind == SCHED_FUSED)
                l->items[k]->sched->split = split_sum(g, l->items[k]);
        i = j;
    }
}

/* COLUMNS: the doubles of scratch a transposed copy keeps: the copy, a key
 * (its layout) and the parameter it was made from (emit_c.c: columns_copy) */
static long columns_size(const Schedule *sc) { return sc->red * sc->pad + 2 + sc->wread->t->size; }

static int same_copy(const Schedule *a, const Schedule *b)
{
    return a->wread->t == b->wread->t && a->extent == b->extent && a->red == b->red && a->pad == b->pad;
}

/* Every COLUMNS statement's copy after the plan's buffers (g->scratch), one
 * per parameter and layout: it lasts from one call to the next, and is made
 * again only when the parameter differs from the one it was made from. */
static void columns_place(Graph *g)
{
    StmtList *lists[2] = {&g->fwd, &g->bwd};
    const Schedule **seen = arena_alloc((size_t)(g->fwd.n + g->bwd.n + 1) * sizeof *seen);
    int n = 0;
    long end = g->scratch;
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < lists[k]->n; i++) {
            Schedule *sc = lists[k]->items[i]->sched;
            if (sc->kind != SCHED_COLUMNS)
                continue;
            int j = 0;
            while (j < n && !same_copy(seen[j], sc))
                j++;
            if (j < n) {
                sc->wt_off = seen[j]->wt_off;
                continue;
            }
            sc->wt_off = end;
            end += columns_size(sc);
            seen[n++] = sc;
        }
    g->scratch = end;
}

void sched_graph(Graph *g)
{
    long *vals = arena_alloc((size_t)g->nvars * sizeof *vals + 1);
    sched_list(g, &g->fwd, vals);
    sched_list(g, &g->bwd, vals);
    columns_place(g);
}

/* ------------------------------------------------------------------- dump */

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static const char *loc_text(const Stmt *s)
{
    return s->loc.file ? arena_printf("%s:%d:%d", base_name(s->loc.file), s->loc.line, s->loc.col) : "-";
}

/* the name of loop i of s */
static const char *loop_name(const Graph *g, const Stmt *s, int i) { return g->varname[s->loops[i].var]; }

static void dump_kernel(FILE *f, const Graph *g, const Stmt *s, const Schedule *sc)
{
    int nout = s->nloop - s->nred;
    switch (sc->kind) {
    case SCHED_SEED: fputs("seed", f); break;
    case SCHED_LOOPS:
        fputs("loops", f);
        if (sc->group > 1)
            fprintf(f, " group=%d", sc->group);
        break;
    case SCHED_FUSED: fputs("fused", f); break;
    case SCHED_GEMM:
        fprintf(f, "gemm ta=%d tb=%d M=", sc->ta, sc->tb);
        ix_print(f, sc->M, g);
        fprintf(f, " N=%ld K=", sc->N);
        ix_print(f, sc->K, g);
        fprintf(f, " A=%s lda=%ld B=%s ldb=%ld ldc=%ld beta=%d", sc->A->name, sc->lda, sc->B->name, sc->ldb, sc->ldc,
                sc->beta);
        break;
    case SCHED_VECTOR:
        fprintf(f, "vector u=%s extent=%ld rows=%d", loop_name(g, s, nout - 1), sc->extent, sc->rows);
        if (sc->rows > 1)
            fprintf(f, " w=%s tile=%ld", loop_name(g, s, nout - 2), sc->tile);
        fprintf(f, " row_tile=%ld%s%s", sc->row_tile, sc->overlap ? " rest=overlap" : sc->rest ? " rest=rows" : "",
                sc->simd ? " simd" : "");
        break;
    case SCHED_COLUMNS:
        fprintf(f, "columns u=%s extent=%ld pad=%ld w=%s rows=%d", loop_name(g, s, nout - 1), sc->extent, sc->pad,
                sc->wread->t->name, sc->rows);
        if (sc->rows > 1)
            fprintf(f, " over %s", loop_name(g, s, nout - 2));
        fprintf(f, " tile=%ld row_tile=%ld%s", sc->tile, sc->row_tile,
                sc->overlap ? " rest=overlap" : sc->rest ? " rest=rows" : "");
        break;
    case SCHED_TILES:
    case SCHED_BLOCKED:
        if (sc->kind == SCHED_TILES)
            fprintf(f, "tiles w=%s u=%s block=%dx%d", loop_name(g, s, nout - 2), loop_name(g, s, nout - 1), sc->block,
                    sc->block);
        else
            fprintf(f, "blocked u=%s block=%d", loop_name(g, s, nout - 1), sc->block);
        fprintf(f, " extent=%ld", sc->extent);
        if (sc->lanes)
            fprintf(f, " lanes=%d over %s < %ld", sc->lanes, loop_name(g, s, nout), sc->red);
        break;
    }
    if (sc->split)
        fprintf(f, " split=4 over %s < %ld", loop_name(g, s, nout), sc->split);
    if (sc->par_loop >= 0)
        fprintf(f, " parallel=%s", loop_name(g, s, sc->par_loop));
    if (s->rec)
        fprintf(f, " step=%s of recurrence %d", loop_name(g, s, 0), s->rec);
}

static void dump_list(FILE *f, const Graph *g, const StmtList *l, int wloc, int wout)
{
    for (int i = 0; i < l->n; i++) {
        const Stmt *s = l->items[i];
        if (!s->sched)
            MGC_INTERNAL("a statement has no schedule");
        fprintf(f, "  %-*s  %-*s  ", wloc, loc_text(s), wout, s->out->name);
        dump_kernel(f, g, s, s->sched);
        fputc('\n', f);
    }
}

static void widths(const StmtList *l, int *wloc, int *wout)
{
    for (int i = 0; i < l->n; i++) {
        int a = (int)strlen(loc_text(l->items[i])), b = (int)strlen(l->items[i]->out->name);
        *wloc = a > *wloc ? a : *wloc;
        *wout = b > *wout ? b : *wout;
    }
}

void sched_dump(FILE *f, const Graph *g)
{
    int wloc = 0, wout = 0;
    widths(&g->fwd, &wloc, &wout);
    widths(&g->bwd, &wloc, &wout);
    fprintf(f, "schedule %s (%s%s%s%s)\n", g->model, g->f32 ? "f32" : "f64", g->fast ? ", fast" : "",
            g->blas ? ", blas" : "", g->block_sums ? "" : ", no block");
    fputs("forward:\n", f);
    dump_list(f, g, &g->fwd, wloc, wout);
    fputs("backward:\n", f);
    dump_list(f, g, &g->bwd, wloc, wout);
}
