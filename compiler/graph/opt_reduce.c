/* opt_reduce.c: accumulations become reductions.  Takes the Graph after
 * autodiff; a statement  out[idx] += e  whose loops include some that idx does
 * not mention (a weight gradient  d_w[o, i] += x[t, i] * dy[t, o]  over t, o, i)
 * gets those loops moved innermost, as reduction loops of a sum that starts
 * from out[idx] and stores back (stmt->acc_from_out).  Each element then stays
 * in a register while its terms are added, instead of being loaded and stored
 * once per term, and the schedule can run the sums for neighbouring elements side by
 * side.  Exact: each element receives the same terms in the same order
 * (moved loops keep their relative order; kept loops each appear as a whole
 * index, so no two kept iterations share an element). */
#include "opt.h"

static int indexes_by(const Stmt *s, int var)
{
    for (int k = 0; k < s->out->rank; k++)
        if (ix_mentions_var(s->oidx[k], var))
            return 1;
    return 0;
}

static int plain_index(const Stmt *s, int var)
{
    for (int k = 0; k < s->out->rank; k++)
        if (s->oidx[k]->kind == IX_VAR && s->oidx[k]->var == var)
            return 1;
    return 0;
}

static void reduce_stmt(Stmt *s)
{
    /* a recurrence's statement adds one step's terms per step: its step loop stays */
    if (s->red != RED_NONE_ || !s->accumulate || s->nloop == 0 || s->guard || s->rec)
        return;
    char moved[IR_MAX_LOOPS] = {0};
    int nmoved = 0;
    for (int j = 0; j < s->nloop; j++)
        if (!indexes_by(s, s->loops[j].var))
            moved[j] = 1, nmoved++;
    if (nmoved == 0)
        return;
    for (int j = 0; j < s->nloop; j++) {
        if (moved[j])
            continue;
        if (!plain_index(s, s->loops[j].var))
            return;
        for (int m = 0; m < s->nloop; m++)
            if (moved[m] && ix_mentions_var(s->loops[j].hi, s->loops[m].var))
                return;
    }
    Loop loops[IR_MAX_LOOPS];
    int n = 0;
    for (int j = 0; j < s->nloop; j++)
        if (!moved[j])
            loops[n++] = s->loops[j];
    for (int j = 0; j < s->nloop; j++)
        if (moved[j])
            loops[n++] = s->loops[j];
    for (int j = 0; j < n; j++)
        s->loops[j] = loops[j];
    s->nred = nmoved;
    s->red = RED_SUM_;
    s->acc_from_out = 1;
}

void opt_reduce(Graph *g)
{
    for (int i = 0; i < g->bwd.n; i++)
        reduce_stmt(g->bwd.items[i]);
    for (int i = 0; i < g->fwd.n; i++)
        reduce_stmt(g->fwd.items[i]);
}
