/* mgc --standalone: microGPT trained briefly by the compiled trainer, then
 * written as one C file with its weights built in.  That file must build
 * with a bare `cc FILE.c -lm` (and warning-free under -std=c11 -Wall -Wextra
 * -pedantic), include nothing but the C library, hold every weight to the
 * bit, and print byte for byte what `microgpt sample --load CKPT` prints for
 * the same seed, number and temperature.  Bad input exits 1 naming the file. */
#include <criterion/criterion.h>

#include "../common/run.h"
#include "mg_checkpoint.h"

#define MGC MGC_BUILD_DIR "/mgc"
#define TRAINER MGC_BUILD_DIR "/microgpt"
#define MODEL MGC_SOURCE_DIR "/models/microgpt.mg"

extern const MgModel microgpt_model;

static char dir[64];

/* a fresh folder with a 30-step checkpoint in it */
static void setup(void)
{
    snprintf(dir, sizeof dir, "%s", tmpdir());
    Run *r = run("%s train --steps 30 --num 0 --save %s/ckpt", TRAINER, dir);
    cr_assert_eq(r->status, 0, "training failed: %s", r->err);
}

static void teardown(void)
{
    if (!strncmp(dir, "/tmp/mgc-test-", 14))
        run("rm -rf %s", dir);
}

TestSuite(standalone, .init = setup, .fini = teardown);

/* mgc --standalone, then a bare cc */
static void build(void)
{
    Run *r = run("%s %s --weights %s/ckpt --standalone -o %s/names.c", MGC, MODEL, dir, dir);
    cr_assert_eq(r->status, 0, "mgc --standalone failed: %s", r->err);
    r = run("cc %s/names.c -lm -o %s/names", dir, dir);
    cr_assert_eq(r->status, 0, "cc names.c -lm failed: %s", r->err);
}

/* the sampler and the trainer, same options: same bytes on stdout */
static void same_samples(const char *opts, int lines)
{
    static char want[1 << 20];
    Run *r = run("%s sample --load %s/ckpt %s", TRAINER, dir, opts);
    cr_assert_eq(r->status, 0, "microgpt sample %s: %s", opts, r->err);
    memcpy(want, r->out, sizeof want);
    r = run("%s/names %s", dir, opts);
    cr_assert_eq(r->status, 0, "names %s: %s", opts, r->err);
    int n = 0;
    for (const char *p = want; *p; p++)
        n += *p == '\n';
    cr_assert_eq(n, lines, "the trainer printed %d lines for '%s', expected %d", n, opts, lines);
    size_t i = 0;
    while (want[i] && want[i] == r->out[i])
        i++;
    cr_assert(!want[i] && !r->out[i], "'%s': outputs differ at byte %zu\ntrainer:\n%s\nstandalone:\n%s", opts, i,
              want, r->out);
}

Test(standalone, samples_are_the_trainers)
{
    build();
    same_samples("", 20);
    same_samples("--seed 7 --num 10 --temperature 0.5", 10);
    same_samples("--seed 123 --num 50 --temperature 1.3", 50);
    same_samples("--seed=18446744073709551615 --num=30 --temperature=0.1", 30);
}

Test(standalone, builds_warning_free_with_only_the_c_library)
{
    build();
    Run *r = run("cc -std=c11 -Wall -Wextra -pedantic -Werror -c %s/names.c -o %s/names.o", dir, dir);
    cr_assert_eq(r->status, 0, "warnings: %s", r->err);
    /* clang warns of unused static functions (the embedded headers' helpers) where gcc does not */
    r = run("command -v clang");
    if (r->status == 0) {
        r = run("clang -std=c11 -Wall -Wextra -pedantic -Werror -c %s/names.c -o %s/names.o", dir, dir);
        cr_assert_eq(r->status, 0, "clang warnings: %s", r->err);
    } else {
        cr_log_warn("clang not installed: names.c checked with cc only");
    }
    r = run("grep '^#include' %s/names.c", dir);
    const char *ok = "#include <math.h>\n#include <stdint.h>\n#include <stdio.h>\n#include <stdlib.h>\n"
                     "#include <string.h>\n";
    cr_assert_str_eq(r->out, ok, "includes:\n%s", r->out);
    r = run("grep -c 'malloc\\|calloc\\|mg_model\\|MgModel' %s/names.c", dir);
    cr_assert_str_eq(r->out, "0\n", "names.c allocates or uses the runtime");
}

/* every weight in names.c, read back through the C compiler, equals the
 * checkpoint's to the bit */
Test(standalone, weights_are_exact)
{
    build();
    char dump[256];
    snprintf(dump, sizeof dump, "%s/dump.c", dir);
    write_text(dump, "#define main sampler_main\n#include \"names.c\"\n#undef main\n"
                     "int main(void)\n{\n"
                     "    for (size_t i = 0; i < sizeof microgpt_weights / sizeof *microgpt_weights; i++)\n"
                     "        printf(\"%a\\n\", microgpt_weights[i]);\n"
                     "    return 0;\n}\n");
    Run *r = run("cc %s -lm -o %s/dump && %s/dump", dump, dir, dir);
    cr_assert_eq(r->status, 0, "dump: %s", r->err);
    const MgModel *m = &microgpt_model;
    double *want = calloc(m->n_scalars, sizeof *want);
    MgVocab v;
    MgErr e;
    long step;
    char ckpt[128];
    snprintf(ckpt, sizeof ckpt, "%s/ckpt", dir);
    cr_assert_eq(mg_ckpt_load(ckpt, m, want, &v, &step, &e), 0, "%s", e.msg);
    mg_vocab_free(&v);
    char *p = r->out, *end;
    size_t bad = 0, n = 0;
    for (; n < m->n_scalars; n++, p = end) {
        double x = strtod(p, &end);
        if (end == p)
            break;
        bad += memcmp(&x, &want[n], sizeof x) != 0;
    }
    free(want);
    cr_expect_eq(n, m->n_scalars, "names.c holds %zu weights, the model %zu", n, m->n_scalars);
    cr_expect_eq(bad, 0, "%zu weights differ from the checkpoint's", bad);
}

Test(standalone, sampler_options)
{
    build();
    Run *r = run("%s/names --help", dir);
    cr_assert_eq(r->status, 0);
    cr_assert(strstr(r->out, "--seed") && strstr(r->out, "--num") && strstr(r->out, "--temperature"), "%s", r->out);
    r = run("%s/names --bogus", dir);
    cr_assert_eq(r->status, 1);
    cr_assert(strstr(r->err, "error: unknown option '--bogus'"), "stderr: %s", r->err);
    r = run("%s/names --num abc", dir);
    cr_assert_eq(r->status, 1);
    cr_assert(strstr(r->err, "error: --num: 'abc' is not a non-negative integer"), "stderr: %s", r->err);
    r = run("%s/names --temperature 0", dir);
    cr_assert_eq(r->status, 1);
    cr_assert(strstr(r->err, "error: --temperature: '0' must be finite and > 0"), "stderr: %s", r->err);
    r = run("%s/names --seed", dir);
    cr_assert_eq(r->status, 1);
    cr_assert(strstr(r->err, "error: --seed: needs a value"), "stderr: %s", r->err);
}

/* mgc exits 1, says `want` (and names the checkpoint), and writes nothing */
static void refused(const char *ckpt, const char *model, const char *want)
{
    Run *r = run("%s %s %s%s --standalone -o %s/out.c", MGC, model, ckpt ? "--weights " : "", ckpt ? ckpt : "", dir);
    cr_assert_eq(r->status, 1, "mgc accepted %s", ckpt ? ckpt : "no --weights");
    cr_assert(strstr(r->err, want), "stderr: %s\nexpected: %s", r->err, want);
    if (ckpt)
        cr_assert(strstr(r->err, ckpt), "the message does not name %s: %s", ckpt, r->err);
    r = run("ls %s/out.c*", dir);
    cr_assert_neq(r->status, 0, "a refused checkpoint left %s", r->out);
}

Test(standalone, bad_checkpoints_are_refused)
{
    char path[128], want[256];
    refused(NULL, MODEL, "mgc: error: --standalone needs --weights CKPT");

    snprintf(path, sizeof path, "%s/missing", dir);
    snprintf(want, sizeof want, "mgc: error: %s: cannot open", path);
    refused(path, MODEL, want);

    /* one byte of the data changed */
    snprintf(path, sizeof path, "%s/corrupt", dir);
    Run *r = run("cp %s/ckpt %s && printf '\\001' | dd of=%s bs=1 seek=$(($(stat -c %%s %s) - 100)) conv=notrunc",
                 dir, path, path, path);
    cr_assert_eq(r->status, 0, "%s", r->err);
    snprintf(want, sizeof want, "mgc: error: %s: checksum mismatch", path);
    refused(path, MODEL, want);

    /* cut short */
    snprintf(path, sizeof path, "%s/short", dir);
    r = run("head -c 1000 %s/ckpt > %s", dir, path);
    snprintf(want, sizeof want, "mgc: error: %s: header size", path);
    refused(path, MODEL, want);

    /* a model named microgpt with other shapes */
    char other[128];
    snprintf(path, sizeof path, "%s/ckpt", dir);
    r = run("mkdir %s/other && sed 's/const n_embd = 16/const n_embd = 8/' %s > %s/other/microgpt.mg", dir, MODEL, dir);
    cr_assert_eq(r->status, 0, "%s", r->err);
    snprintf(other, sizeof other, "%s/other/microgpt.mg", dir);
    snprintf(want, sizeof want, "mgc: error: %s: tensor 'wte' has shape [27, 16] but model 'microgpt' expects [27, 8]",
             path);
    refused(path, other, want);

    /* the default data and another model's name */
    snprintf(want, sizeof want, "mgc: error: %s: checkpoint is for model 'microgpt', not 'mlp'", path);
    refused(path, MGC_SOURCE_DIR "/models/mlp.mg", want);
}
