/* pipeline.c: the front end as one call, shared by mgc and the tests.
 * Reads a .mg file, parses it with the prelude, and traces it into a Graph. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "parse.h"
#include "opt.h"
#include "pipeline.h"
#include "schedule.h"
#include "trace.h"

extern const char mgc_prelude[];

/* The whole file as a string; NULL with a message on failure. */
static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        diag_plain("cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fclose(f);
            diag_plain("out of memory reading '%s'", path);
            return NULL;
        }
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n < cap - 1)
            break;
        if (cap > (size_t)64 << 20) {
            fclose(f);
            free(buf);
            diag_plain("'%s' is larger than 64 MiB; is it really a model?", path);
            return NULL;
        }
        cap *= 2;
        char *nb = realloc(buf, cap);
        if (!nb)
            free(buf);
        buf = nb;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        diag_plain("cannot read '%s'", path);
        return NULL;
    }
    buf[n] = 0;
    if (strlen(buf) != n) {
        size_t at = strlen(buf);
        int line = 1, col = 1;
        for (size_t i = 0; i < at; i++, col++)
            if (buf[i] == '\n')
                line++, col = 0;
        diag_plain("%s:%d:%d: the file contains a NUL byte; .mg files are text", path, line, col);
        free(buf);
        return NULL;
    }
    char *copy = arena_strdup(buf);
    free(buf);
    return copy;
}

/* "models/mlp.mg" -> "mlp", made a C identifier */
const char *mgc_model_name(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b);
    if (n > 3 && !strcmp(b + n - 3, ".mg"))
        n -= 3;
    char *s = arena_strndup(b, n);
    for (char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            *p = '_';
    if (!*s || (*s >= '0' && *s <= '9'))
        return arena_printf("m_%s", s);
    return s;
}

/* ---- the options of one compilation ---- */
static const MgcOpts defaults = {.max_memory = MGC_DEFAULT_MAX_MEMORY};

void mgc_opts_init(MgcOpts *o) { *o = defaults; }

/* opts, or the defaults when it is NULL */
static const MgcOpts *opts_or_defaults(const MgcOpts *opts) { return opts ? opts : &defaults; }

/* ---- the memory limit: parameters and scratch, each (mgc --max-memory) ---- */

/* "2.3 TiB" */
static const char *human_bytes(double b)
{
    static const char *unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    while (b >= 1024 && u < 6)
        b /= 1024, u++;
    return u ? arena_printf("%.1f %s", b, unit[u]) : arena_printf("%.0f bytes", b);
}

static const char *limit_text(long max_memory)
{
    if (max_memory == MGC_DEFAULT_MAX_MEMORY)
        return arena_printf("%s (2^31 doubles)", human_bytes((double)max_memory));
    return arena_printf("%s (--max-memory=%ld)", human_bytes((double)max_memory), max_memory);
}

/* doubles that fit the limit */
static long limit_doubles(long max_memory) { return max_memory / (long)sizeof(double); }

/* Parameters beyond the limit: an error at the parameter that crosses it. */
static int params_fit(const Graph *g, long max_memory)
{
    long total = 0;
    for (int i = 0; i < g->nparams; i++) {
        const Tensor *p = g->params[i];
        if (__builtin_add_overflow(total, p->size, &total))
            total = LONG_MAX;
        if (total > limit_doubles(max_memory)) {
            diag_error(p->loc, "the parameters up to '%s' need %s (%ld doubles), more than the limit of %s; "
                       "mgc --max-memory=BYTES sets the limit", p->display, human_bytes((double)total * 8), total,
                       limit_text(max_memory));
            return 0;
        }
    }
    return 1;
}

/* a buffer the memory plan placed in scratch */
static int in_scratch(const Graph *g, const Tensor *t)
{
    return (t->kind == TK_ACT || (t->kind == TK_GRAD && t->primal->kind == TK_ACT)) && opt_writers(g, t) && !t->local;
}

int mgc_scratch_fits(const Graph *g, const MgcOpts *opts)
{
    long max_memory = opts_or_defaults(opts)->max_memory;
    if (g->scratch <= limit_doubles(max_memory))
        return 1;
    const Tensor *big = NULL;
    for (int i = 0; i < g->ntensors; i++) {
        const Tensor *t = g->tensors[i];
        if (in_scratch(g, t) && (!big || t->size > big->size))
            big = t;
    }
    diag_plain("%s needs %s of scratch memory (%ld doubles), more than the limit of %s; mgc --max-memory=BYTES "
               "sets the limit", g->source, human_bytes((double)g->scratch * 8), g->scratch, limit_text(max_memory));
    if (big)
        diag_note(big->loc, "the largest buffer, '%s', holds %ld doubles (%s)", big->display, big->size,
                  human_bytes((double)big->size * 8));
    return 0;
}

Graph *mgc_front_end(const char *path, const char *name, int dump, const MgcOpts *opts)
{
    opts = opts_or_defaults(opts);
    diag_add_source("prelude.mg", mgc_prelude);
    Node *prelude = parse_source("prelude.mg", mgc_prelude);
    if (!prelude || diag_errors())
        MGC_INTERNAL("the prelude does not parse");
    char *text = read_file(path);
    if (!text)
        return NULL;
    diag_add_source(path, text);
    Node *prog = parse_source(path, text);
    if (!prog || diag_errors())
        return NULL;
    if (dump & DUMP_AST)
        ast_dump(prog, stdout);
    Graph *g = trace_program(prelude, prog, name, path, &opts->trace);
    if (!g || !params_fit(g, opts->max_memory))
        return NULL;
    ir_verify(g);
    if (dump & DUMP_TRACE)
        ir_dump(stdout, g, 0);
    return g;
}


/* ---- the middle end: one flat list of passes ---- */
typedef struct Pass {
    const char *name;
    void (*run)(Graph *g);
} Pass;

static const Pass passes[] = {
    {"fold", opt_fold}, {"licm", opt_licm}, {"cse", opt_cse}, {"dce", opt_dce}, {"split", opt_split},
    {"reduce", opt_reduce}, {"fuse", opt_fuse},
};
enum {
    NPASS = sizeof passes / sizeof passes[0],
    BIT_PLAN = 1u << NPASS, BIT_REUSE = 1u << (NPASS + 1), BIT_BLOCK = 1u << (NPASS + 2)
};
const char mgc_pass_names[] = "fold, licm, cse, dce, split, reduce, fuse, plan, reuse, block";

unsigned mgc_pass_bit(const char *name)
{
    for (int i = 0; i < NPASS; i++)
        if (!strcmp(name, passes[i].name))
            return 1u << i;
    return !strcmp(name, "plan") ? BIT_PLAN : !strcmp(name, "reuse") ? BIT_REUSE : !strcmp(name, "block") ? BIT_BLOCK : 0;
}

/* The graph as --dump prints it; after the plan, with every buffer's place in scratch. */
static void dump_graph(FILE *f, const Graph *g, int planned)
{
    ir_dump(f, g, 1);
    if (!planned)
        return;
    for (int i = 0; i < g->ntensors; i++) {
        const Tensor *t = g->tensors[i];
        if (in_scratch(g, t))
            fprintf(f, "  scratch %-24s %6ld .. %6ld\n", t->name, t->offset, t->offset + t->size);
    }
    fprintf(f, "  scratch total %ld doubles\n", g->scratch);
}

/* The dump as text (NULL when memory runs out), and its lines split in place. */
typedef struct DumpText {
    char *text;
    size_t size;
    char **line;
    size_t n;
} DumpText;

static int dump_text(DumpText *d, const Graph *g, int planned)
{
    memset(d, 0, sizeof *d);
    FILE *f = open_memstream(&d->text, &d->size);
    if (!f)
        return -1;
    dump_graph(f, g, planned);
    if (fclose(f) != 0)
        return -1;
    for (size_t i = 0; i < d->size; i++)
        d->n += d->text[i] == '\n';
    d->line = malloc((d->n + 1) * sizeof *d->line);
    if (!d->line)
        return -1;
    size_t k = 0;
    for (char *p = d->text; k < d->n; k++) {
        char *e = strchr(p, '\n');
        *e = 0;
        d->line[k] = p;
        p = e + 1;
    }
    return 0;
}

static void dump_text_free(DumpText *d)
{
    free(d->text);
    free(d->line);
}

/* Cells of the longest-common-subsequence table we are willing to fill. */
#define DIFF_MAX_CELLS ((size_t)1 << 25)

/* What a pass changed, as the lines it removed (-) and added (+), with '...' where
 * unchanged lines lie between two changes; the whole graph if the difference is too
 * large to compute. */
static void print_changes(const DumpText *a, const DumpText *b, const Graph *g, int planned)
{
    size_t lo = 0, ea = a->n, eb = b->n;
    while (lo < ea && lo < eb && !strcmp(a->line[lo], b->line[lo]))
        lo++;
    while (ea > lo && eb > lo && !strcmp(a->line[ea - 1], b->line[eb - 1]))
        ea--, eb--;
    size_t n = ea - lo, m = eb - lo;
    if (n == 0 && m == 0) {
        printf("  (no change)\n");
        return;
    }
    unsigned *L = (n + 1) * (m + 1) <= DIFF_MAX_CELLS ? calloc((n + 1) * (m + 1), sizeof *L) : NULL;
    if (!L) {
        printf("  (too many changes to list: the whole graph follows)\n");
        dump_graph(stdout, g, planned);
        return;
    }
    /* L[i][j]: common lines of a[lo+i..ea) and b[lo+j..eb) */
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;)
            L[i * (m + 1) + j] = !strcmp(a->line[lo + i], b->line[lo + j])
                                     ? L[(i + 1) * (m + 1) + j + 1] + 1
                                     : (L[(i + 1) * (m + 1) + j] >= L[i * (m + 1) + j + 1] ? L[(i + 1) * (m + 1) + j]
                                                                                          : L[i * (m + 1) + j + 1]);
    if (lo > 0)
        printf("  ...\n");
    size_t i = 0, j = 0;
    int gap = 0;
    while (i < n || j < m) {
        if (i < n && j < m && !strcmp(a->line[lo + i], b->line[lo + j])) {
            gap = 1, i++, j++;
            continue;
        }
        if (gap)
            printf("  ...\n"), gap = 0;
        if (j == m || (i < n && L[(i + 1) * (m + 1) + j] >= L[i * (m + 1) + j + 1]))
            printf("-%s\n", a->line[lo + i++]);
        else
            printf("+%s\n", b->line[lo + j++]);
    }
    if (ea < a->n)
        printf("  ...\n");
    free(L);
}

void mgc_middle_end(Graph *g, unsigned off, unsigned dump)
{
    mgc_middle_end_hook(g, off, dump, NULL, NULL);
}

void mgc_middle_end_hook(Graph *g, unsigned off, unsigned dump, MgcPassHook hook, void *arg)
{
    if (g->fast || g->f32) {     /* the fast modes' closed-form backward statements */
        opt_closed(g);
        ir_verify(g);
    }
    for (int i = 0; i <= NPASS; i++) {
        const char *name = i < NPASS ? passes[i].name : "plan";
        unsigned bit = i < NPASS ? 1u << i : BIT_PLAN;
        if (i < NPASS && (off & bit)) {
            if (hook)
                hook(g, name, 0, arg);
            continue;
        }
        DumpText before = {0};
        int full = (dump & bit) != 0, changes = (dump & MGC_DUMP_CHANGES(bit)) != 0;
        if (changes && dump_text(&before, g, 0) != 0)
            MGC_INTERNAL("out of memory dumping the graph");
        if (i < NPASS) {
            passes[i].run(g);
            ir_verify(g);
        } else {
            g->scratch = plan_memory(g, !(off & BIT_REUSE));
            g->block_sums = !(off & BIT_BLOCK);
        }
        if (hook)
            hook(g, name, 1, arg);
        if (full) {
            printf("# after %s\n", name);
            dump_graph(stdout, g, i == NPASS);
        }
        if (!changes)
            continue;
        DumpText after;
        if (dump_text(&after, g, i == NPASS) != 0)
            MGC_INTERNAL("out of memory dumping the graph");
        printf("# changes made by %s\n", name);
        print_changes(&before, &after, g, i == NPASS);
        dump_text_free(&before);
        dump_text_free(&after);
    }
    sched_graph(g);
    if (dump & MGC_DUMP_SCHEDULE)
        sched_dump(stdout, g);
}
