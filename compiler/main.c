/* main.c: the mgc driver.  Runs the stages as one flat list:
 *   read -> parse (prelude, model) -> trace -> verify -> autodiff -> verify
 *   -> passes (fold, licm, cse, dce, split, reduce, fuse; verify after each) -> memory plan
 *   -> schedule (the kernel of each statement) -> emit
 * `--dump=STAGE` prints the program after a stage; `--emit=dot` writes the
 * graph after autodiff as Graphviz instead of C; `--explain` prints sizes,
 * FLOPs and memory per stage; `mgc run` hands the traced
 * graph to the reference interpreter behind the trainer command line. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "autodiff.h"
#include "mg_cli.h"
#include "mg_outfile.h"
#include "diag.h"
#include "emit_c.h"
#include "emit_dot.h"
#include "emit_standalone.h"
#include "explain.h"
#include "interp.h"
#include "ir.h"
#include "pipeline.h"
#include "report.h"
#include "trace.h"

#define MGC_VERSION "0.1.0"

static const char usage[] =
    "usage: mgc [options] MODEL.mg -o MODEL.c\n"
    "       mgc run [-D NAME=VALUE]... MODEL.mg COMMAND [ARGS...]\n"
    "       mgc report RUN.csv... -o REPORT.html\n"
    "\n"
    "Compiles a .mg model to C: the forward pass (logits) and the loss with the\n"
    "gradient of every parameter, for linking with the mgc runtime into a trainer.\n"
    "\n"
    "options:\n"
    "  -o FILE          write the C to FILE ('-' for standard output)\n"
    "  --emit=KIND      what -o writes: c (the default) or dot (a Graphviz graph of\n"
    "                   the traced forward and backward statements, after autodiff\n"
    "                   and before the passes; to standard output without -o)\n"
    "  --explain        print statistics to standard output: graph size after each\n"
    "                   stage and pass, parameters, FLOPs per position, scratch\n"
    "                   memory and lines of C (writes nothing else unless -o)\n"
    "  --name NAME      C name of the model (default: the file name without .mg)\n"
    "  -D NAME=VALUE    give the top-level 'const NAME' the number VALUE instead of\n"
    "                   its expression (e.g. -D n_embd=64; may be repeated)\n"
    "  --dump=STAGE     print the program after STAGE to standard output; STAGE is\n"
    "                   ast, trace, autodiff, or a pass: fold, licm, cse, dce,\n"
    "                   split, reduce, fuse, plan; or schedule: the kernel each\n"
    "                   statement runs as (loops, vector, tiles, blocked, gemm)\n"
    "                   (may be repeated)\n"
    "  --dump-changes=PASS  print only what PASS changed: the lines of the\n"
    "                   --dump output it removed ('-') and added ('+'); PASS is\n"
    "                   one of the passes above (may be repeated)\n"
    "  --no-opt=PASSES  turn off passes (comma-separated): fold (constant folding),\n"
    "                   licm (hoisting libm calls out of loops), cse (reusing values\n"
    "                   computed before), dce (dead statements), split (a loop\n"
    "                   over c read as c // K as two loops), reduce (sums kept\n"
    "                   in registers instead of memory), fuse (one loop\n"
    "                   nest for statements over the same ranges), reuse (buffers\n"
    "                   sharing scratch memory), block (independent sums computed\n"
    "                   four at a time)\n"
    "  -O0              all of them off\n"
    "  --fast           also reorder floating point: split sums, 1/x for pow(x, -1),\n"
    "                   sqrt for pow(x, 0.5), ...; Adam takes g * g and sqrt for\n"
    "                   pow too (as with f32); faster, but the numbers are no\n"
    "                   longer the reference's to the bit\n"
    "  --dtype=TYPE     f64 (the default) or f32: compute in float, accumulations\n"
    "                   too, as PyTorch's float32 does (one document a step, the\n"
    "                   trainer trains float parameters and Adam state)\n"
    "  --blas           with --dtype=f32: matrix products (a sum over one loop of\n"
    "                   the product of two matrices) call mg_sgemm, the system\n"
    "                   BLAS's sgemm (OpenBLAS) when the runtime was built with one\n"
    ;
/* the rest of the help (ISO C promises string literals of 4095 characters) */
static const char usage_more[] =
    "  --standalone     write one C file that needs nothing but the C library and\n"
    "                   libm (cc FILE.c -lm): the forward pass, the weights of\n"
    "                   --weights built in, and a main that prints what\n"
    "                   'TRAINER sample --load CKPT' prints, bit for bit; for a\n"
    "                   model of examples, a function predict(features, out)\n"
    "                   that writes one example's logits, and a main that reads\n"
    "                   rows of feature values (CSV or whitespace-separated) on\n"
    "                   stdin and prints each row's logits\n"
    "  --weights CKPT   the checkpoint --standalone builds in (from 'train --save')\n"
    "  --check          check the model and write nothing\n"
    "  --max-memory=BYTES  refuse a model whose parameters or whose scratch memory\n"
    "                   needs more than BYTES (suffix K, M or G for KiB, MiB, GiB;\n"
    "                   the default is 16G, 2^31 doubles, for each)\n"
    "  -h, --help       show this help\n"
    "  --version        show the version\n"
    "\n"
    "mgc run MODEL.mg COMMAND ...  trains, samples or takes gradients with the\n"
    "reference interpreter (a scalar Value autograd), with the same command line\n"
    "as a compiled trainer: train, sample, grad (see 'mgc run MODEL.mg --help').\n"
    "mgc report RUN.csv... -o REPORT.html  overlays the loss curves of trainers'\n"
    "--log files on one self-contained HTML page (see 'mgc report --help').\n"
    "\n"
    "Exit status: 0 on success, 1 on any error in the input or the options.\n";

typedef struct Opts {
    const char *input, *output, *name;
    int dump, check;
    unsigned off, pdump;
    int fast, f32, blas;
    int dot, explain;   /* --emit=dot, --explain */
    int standalone;     /* --standalone, with the checkpoint --weights */
    const char *weights;
    MgcOpts mgc;        /* -D, --max-memory: what the stages take */
} Opts;

static int valid_ident(const char *s)
{
    if (!*s || (*s >= '0' && *s <= '9'))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

/* -D NAME=VALUE or -DNAME=VALUE at argv[*i] (moving *i past its value): a
 * top-level const replaced, for mgc and for mgc run */
static int define(int argc, char **argv, int *i, TraceOpts *t)
{
    const char *a = argv[*i];
    const char *d = a[2] ? a + 2 : *i + 1 < argc ? argv[++*i] : NULL;
    const char *eq = d ? strchr(d, '=') : NULL;
    if (!eq || eq == d || !eq[1]) {
        diag_plain("-D needs NAME=VALUE (got '%s')", d ? d : "");
        return 1;
    }
    char *end;
    double v = strtod(eq + 1, &end);
    if (*end || !isfinite(v)) {
        diag_plain("-D %s: '%s' is not a number", d, eq + 1);
        return 1;
    }
    if (trace_override(t, arena_printf("%.*s", (int)(eq - d), d), eq + 1)) {
        diag_plain("too many -D options");
        return 1;
    }
    return 0;
}

/* the stages --dump=STAGE takes */
static const char dump_stages[] = "ast, trace, autodiff, fold, licm, cse, dce, split, reduce, fuse, plan, schedule";

/* an option spelled NAME=VALUE given as NAME alone: what it expects */
static int needs_equals(const char *a)
{
    static const struct { const char *opt, *what; } forms[] = {
        {"--dump", "a stage: --dump=STAGE (one of %s)"},
        {"--emit", "a kind: --emit=KIND (c or dot)%s"},
        {"--dtype", "a type: --dtype=TYPE (f32 or f64)%s"},
        {"--no-opt", "passes: --no-opt=PASS,... (fold, licm, cse, dce, split, reduce, fuse, reuse, block)%s"},
        {"--dump-changes", "a pass: --dump-changes=PASS (fold, licm, cse, dce, split, reduce, fuse or plan)%s"},
        {"--max-memory", "a size: --max-memory=BYTES (a number, optionally followed by K, M or G)%s"},
    };
    for (size_t k = 0; k < sizeof forms / sizeof *forms; k++)
        if (!strcmp(a, forms[k].opt)) {
            const char *what = arena_printf(forms[k].what, k == 0 ? dump_stages : "");
            diag_plain("%s needs %s", a, what);
            return 1;
        }
    return 0;
}

/* What -o receives: the model's C, its DOT graph, or (--standalone) one C
 * file with the checkpoint's weights built in. */
typedef enum { OUT_C, OUT_DOT, OUT_STANDALONE } OutKind;

static void emit(FILE *f, Graph *g, OutKind kind, const Weights *w)
{
    switch (kind) {
    case OUT_C: emit_c(f, g); break;
    case OUT_DOT: emit_dot(f, g); break;
    case OUT_STANDALONE: emit_standalone(f, g, w); break;
    }
}

/* Write the output (w: the weights OUT_STANDALONE builds in) through mg_out: a
 * temporary renamed into place, so a failed run never leaves half a file; "-"
 * is standard output. */
static int write_output(Graph *g, const char *path, OutKind kind, const Weights *w)
{
    MgOut out;
    MgErr e;
    if (mg_out_open(&out, path, &e) == 0) {
        emit(out.f, g, kind, w);
        if (mg_out_close(&out, &e) == 0)
            return 0;
    }
    diag_plain("%s", e.msg);
    return 1;
}

/* -o, checked before any work: writable, and not the model or the weights. */
static int check_output(const Opts *o)
{
    MgErr e;
    if (!o->output || o->check)
        return 0;
    if (mg_out_check(o->output, &e) == 0 && mg_out_distinct(o->output, o->input, &e) == 0 &&
        mg_out_distinct(o->output, o->weights, &e) == 0)
        return 0;
    diag_plain("%s", e.msg);
    return 1;
}

/* Everything printed to standard output reached it (a full disk, a closed pipe). */
static int check_stdout(void)
{
    MgErr e;
    if (mg_out_stdout(&e) == 0)
        return 0;
    diag_plain("%s", e.msg);
    return 1;
}

/* --explain: the report, with the lines of C counted in a temporary file */
static int explain(Graph *g, const Explain *x)
{
    FILE *f = tmpfile();
    if (!f) {
        diag_plain("cannot make a temporary file to count the C lines: %s", strerror(errno));
        return 1;
    }
    emit_c(f, g);
    rewind(f);
    long lines = 0;
    for (int c; (c = getc(f)) != EOF;)
        lines += c == '\n';
    fclose(f);
    explain_print(stdout, x, g, lines);
    return check_stdout();
}

static int run_interpreter(int argc, char **argv)
{
    if (argc >= 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
        fputs("usage: mgc run [-D NAME=VALUE]... MODEL.mg COMMAND [ARGS...]\n"
              "\n"
              "Runs MODEL.mg with the reference interpreter (a scalar Value autograd)\n"
              "behind the trainer command line: COMMAND is train, sample or grad, with the\n"
              "options of a compiled trainer; 'mgc run MODEL.mg --help' lists them.\n"
              "-D NAME=VALUE replaces a top-level const, as it does for mgc.\n",
              stdout);
        return 0;
    }
    MgcOpts opts;
    mgc_opts_init(&opts);
    int i = 2;
    for (; i < argc && !strncmp(argv[i], "-D", 2); i++)
        if (define(argc, argv, &i, &opts.trace))
            return 1;
    if (i >= argc) {
        diag_plain("'mgc run' needs a model: mgc run [-D NAME=VALUE]... MODEL.mg COMMAND [ARGS...]");
        return 1;
    }
    const char *path = argv[i];
    Graph *g = mgc_front_end(path, mgc_model_name(path), 0, &opts);
    if (!g)
        return 1;
    MgModel m;
    if (interp_make_model(g, &m) != 0)
        return 1;
    const char *prog = arena_printf("mgc run %s", path);
    int rc = mg_cli_main(&m, prog, argc - i, argv + i);
    interp_free_model(&m);
    return rc;
}

/* "64M" -> 67108864 (K, M, G: powers of 1024); 0 if it is not a size */
static long parse_bytes(const char *s)
{
    char *end;
    errno = 0;
    if (*s < '0' || *s > '9')
        return 0;
    unsigned long long v = strtoull(s, &end, 10);
    int shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
    if (shift)
        end++;
    if (errno || *end || v > (unsigned long long)(LONG_MAX >> shift))
        return 0;
    return (long)(v << shift);
}

/* --no-opt=cse,dce */
static int no_opt(Opts *o, const char *list)
{
    char *copy = arena_strdup(list);
    for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
        unsigned bit = mgc_pass_bit(tok);
        if (!bit || bit == mgc_pass_bit("plan")) {
            diag_plain("unknown pass '%s' for --no-opt (fold, licm, cse, dce, split, reduce, fuse, reuse, block)", tok);
            return 1;
        }
        o->off |= bit;
    }
    if (!*list) {
        diag_plain("--no-opt= needs a pass name (fold, licm, cse, dce, split, reduce, fuse, reuse, block)");
        return 1;
    }
    return 0;
}

static int parse_opts(int argc, char **argv, Opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            fputs(usage_more, stdout);
            exit(0);
        } else if (!strcmp(a, "--version")) {
            printf("mgc %s\n", MGC_VERSION);
            exit(0);
        } else if (!strcmp(a, "-o") || !strcmp(a, "--name")) {
            if (i + 1 >= argc) {
                diag_plain("option '%s' needs a value", a);
                return 1;
            }
            if (!strcmp(a, "-o"))
                o->output = argv[++i];
            else
                o->name = argv[++i];
        } else if (!strncmp(a, "--dump=", 7)) {
            const char *s = a + 7;
            if (!strcmp(s, "ast")) o->dump |= DUMP_AST;
            else if (!strcmp(s, "trace")) o->dump |= DUMP_TRACE;
            else if (!strcmp(s, "autodiff")) o->dump |= DUMP_AUTODIFF;
            else if (!strcmp(s, "schedule")) o->pdump |= MGC_DUMP_SCHEDULE, o->dump |= DUMP_PASS;
            else if (mgc_pass_bit(s) && strcmp(s, "reuse") && strcmp(s, "block")) o->pdump |= mgc_pass_bit(s), o->dump |= DUMP_PASS;
            else {
                diag_plain("unknown stage '%s' for --dump (%s)", s, dump_stages);
                return 1;
            }
        } else if (!strncmp(a, "--dump-changes=", 15)) {
            const char *s = a + 15;
            if (!mgc_pass_bit(s) || !strcmp(s, "reuse") || !strcmp(s, "block")) {
                diag_plain("unknown pass '%s' for --dump-changes (fold, licm, cse, dce, split, reduce, fuse, plan)", s);
                return 1;
            }
            o->pdump |= MGC_DUMP_CHANGES(mgc_pass_bit(s)), o->dump |= DUMP_PASS;
        } else if (!strncmp(a, "--no-opt=", 9)) {
            if (no_opt(o, a + 9))
                return 1;
        } else if (!strncmp(a, "--emit=", 7)) {
            if (strcmp(a + 7, "c") && strcmp(a + 7, "dot")) {
                diag_plain("unknown output kind '%s' for --emit (c, dot)", a + 7);
                return 1;
            }
            o->dot = !strcmp(a + 7, "dot");
        } else if (!strcmp(a, "--explain")) {
            o->explain = 1;
        } else if (!strcmp(a, "--standalone")) {
            o->standalone = 1;
        } else if (!strcmp(a, "--weights") || !strncmp(a, "--weights=", 10)) {
            if (!a[9] && i + 1 >= argc) {
                diag_plain("option '%s' needs a value", a);
                return 1;
            }
            o->weights = a[9] ? a + 10 : argv[++i];
        } else if (!strncmp(a, "-D", 2)) {
            if (define(argc, argv, &i, &o->mgc.trace))
                return 1;
        } else if (!strncmp(a, "--dtype=", 8)) {
            if (strcmp(a + 8, "f32") && strcmp(a + 8, "f64")) {
                diag_plain("unknown type '%s' for --dtype (f32, f64)", a + 8);
                return 1;
            }
            o->f32 = !strcmp(a + 8, "f32");
        } else if (!strcmp(a, "--fast")) {
            o->fast = 1;
        } else if (!strcmp(a, "--blas")) {
            o->blas = 1;
        } else if (!strcmp(a, "-O0")) {
            o->off |= ~(mgc_pass_bit("plan"));
        } else if (!strcmp(a, "--check")) {
            o->check = 1;
        } else if (!strncmp(a, "--max-memory=", 13)) {
            long bytes = parse_bytes(a + 13);
            if (bytes <= 0) {
                diag_plain("--max-memory: '%s' is not a size in bytes (a positive number, optionally followed by "
                           "K, M or G)", a + 13);
                return 1;
            }
            o->mgc.max_memory = bytes;
        } else if (needs_equals(a)) {
            return 1;
        } else if (a[0] == '-' && a[1]) {
            diag_plain("unknown option '%s' (see 'mgc --help')", a);
            return 1;
        } else if (o->input) {
            diag_plain("more than one model given ('%s' and '%s')", o->input, a);
            return 1;
        } else {
            o->input = a;
        }
    }
    if (!o->input) {
        diag_plain("no model given (see 'mgc --help')");
        return 1;
    }
    if (o->name && !valid_ident(o->name)) {
        diag_plain("--name '%s' is not a C identifier", o->name);
        return 1;
    }
    if (o->standalone && !o->weights) {
        diag_plain("--standalone needs --weights CKPT, a checkpoint saved by 'TRAINER train --save CKPT'");
        return 1;
    }
    if (o->weights && !o->standalone) {
        diag_plain("--weights is only used with --standalone");
        return 1;
    }
    if (o->blas && !o->f32) {
        diag_plain("--blas runs float matrix products: it needs --dtype=f32");
        return 1;
    }
    if (o->standalone && o->f32) {
        diag_plain("--standalone writes the double model: it cannot be combined with --dtype=f32");
        return 1;
    }
    if (o->standalone && o->dot) {
        diag_plain("--standalone writes C: it cannot be combined with --emit=dot");
        return 1;
    }
    if (o->dot && !o->output && !o->explain)
        o->output = "-";
    if (!o->output && !o->check && !o->dump && !o->explain) {
        diag_plain("no output given: add '-o FILE.c' (or --check, or --dump=STAGE)");
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "run")) {
        int rc = run_interpreter(argc, argv);
        arena_free_all();
        return rc;
    }
    signal(SIGPIPE, SIG_IGN);   /* a closed pipe is a write error, reported */
    if (argc >= 2 && !strcmp(argv[1], "report"))
        return report_main(argc - 1, argv + 1);
    Opts o = {0};
    mgc_opts_init(&o.mgc);
    if (parse_opts(argc, argv, &o) || check_output(&o)) {
        arena_free_all();
        return 1;
    }
    int rc = 1;
    Graph *g = mgc_front_end(o.input, o.name ? o.name : mgc_model_name(o.input), o.dump, &o.mgc);
    if (g && !g->tokens && !g->logits && o.standalone && !o.check) {
        diag_plain("%s defines no logits: --standalone writes a predict function that returns a model's logits",
                   o.input);
        g = NULL;
    }
    if (g) {
        Explain x = {0};
        if (o.explain)
            explain_stage(g, "trace", 1, &x);
        ad_differentiate(g);
        if (diag_errors()) {        /* a derivative too large to emit */
            arena_free_all();
            return 1;
        }
        ir_verify(g);
        if (o.dump & DUMP_AUTODIFF)
            ir_dump(stdout, g, 1);
        if (o.explain) {
            explain_stage(g, "autodiff", 1, &x);
            explain_flops(g, 0, x.traced);
        }
        rc = (o.dot && o.output && !o.check) ? write_output(g, o.output, OUT_DOT, NULL) : 0;
        g->fast = o.fast;
        g->f32 = o.f32;
        g->blas = o.blas;
        mgc_middle_end_hook(g, o.off, o.pdump, o.explain ? explain_stage : NULL, &x);
        if (!mgc_scratch_fits(g, &o.mgc))
            rc = 1;
        if (!rc && o.explain)
            rc = explain(g, &x);
        Weights w;
        if (!rc && o.standalone && !o.check)
            rc = emit_standalone_load(g, o.weights, &w);
        if (!rc && !o.dot && o.output && !o.check)
            rc = write_output(g, o.output, o.standalone ? OUT_STANDALONE : OUT_C, &w);
    }
    if (!rc)
        rc = check_stdout();
    arena_free_all();
    return rc;
}
