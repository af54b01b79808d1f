/* Command-line tests for mgc and a compiled trainer: exit codes and the
 * messages users see for bad input.  Every error exits 1, never crashes. */
#define _GNU_SOURCE     /* mknod, makedev */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "../common/run.h"

#define MGC MGC_BUILD_DIR "/mgc"
#define MLP MGC_BUILD_DIR "/mlp"
#define MODEL MGC_SOURCE_DIR "/models/mlp.mg"

/* text read from path (NULL if it cannot be read), up to 64 KiB */
static char *slurp_text(const char *path)
{
    static char buf[1 << 16];
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return buf;
}

/* issue 16 item 1: a hostile file name, and a comment quoting C comment
 * delimiters and line splices (item 10), compile under -Werror into C whose
 * descriptor spells the name back exactly: nothing is injected */
static const char hostile_name[] = "x\", }; __attribute__((constructor)) static void p(void) { puts(\"PWNED\"); } "
                                   "static const char *q[] = { \"\n?? \\ *.mg";

Test(mgc_cli, hostile_file_name_and_comment_do_not_reach_c)
{
    const char *d = tmpdir();
    char path[512], src[1 << 13];
    const char *model = slurp_text(MODEL);
    cr_assert(model, "cannot read %s", MODEL);
    const char *line = strstr(model, "h = relu(linear(x, mlp_fc1))");
    cr_assert(line, "mlp.mg changed: no hidden layer line");
    int n = (int)(strchr(line, '\n') - model);
    snprintf(src, sizeof src, "%.*s # see models/*.mg, */ and ?\?/ \\%s", n, model, model + n);
    snprintf(path, sizeof path, "%s/%s", d, hostile_name);
    write_text(path, src);
    snprintf(path, sizeof path, "%s/main.c", d);
    write_text(path, "#include <stdio.h>\n#include \"mg_model.h\"\nextern const MgModel hostile_model;\n"
                     "int main(void) { fputs(hostile_model.source, stdout); return 0; }\n");
    Run *r = run("cd %s && %s --name hostile x*.mg -o m.c && cc -std=c11 -Wall -Wextra -pedantic -Werror -I%s/runtime "
                 "-c m.c -o m.o && cc -std=c11 -I%s/runtime main.c m.o %s/runtime/libmgrt.a -lm -o prog && ./prog",
                 d, MGC, MGC_SOURCE_DIR, MGC_SOURCE_DIR, MGC_BUILD_DIR);
    cr_assert_eq(r->status, 0, "stderr: %s", r->err);
    cr_expect_str_eq(r->out, hostile_name, "the descriptor's .source is not the file name");
    snprintf(path, sizeof path, "%s/m.c", d);
    const char *c = slurp_text(path);
    cr_assert(c);
    cr_expect(!strstr(c, "models/*.mg"), "'/' '*' reached a C comment");
    cr_expect(strstr(c, "# see models/ *.mg, * / and ? ?/ \\x5C */"), "the .mg comment is not quoted (defused): %.2000s", c);
}

/* an option that takes =VALUE, given bare, says what it needs */
Test(mgc_cli, bare_dump_says_it_needs_a_stage)
{
    Run *r = run("%s --dump %s", MGC, MODEL);
    cr_expect_eq(r->status, 1);
    cr_expect(strstr(r->err, "mgc: error: --dump needs a stage: --dump=STAGE (one of ast, trace, autodiff, fold, "
                             "licm, cse, dce, split, reduce, fuse, plan, schedule)"), "stderr: %s", r->err);
    r = run("%s --emit %s", MGC, MODEL);
    cr_expect_eq(r->status, 1);
    cr_expect(strstr(r->err, "mgc: error: --emit needs a kind: --emit=KIND (c or dot)"), "stderr: %s", r->err);
    r = run("%s --dump=reuse %s", MGC, MODEL);   /* the list names only stages --dump takes */
    cr_expect(strstr(r->err, "unknown stage 'reuse' for --dump (ast, trace, autodiff, fold, licm, cse, dce, split, "
                             "reduce, fuse, plan, schedule)"), "stderr: %s", r->err);
}

/* mgc run -D NAME=VALUE: the same -D as mgc's, before the model */
Test(mgc_cli, run_takes_defines)
{
    const char *gpt = MGC_SOURCE_DIR "/models/microgpt.mg";
    Run *r = run("%s run -D n_emb=8 %s train --steps 1", MGC, gpt);
    cr_expect_eq(r->status, 1);
    cr_expect(strstr(r->err, "-D n_emb=8: " MGC_SOURCE_DIR "/models/microgpt.mg has no top-level 'const n_emb'"),
              "stderr: %s", r->err);
    r = run("%s run -Dn_embd=x %s train --steps 1", MGC, gpt);
    cr_expect_eq(r->status, 1);
    cr_expect(strstr(r->err, "-D n_embd=x: 'x' is not a number"), "stderr: %s", r->err);
    /* the override reaches the model: n_head 3 does not divide n_embd 16 */
    r = run("%s run -D n_head=3 %s train --steps 1", MGC, gpt);
    cr_expect_eq(r->status, 1);
    cr_expect(strstr(r->err, "microgpt.mg:"), "the model's own error: %s", r->err);
    r = run("%s run --help", MGC);
    cr_expect(strstr(r->out, "mgc run [-D NAME=VALUE]... MODEL.mg COMMAND"), "%s", r->out);
}

/* --standalone refuses a checkpoint holding NaN (the loader does): C has no literal for it */
Test(mgc_cli, standalone_refuses_non_finite_weights)
{
    const char *d = tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/save.c", d);
    write_text(path, "#include <math.h>\n#include \"mg_checkpoint.h\"\nextern const MgModel mlp_model;\n"
                     "static double p[1 << 16];\nint main(int argc, char **argv)\n{\n    (void)argc;\n"
                     "    uint32_t cps[26];\n    for (int i = 0; i < 26; i++)\n        cps[i] = 'a' + i;\n"
                     "    for (size_t i = 0; i < mlp_model.n_scalars; i++)\n        p[i] = 0.01;\n"
                     "    p[mlp_model.params[1].offset + 5 * 16 + 3] = NAN;\n    MgVocab v = {26, cps};\n"
                     "    MgErr e;\n    return mg_ckpt_save(argv[1], &mlp_model, p, &v, 7, &e) < 0;\n}\n");
    Run *r = run("cd %s && %s %s --name mlp -o mlp.c && cc -std=c11 %s -I%s/runtime save.c mlp.c %s/runtime/libmgrt.a -lm "
                 "-o save && ./save ck.safetensors",
                 d, MGC, MODEL, MGC_SANITIZE_FLAGS, MGC_SOURCE_DIR, MGC_BUILD_DIR);
    cr_assert_eq(r->status, 0, "making the checkpoint: %s", r->err);
    r = run("cd %s && %s --standalone --weights ck.safetensors %s -o sampler.c", d, MGC, MODEL);
    cr_expect_eq(r->status, 1);
    cr_expect(strstr(r->err, "mgc: error: ck.safetensors: parameter 'mlp_fc1' element [5, 3] is nan"), "stderr: %s",
              r->err);
    snprintf(path, sizeof path, "%s/sampler.c", d);
    cr_expect(access(path, F_OK) != 0, "a sampler was written");
}

Test(mgc_cli, help_documents_every_option)
{
    Run *r = run("%s --help", MGC);
    cr_assert_eq(r->status, 0);
    const char *opts[] = {"-o FILE", "--name", "--dump=STAGE", "--check", "--help", "--version", "mgc run",
                          "--no-opt=PASSES", "-O0", "--fast", "--emit=KIND", "--explain", "--standalone",
                          "--weights CKPT", "mgc report", "--dtype=TYPE", "-D NAME=VALUE"};
    for (size_t i = 0; i < sizeof opts / sizeof *opts; i++)
        cr_expect(strstr(r->out, opts[i]), "--help does not mention %s", opts[i]);
}

/* every command has --help, which exits 0 and prints to stdout */
Test(mgc_cli, every_command_has_help)
{
    static const char *forms[] = {"run --help", "run -h", "run " MODEL " --help", "report --help", "-h"};
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        Run *r = run("%s %s", MGC, forms[i]);
        cr_expect_eq(r->status, 0, "'mgc %s': exit status %d (stderr: %s)", forms[i], r->status, r->err);
        cr_expect(strstr(r->out, "usage: "), "'mgc %s' prints no usage on stdout: %s", forms[i], r->out);
    }
    Run *r = run("%s run", MGC);
    cr_expect_eq(r->status, 1, "'mgc run' without a model");
}

/* --dtype: f32 or f64, anything else refused; no f32 standalone */
Test(mgc_cli, blas_needs_f32)
{
    Run *r = run("%s --blas %s -o %s/out.c", MGC, MODEL, tmpdir());
    cr_expect_eq(r->status, 1);
    cr_expect(strstr(r->err, "--blas runs float matrix products: it needs --dtype=f32"), "%s", r->err);
    r = run("%s --blas --dtype=f32 %s -o - | sed '/^static double .*_loss_grad_batch_f32(/,$d' | grep -c 'mg_sgemm('",
            MGC, MODEL);
    /* mlp's two products in the forward pass (written once), and their
     * backward: each weight's gradient and each input's (in the
     * per-document functions; the batch call has its own, counted apart) */
    cr_expect_eq(atoi(r->out), 6, "mg_sgemm calls: %s", r->out);
    r = run("%s --blas --dtype=f32 %s -o - | sed -n '/^static double .*_loss_grad_batch_f32(/,/^}/p' | grep -c 'mg_sgemm('",
            MGC, MODEL);
    cr_expect_eq(atoi(r->out), 6, "mg_sgemm calls in the batch call: %s", r->out);
}

/* the descriptor's optimizer field MgOptim.fast: 1 only where the
 * numbers are no longer the reference's anyway, so Adam may take g * g and
 * sqrt for ** */
Test(mgc_cli, fast_adam_only_with_fast_or_f32)
{
    static const struct { const char *flags; int fast; } cases[] = {
        {"", 0}, {"--dtype=f64", 0}, {"-O0", 0}, {"--fast", 1}, {"--dtype=f32", 1}, {"--dtype=f32 --blas", 1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Run *r = run("%s %s %s -o - | grep -A1 '^    .optim = {'", MGC, cases[i].flags, MODEL);
        cr_assert_eq(r->status, 0, "mgc %s: %s", cases[i].flags, r->err);
        char want[16];
        snprintf(want, sizeof want, ".fast = %d,", cases[i].fast);
        cr_expect(strstr(r->out, want), "mgc %s: %s (expected the fast field %d)", cases[i].flags, r->out, cases[i].fast);
    }
}

Test(mgc_cli, dtype_values)
{
    Run *r = run("%s --dtype=f16 %s -o %s/out.c", MGC, MODEL, tmpdir());
    cr_expect_eq(r->status, 1);
    cr_expect(strstr(r->err, "mgc: error: unknown type 'f16' for --dtype (f32, f64)"), "stderr: %s", r->err);
    r = run("%s --dtype=f32 %s --standalone --weights x -o %s/out.c", MGC, MODEL, tmpdir());
    cr_expect_eq(r->status, 1);
    cr_expect(strstr(r->err, "cannot be combined with --dtype=f32"), "stderr: %s", r->err);
    r = run("%s --dtype=f32 %s -o -", MGC, MODEL);
    cr_expect_eq(r->status, 0, "stderr: %s", r->err);
    cr_expect(strstr(r->out, "float acc_"), "f32 C accumulates in float");
    Run *d = run("%s --dtype=f64 %s -o -", MGC, MODEL), *e = run("%s %s -o -", MGC, MODEL);
    cr_expect_str_eq(d->out, e->out, "--dtype=f64 is the default");
}

/* -D NAME=VALUE replaces a top-level const; anything else is refused */
Test(mgc_cli, define_sets_a_const)
{
    const char *gpt = MGC_SOURCE_DIR "/models/microgpt.mg";
    Run *r = run("%s -D n_embd=8 %s --explain", MGC, gpt);
    cr_assert_eq(r->status, 0, "stderr: %s", r->err);
    /* n_embd 8: wte, lm_head 27*8, wpe 16*8, four 8x8 attention, 32x8 and 8x32 mlp */
    long want = 27 * 8 * 2 + 16 * 8 + 4 * 64 + 2 * 32 * 8;
    char line[64];
    snprintf(line, sizeof line, "parameters: %ld scalars", want);
    cr_expect(strstr(r->out, line), "want '%s' in: %.300s", line, r->out);
    r = run("%s -Dn_layer=2 -D block_size=32 %s --explain", MGC, gpt);
    cr_expect_eq(r->status, 0, "stderr: %s", r->err);
    cr_expect(strstr(r->out, "T <= 32"), "block_size override: %.100s", r->out);
    cr_expect(strstr(r->out, "layer1.attn_wq"), "n_layer override");
    static const struct { const char *args, *msg; } bad[] = {
        {"-D n_emb=8", "-D n_emb=8: " MGC_SOURCE_DIR "/models/microgpt.mg has no top-level 'const n_emb'"},
        {"-D n_embd=x", "-D n_embd=x: 'x' is not a number"},
        {"-D n_embd", "-D needs NAME=VALUE (got 'n_embd')"},
        {"-D =3", "-D needs NAME=VALUE"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        r = run("%s %s %s --check", MGC, bad[i].args, gpt);
        cr_expect_eq(r->status, 1, "%s", bad[i].args);
        cr_expect(strstr(r->err, bad[i].msg), "%s: stderr %s", bad[i].args, r->err);
        cr_expect(!strstr(r->err, "unknown name"), "%s: cascading errors: %s", bad[i].args, r->err);
    }
}

/* gpt_text on running text: pieces of 64 characters with their newlines; the
 * vocabulary (newline included) survives a checkpoint; another text names
 * the -D vocab it needs */
Test(mgc_cli, gpt_text_trains_on_running_text)
{
    const char *d = tmpdir();
    char ck[256], txt[256];
    snprintf(ck, sizeof ck, "%s/text.safetensors", d);
    snprintf(txt, sizeof txt, "%s/other.txt", d);
    Run *r = run("%s/gpt_text train --docs text --steps 60 --batch 2 --num 2 --save %s --progress plain",
                 MGC_BUILD_DIR, ck);
    cr_assert_eq(r->status, 0, "stderr: %s", r->err);
    double first, last;
    const char *a = strstr(r->out, "step    1 /   60 | loss "), *b = strstr(r->out, "step   60 /   60 | loss ");
    cr_assert(a && b, "%.200s", r->out);
    sscanf(a + 24, "%lf", &first);
    sscanf(b + 24, "%lf", &last);
    cr_expect_gt(first - last, 0.3, "loss %.4f -> %.4f", first, last);   /* measured: 3.38 -> 2.94 */
    r = run("%s/gpt_text sample --load %s --num 2 --seed 3", MGC_BUILD_DIR, ck);
    cr_expect_eq(r->status, 0, "stderr: %s", r->err);
    cr_expect(strstr(r->out, "sample  2: "), "%s", r->out);
    /* the checkpoint says how the data was cut: a resume keeps it and refuses the other */
    r = run("%s/gpt_text train --load %s --steps 62 --num 0 --progress plain", MGC_BUILD_DIR, ck);
    cr_expect_eq(r->status, 0, "resume: %s", r->err);
    cr_expect(strstr(r->out, "step   61 /   62"), "%s", r->out);
    r = run("%s/gpt_text train --load %s --steps 62 --num 0 --docs lines", MGC_BUILD_DIR, ck);
    cr_expect_eq(r->status, 1);
    cr_expect(strstr(r->err, "cannot resume this run with --docs lines: it trained with --docs text"), "%s", r->err);
    FILE *f = fopen(txt, "w");
    cr_assert_not_null(f);
    fputs("It was the best of times,\nit was the worst of times.\n", f);
    fclose(f);
    r = run("%s/gpt_text train --docs text --data %s --steps 2", MGC_BUILD_DIR, txt);
    cr_expect_eq(r->status, 1);
    cr_expect(strstr(r->err, "with 'mgc -D vocab=18'"), "stderr: %s", r->err);
}

/* --threads with one document a step: mgc marks gpt_text's matrix products
 * (2^18 terms and more) to run their output rows on OpenMP threads, each
 * output whole on one thread, so two threads give one thread's bits */
Test(mgc_cli, threads_inside_a_document_give_the_same_bits)
{
    const char *d = tmpdir();
    Run *r = run("grep -c 'pragma omp parallel for' %s/generated/gpt_text.c", MGC_SOURCE_DIR);
    cr_assert_gt(atoi(r->out), 10, "generated/gpt_text.c has no parallel loops: %s", r->out);
    r = run("grep -c 'pragma omp' %s/generated/microgpt.c", MGC_SOURCE_DIR);
    cr_expect_eq(atoi(r->out), 0, "microGPT's loops are too small to split: %s", r->out);
    for (int th = 1; th <= 2; th++) {
        r = run("%s/gpt_text train --docs text --steps 4 --num 0 --threads %d --log %s/t%d.csv", MGC_BUILD_DIR, th, d,
                th);
        cr_assert_eq(r->status, 0, "--threads %d: %s", th, r->err);
    }
    r = run("cut -d, -f2 %s/t1.csv > %s/l1 && cut -d, -f2 %s/t2.csv > %s/l2 && wc -l < %s/l1 && cmp %s/l1 %s/l2", d, d,
            d, d, d, d, d);
    cr_expect_eq(r->status, 0, "--threads 2 changed the losses: %s", r->out);
    cr_expect_eq(atoi(r->out), 5, "header and 4 steps: %s", r->out);
}

/* the interpreter keeps state in its context: one thread, said plainly */
Test(mgc_cli, interpreter_refuses_threads)
{
    Run *r = run("%s run %s train --steps 2 --batch 2 --threads 2", MGC, MODEL);
    cr_assert_eq(r->status, 1, "stdout: %s", r->out);
    cr_assert(strstr(r->err, "--threads 2: the interpreter runs one thread"), "stderr: %s", r->err);
    r = run("%s run %s train --steps 2 --batch 2 --threads 1 --num 0", MGC, MODEL);
    cr_expect_eq(r->status, 0, "stderr: %s", r->err);
}

Test(mgc_cli, unknown_flag_is_refused)
{
    Run *r = run("%s --frobnicate %s -o %s/out.c", MGC, MODEL, tmpdir());
    cr_assert_eq(r->status, 1);
    cr_assert(strstr(r->err, "mgc: error: unknown option '--frobnicate'"), "stderr: %s", r->err);
}

Test(mgc_cli, missing_model_file_is_refused)
{
    Run *r = run("%s /nonexistent/x.mg -o %s/out.c", MGC, tmpdir());
    cr_assert_eq(r->status, 1);
    cr_assert(strstr(r->err, "cannot open '/nonexistent/x.mg'"), "stderr: %s", r->err);
}

Test(mgc_cli, malformed_model_names_file_line_and_column)
{
    const char *d = tmpdir();
    char path[128], out[128];
    snprintf(path, sizeof path, "%s/bad.mg", d);
    snprintf(out, sizeof out, "%s/bad.c", d);
    write_text(path, "const n = 4\ndim T <= 4\nx = (1 + \n");
    Run *r = run("%s %s -o %s", MGC, path, out);
    cr_assert_eq(r->status, 1);
    char want[160];
    snprintf(want, sizeof want, "%s:3:", path);
    cr_assert(strstr(r->err, want), "no location in: %s", r->err);
    cr_assert(strstr(r->err, "error:"), "stderr: %s", r->err);
    cr_assert(access(out, F_OK) != 0, "a failed compile left %s behind", out);
}

Test(mgc_cli, shape_error_points_at_the_operand)
{
    const char *d = tmpdir();
    char path[128];
    snprintf(path, sizeof path, "%s/shape.mg", d);
    write_text(path,
               "const vocab = 27\ndim T <= 8\ninput tokens[T + 1] < vocab\n"
               "param w[16, 8] ~ gauss(0, 0.1)\n"
               "x[t < T, c < 16] = w[c, tokens[t]]\n");
    Run *r = run("%s %s --check", MGC, path);
    cr_assert_eq(r->status, 1);
    char want[400];
    snprintf(want, sizeof want, "%s:5:25: error: index 2 of 'w' is out of range: it reaches 26 but the extent is 8", path);
    cr_assert(strstr(r->err, want), "stderr: %s", r->err);
    cr_assert(strstr(r->err, "    5 | x[t < T, c < 16] = w[c, tokens[t]]"), "no source line in: %s", r->err);
}

Test(mgc_cli, output_is_deterministic)
{
    const char *d = tmpdir();
    Run *r = run("%s %s -o %s/a.c && %s %s -o %s/b.c && cmp %s/a.c %s/b.c", MGC, MODEL, d, MGC, MODEL, d, d, d);
    cr_assert_eq(r->status, 0, "two runs differ: %s", r->err);
}

Test(mgc_cli, emitted_c_compiles_without_warnings)
{
    const char *d = tmpdir();
    Run *r = run("%s %s -o %s/m.c && cc -std=c11 -Wall -Wextra -pedantic -Werror -I%s/runtime -c %s/m.c -o %s/m.o",
                 MGC, MODEL, d, MGC_SOURCE_DIR, d, d);
    cr_assert_eq(r->status, 0, "%s", r->err);
}

Test(trainer_cli, unknown_flag_is_refused)
{
    Run *r = run("%s train --bogus 3", MLP);
    cr_assert_eq(r->status, 1);
    cr_assert(strstr(r->err, "--bogus"), "stderr: %s", r->err);
}

Test(trainer_cli, missing_data_file_is_refused)
{
    Run *r = run("%s train --data /nonexistent/names.txt --steps 1", MLP);
    cr_assert_eq(r->status, 1);
    cr_assert(strstr(r->err, "/nonexistent/names.txt"), "stderr: %s", r->err);
}

Test(trainer_cli, empty_data_file_is_refused)
{
    const char *d = tmpdir();
    char path[128];
    snprintf(path, sizeof path, "%s/empty.txt", d);
    write_text(path, "\n  \n\n");
    Run *r = run("%s train --data %s --steps 1", MLP, path);
    cr_assert_eq(r->status, 1);
    cr_assert(strstr(r->err, path), "stderr: %s", r->err);
}

Test(trainer_cli, character_outside_the_vocabulary_is_refused)
{
    const char *d = tmpdir();
    Run *r = run("%s train --steps 0 --save %s/c.safetensors --num 0 && %s grad --load %s/c.safetensors --doc 'ab7c' --out %s/g.safetensors",
                 MLP, d, MLP, d, d);
    cr_assert_eq(r->status, 1);
    cr_assert(strstr(r->err, "'7'"), "stderr: %s", r->err);
}

Test(trainer_cli, truncated_checkpoint_is_refused)
{
    const char *d = tmpdir();
    Run *r = run("%s train --steps 0 --save %s/c.safetensors --num 0 && head -c 3000 %s/c.safetensors > %s/t.safetensors"
                 " && %s sample --load %s/t.safetensors",
                 MLP, d, d, d, MLP, d);
    cr_assert_eq(r->status, 1);
    cr_assert(strstr(r->err, "t.safetensors"), "stderr: %s", r->err);
    cr_assert(strstr(r->err, "trunc"), "stderr does not say truncated: %s", r->err);
}

Test(trainer_cli, interpreter_and_compiled_print_the_same_lines)
{
    Run *r = run("%s train --steps 5 --num 3", MLP);
    cr_assert_eq(r->status, 0, "%s", r->err);
    static char compiled[1 << 20];
    snprintf(compiled, sizeof compiled, "%s", r->out);
    cr_assert(strstr(compiled, "step    1 /    5 | loss "), "stdout: %s", compiled);
    r = run("%s run %s train --steps 5 --num 3", MGC, MODEL);
    cr_assert_eq(r->status, 0, "%s", r->err);
    cr_assert_str_eq(r->out, compiled);
}

#include "mg_safetensors.h"

#define GPT MGC_BUILD_DIR "/microgpt"

/* Checkpoints use the reference's state_dict keys and row shapes. */
Test(trainer_cli, microgpt_checkpoint_uses_reference_names_and_shapes)
{
    const char *d = tmpdir();
    Run *r = run("%s train --steps 0 --save %s/c.safetensors --num 0", GPT, d);
    cr_assert_eq(r->status, 0, "%s", r->err);
    char path[128];
    snprintf(path, sizeof path, "%s/c.safetensors", d);
    MgSafetensors st;
    MgErr e;
    cr_assert_eq(mg_st_read(&st, path, &e), 0, "%s", e.msg);
    struct { const char *name; int r, c; } want[] = {
        {"wte", 27, 16}, {"wpe", 16, 16}, {"lm_head", 27, 16}, {"layer0.attn_wq", 16, 16},
        {"layer0.attn_wk", 16, 16}, {"layer0.attn_wv", 16, 16}, {"layer0.attn_wo", 16, 16},
        {"layer0.mlp_fc1", 64, 16}, {"layer0.mlp_fc2", 16, 64}};
    /* the parameters, and Adam's moments under optimizer.m. and optimizer.v. */
    cr_assert_eq(st.n, 27);
    for (int i = 0; i < 27; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s%s", i < 9 ? "" : i < 18 ? "optimizer.m." : "optimizer.v.", want[i % 9].name);
        const MgStTensor *t = mg_st_find(&st, name);
        cr_assert_not_null(t, "no tensor %s", name);
        cr_assert_eq(t->rank, 2);
        cr_assert_eq(t->shape[0], (uint64_t)want[i % 9].r, "%s rows", name);
        cr_assert_eq(t->shape[1], (uint64_t)want[i % 9].c, "%s columns", name);
    }
    mg_st_free(&st);
}

/* grad on a document longer than block_size: cropped as the reference crops,
 * and the compiled gradient equals the interpreter's. */
Test(trainer_cli, microgpt_grad_on_a_long_document_matches_the_interpreter)
{
    const char *d = tmpdir();
    const char *doc = "abcdefghijklmnopqrstuvwxyzabcdef";   /* 32 letters > block_size */
    Run *r = run("%s train --steps 3 --save %s/c.safetensors --num 0 && %s grad --load %s/c.safetensors --doc %s --out %s/gc.safetensors",
                 GPT, d, GPT, d, doc, d);
    cr_assert_eq(r->status, 0, "%s", r->err);
    const char *line = strstr(r->out, "\nloss ");
    cr_assert_not_null(line, "no 'loss' line from grad: %s", r->out);
    double lc = strtod(line + 6, NULL);
    r = run("%s run %s/models/microgpt.mg grad --load %s/c.safetensors --doc %s --out %s/gi.safetensors", MGC,
            MGC_SOURCE_DIR, d, doc, d);
    cr_assert_eq(r->status, 0, "%s", r->err);
    cr_assert(!strncmp(r->out, "loss ", 5), "stdout: %s", r->out);
    double li = strtod(r->out + 5, NULL);
    cr_assert(fabs(lc - li) <= 1e-12 * fabs(li), "loss %.17g vs %.17g", lc, li);
    char pc[128], pi[128];
    snprintf(pc, sizeof pc, "%s/gc.safetensors", d);
    snprintf(pi, sizeof pi, "%s/gi.safetensors", d);
    MgSafetensors a, b;
    MgErr e;
    cr_assert_eq(mg_st_read(&a, pc, &e), 0, "%s", e.msg);
    cr_assert_eq(mg_st_read(&b, pi, &e), 0, "%s", e.msg);
    cr_assert_eq(a.n, b.n);
    for (int i = 0; i < a.n; i++) {
        const MgStTensor *tb = mg_st_find(&b, a.t[i].name);
        cr_assert_not_null(tb);
        double maxd = 0, scale = 0;
        for (size_t k = 0; k < a.t[i].numel; k++) {
            maxd = fmax(maxd, fabs(a.t[i].data[k] - tb->data[k]));
            scale = fmax(scale, fabs(tb->data[k]));
        }
        cr_expect(maxd <= 1e-12 * scale, "%s: max difference %.3g at scale %.3g", a.t[i].name, maxd, scale);
        cr_expect(scale > 0, "%s: gradient is all zero", a.t[i].name);
    }
    mg_st_free(&a);
    mg_st_free(&b);
}

/* Sampling has tokens[0..T-1] only: logits that read the last target are refused. */
Test(mgc_cli, logits_that_read_the_target_are_refused)
{
    const char *d = tmpdir();
    char path[128];
    snprintf(path, sizeof path, "%s/peek.mg", d);
    write_text(path,
               "const vocab = 27\ndim T <= 8\ninput tokens[T + 1] < vocab\n"
               "param w[vocab, vocab] ~ gauss(0, 0.1)\n"
               "logits[t < T, v < vocab] = w[tokens[t + 1], v]\n"
               "targets[t < T] = tokens[t + 1]\nloss = cross_entropy(logits, targets)\n");
    Run *r = run("%s %s --check", MGC, path);
    cr_assert_eq(r->status, 1);
    char want[300];
    snprintf(want, sizeof want, "%s:5:1: error: the logits depend on tokens[T], the last target", path);
    cr_assert(strstr(r->err, want), "stderr: %s", r->err);
}

/* ---- the optimising middle end's switches ---- */
#define MICROGPT MGC_SOURCE_DIR "/models/microgpt.mg"

Test(mgc_cli, every_pass_can_be_turned_off_and_the_c_still_compiles)
{
    const char *d = tmpdir();
    const char *sets[] = {"-O0", "--no-opt=fold", "--no-opt=licm", "--no-opt=cse", "--no-opt=dce",
                          "--no-opt=fuse", "--no-opt=reuse", "--no-opt=block", "--fast"};
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++) {
        Run *r = run("%s %s %s -o %s/m.c && cc -std=c11 -Wall -Wextra -pedantic -Werror -I%s/runtime -c %s/m.c -o "
                     "%s/m.o",
                     MGC, sets[i], MICROGPT, d, MGC_SOURCE_DIR, d, d);
        cr_expect_eq(r->status, 0, "%s: %s", sets[i], r->err);
    }
}

Test(mgc_cli, passes_change_the_code)
{
    const char *d = tmpdir();
    Run *r = run("%s %s -o %s/opt.c && %s -O0 %s -o %s/plain.c && grep -c 'pow_[a-z0-9]*(' %s/opt.c %s/plain.c", MGC,
                 MICROGPT, d, MGC, MICROGPT, d, d, d);
    cr_assert_eq(r->status, 0, "%s", r->err);
    int opt = -1, plain = -1;
    char *p = strstr(r->out, "opt.c:"), *q = strstr(r->out, "plain.c:");
    cr_assert(p && q, "%s", r->out);
    sscanf(p + 6, "%d", &opt);
    sscanf(q + 8, "%d", &plain);
    /* licm computes pow once per row instead of once per element */
    cr_expect_lt(opt, plain, "pow_ calls: optimised %d, -O0 %d", opt, plain);
    r = run("%s %s -o - | grep -o 'Scratch: [0-9]*' && %s --no-opt=reuse %s -o - | grep -o 'Scratch: [0-9]*'",
            MGC, MICROGPT, MGC, MICROGPT);
    long a = 0, b = 0;
    cr_assert_eq(sscanf(r->out, "Scratch: %ld\nScratch: %ld", &a, &b), 2, "%s", r->out);
    cr_expect_lt(a, b, "the memory plan should share scratch: %ld with reuse, %ld without", a, b);
}

Test(mgc_cli, dump_after_a_pass)
{
    Run *r = run("%s --dump=cse --dump=plan %s", MGC, MICROGPT);
    cr_assert_eq(r->status, 0, "%s", r->err);
    cr_expect(strstr(r->out, "# after cse\n"), "no cse dump");
    cr_expect(strstr(r->out, "# after plan\n") && strstr(r->out, "scratch total"), "no plan dump");
}

Test(mgc_cli, unknown_pass_is_refused)
{
    Run *r = run("%s --no-opt=cse,frob %s -o %s/out.c", MGC, MICROGPT, tmpdir());
    cr_assert_eq(r->status, 1);
    cr_expect(strstr(r->err, "mgc: error: unknown pass 'frob' for --no-opt"), "stderr: %s", r->err);
    r = run("%s --dump=frob %s", MGC, MICROGPT);
    cr_assert_eq(r->status, 1);
    cr_expect(strstr(r->err, "unknown stage 'frob' for --dump"), "stderr: %s", r->err);
}

/* ---- checkpoints lose nothing (issue #6) ---- */
#include <fcntl.h>
#include <signal.h>
#ifndef F_SETPIPE_SZ
#define F_SETPIPE_SZ 1031   /* Linux; exposed by <fcntl.h> only with _GNU_SOURCE */
#endif

static long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

Test(trainer_cli, corrupt_checkpoint_data_fails_its_checksum)
{
    const char *d = tmpdir();
    Run *r = run("%s train --steps 3 --save %s/c.safetensors --num 0", GPT, d);
    cr_assert_eq(r->status, 0, "%s", r->err);
    char path[160];
    snprintf(path, sizeof path, "%s/c.safetensors", d);
    long n = file_size(path);
    cr_assert_gt(n, 1000);
    /* flip one bit in the last byte of the data */
    FILE *f = fopen(path, "r+b");
    cr_assert_not_null(f);
    fseek(f, n - 1, SEEK_SET);
    int c = fgetc(f);
    fseek(f, n - 1, SEEK_SET);
    fputc(c ^ 1, f);
    fclose(f);
    r = run("%s sample --load %s --num 1", GPT, path);
    cr_expect_eq(r->status, 1);
    cr_expect(strstr(r->err, "checksum mismatch") && strstr(r->err, "the data is corrupt"), "stderr: %s", r->err);
}

Test(trainer_cli, save_every_needs_save)
{
    Run *r = run("%s train --steps 3 --save-every 1 --num 0", GPT);
    cr_expect_eq(r->status, 1);
    cr_expect(strstr(r->err, "--save-every needs --save CKPT"), "stderr: %s", r->err);
}

/* A real run, killed with SIGKILL after it has saved, resumed with --load:
 * the same losses for the remaining steps, the same final checkpoint byte for
 * byte (parameters, Adam's moments, random state) and the same samples as a
 * run that was never interrupted. */
Test(trainer_cli, run_killed_with_sigkill_resumes_bit_for_bit)
{
    const char *d = tmpdir();
    Run *r = run("%s train --steps 600 --save %s/full.safetensors --num 5", GPT, d);
    cr_assert_eq(r->status, 0, "%s", r->err);
    static char full[1 << 20];
    strcpy(full, r->out);

    /* the run to kill: its stdout is a small pipe, so it cannot run far ahead of us */
    int fd[2];
    cr_assert_eq(pipe(fd), 0);
    fcntl(fd[1], F_SETPIPE_SZ, 4096);
    char ckpt[160];
    snprintf(ckpt, sizeof ckpt, "%s/run.safetensors", d);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        execl(GPT, GPT, "train", "--steps", "600", "--save", ckpt, "--save-every", "50", "--num", "5", (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    FILE *in = fdopen(fd[0], "r");
    char line[256];
    int seen = 0;
    while (fgets(line, sizeof line, in))
        if (!strncmp(line, "step  230 /", 11)) {
            seen = 1;
            break;
        }
    cr_assert(seen, "the run ended before step 230");
    kill(pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
    fclose(in);
    cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "the run was not killed (status %d)", st);

    /* resume: it carries on from the last save (a multiple of 50, at least 200) */
    r = run("%s train --load %s --save %s --save-every 50 --num 5", GPT, ckpt, ckpt);
    cr_assert_eq(r->status, 0, "%s", r->err);
    int first = 0;
    cr_assert_eq(sscanf(r->out, "step %d /", &first), 1, "%s", r->out);
    cr_expect(first > 200 && first <= 451 && (first - 1) % 50 == 0, "resumed at step %d", first);
    const char *tail = strstr(full, r->out);
    cr_expect(tail && strlen(tail) == strlen(r->out), "the resumed run's lines are not the end of the full run's");
    r = run("cmp %s/full.safetensors %s", d, ckpt);
    cr_expect_eq(r->status, 0, "final checkpoints differ: %s%s", r->out, r->err);
}

/* A non-finite loss stops training, names the step, and keeps the last good checkpoint. */
Test(trainer_cli, non_finite_loss_stops_and_keeps_the_last_checkpoint)
{
    const char *d = tmpdir();
    Run *r = run("%s train --steps 50 --lr 1e300 --save %s/c.safetensors --save-every 1 --num 0", GPT, d);
    cr_expect_eq(r->status, 1);
    int step = 0;
    const char *m = strstr(r->err, "error: step ");
    cr_assert(m && sscanf(m, "error: step %d:", &step) == 1, "stderr: %s", r->err);
    cr_expect(strstr(r->err, "training stopped") && (strstr(r->err, "the loss is") || strstr(r->err, "the gradient of '")),
              "stderr: %s", r->err);
    /* the checkpoint holds step - 1, and it loads (checksum and all) */
    r = run("%s train --load %s/c.safetensors --steps %d --num 0", GPT, d, step - 1);
    cr_expect_eq(r->status, 0, "the last checkpoint does not load: %s", r->err);
    MgSafetensors st;
    MgErr e;
    char path[160];
    snprintf(path, sizeof path, "%s/c.safetensors", d);
    cr_assert_eq(mg_st_read(&st, path, &e), 0, "%s", e.msg);
    char want[32];
    snprintf(want, sizeof want, "%d", step - 1);
    cr_expect_str_eq(mg_st_meta(&st, "step"), want);
    mg_st_free(&st);
}

/* The backward pass counts, per element, the gradient contributions that
 * reach it (reach_x) only where mgc cannot show that the loss reaches every
 * element.  In gpt_text that is only the cross-entropy's softmax over the
 * vocabulary (the targets alone are read); attention's q, k, v and weights
 * are reached everywhere, at every width (the enumeration used to give up
 * past n_embd 128 and count, at twice the cost of attention's backward). */
static int reach_tensors(const char *flags, const char *model, char *names, size_t cap)
{
    const char *d = tmpdir();
    Run *r = run("%s %s %s -o %s/r.c && grep -o '\\*d_reach_[a-z_0-9]* =' %s/r.c | tr -d '*= ' | sort -u", MGC, flags,
                 model, d, d);
    cr_assert_eq(r->status, 0, "mgc %s %s: %s", flags, model, r->err);
    size_t len = strlen(r->out) < cap - 1 ? strlen(r->out) : cap - 1;
    memcpy(names, r->out, len);
    names[len] = 0;
    int n = 0;
    for (const char *p = r->out; *p; p++)
        n += *p == '\n';
    return n;
}

Test(mgc_cli, reach_is_counted_only_where_the_loss_misses_elements)
{
    char names[4096];
    const char *gpt = MGC_SOURCE_DIR "/models/gpt_text.mg";
    const char *widths[] = {"", "-D n_embd=256 -D n_layer=4", "-D n_embd=512 -D n_layer=2 -D block_size=128"};
    for (size_t i = 0; i < sizeof widths / sizeof *widths; i++) {
        int n = reach_tensors(widths[i], gpt, names, sizeof names);
        cr_expect_eq(n, 1, "gpt_text %s: %d reach counts:\n%s", widths[i], n, names);
        cr_expect(strstr(names, "d_reach_cross_entropy_p"), "gpt_text %s: %s", widths[i], names);
    }
    /* a tensor read only at even columns, and one read at column 0 only,
     * must keep its count */
    const char *d = tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/part.mg", d);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("const vocab = 27, n_embd = 16\n"
          "dim T <= 16\n"
          "input tokens[T + 1] < vocab\n"
          "param wte[vocab, n_embd] ~ gauss(0, 0.08)\n"
          "param head[vocab, 8] ~ gauss(0, 0.08)\n"
          "param head2[vocab, 4] ~ gauss(0, 0.08)\n"
          "optimizer sgd(lr = 1.0, steps = 10)\n"
          "x[t < T, c] = wte[tokens[t], c] ^ 2\n"
          "even[t < T, c < 8] = x[t, 2 * c]\n"
          "h[t < T, c < 4] = x[t, c // 4]\n"
          "logits = linear(even, head) + linear(h, head2)\n"
          "targets[t < T] = tokens[t + 1]\n"
          "loss = cross_entropy(logits, targets)\n",
          f);
    fclose(f);
    int n = reach_tensors("", path, names, sizeof names);
    cr_expect_eq(n, 2, "%d reach counts:\n%s", n, names);
    cr_expect(strstr(names, "d_reach_x\n"), "x is read at some columns only: %s", names);
}

/* opt_split: attention's loop over channels c, read as c // head_dim, runs
 * as heads c_q and channels c_r of a head, the head fixed inside (the
 * forward's sums over s run four channels side by side, dv's accumulation has
 * c_r innermost), in the same order: a 300-step run prints the same
 * full-precision losses and names with and without it */
Test(mgc_cli, split_fixes_the_head_and_keeps_every_bit)
{
    const char *d = tmpdir();
    Run *r = run("%s %s -o %s/on.c && %s --no-opt=split %s -o %s/off.c && grep -c 'c / 4' %s/on.c %s/off.c; "
                 "grep -c 'for (int c_q = 0; c_q < 4; c_q++)' %s/on.c; "
                 "grep -A1 'for (int s = 0; s < t + 1; s++) {' %s/on.c | grep -c 'for (int c_r = 0; c_r < 4; c_r++)'",
                 MGC, MICROGPT, d, MGC, MICROGPT, d, d, d, d, d);
    int on = -1, off = -1, heads = -1, inner = -1;
    char *p = strstr(r->out, "on.c:"), *q = strstr(r->out, "off.c:");
    cr_assert(p && q, "%s", r->out);
    sscanf(p + 5, "%d", &on);
    sscanf(q + 6, "%d", &off);
    cr_assert_eq(sscanf(strchr(q, '\n') + 1, "%d %d", &heads, &inner), 2, "%s", r->out);
    cr_expect_eq(on, 0, "c / 4 is still computed with split on");
    cr_expect_gt(off, 0, "--no-opt=split changed nothing");
    cr_expect_gt(heads, 0, "no loop over the heads");
    cr_expect_gt(inner, 0, "no c_r loop inside s (dv's accumulation, the forward's sums)");
    Run *a = run("%s/microgpt train --steps 300 --num 5 --log %s/on.csv", MGC_BUILD_DIR, d);
    Run *b = run("%s/microgpt_nosplit train --steps 300 --num 5 --log %s/off.csv", MGC_BUILD_DIR, d);
    cr_assert_eq(a->status, 0, "%s", a->err);
    cr_assert_eq(b->status, 0, "%s", b->err);
    cr_expect_str_eq(a->out, b->out, "the printed losses or names differ");
    r = run("cut -d, -f1,2 %s/on.csv > %s/on2 && cut -d, -f1,2 %s/off.csv > %s/off2 && wc -l < %s/on2 && "
            "cmp %s/on2 %s/off2", d, d, d, d, d, d, d);
    cr_expect_eq(r->status, 0, "full-precision losses differ: %s", r->out);
    cr_expect_eq(atoi(r->out), 301, "header and 300 steps: %s", r->out);
}

/* ---- outputs (issue 16: one safe writer) ---- */

/* -o replaces a file in one step keeping its mode, follows a symlink to its
 * target, and writes through a FIFO (which must have a reader) or a device
 * instead of replacing it; any name the file system takes works. */
Test(mgc_cli, output_keeps_mode_links_and_special_files)
{
    char d[64], path[600];
    snprintf(d, sizeof d, "%s", tmpdir());
    Run *r = run("%s %s -o -", MGC, MODEL);
    cr_assert_eq(r->status, 0);
    char *want = strdup(r->out), *got = malloc(sizeof r->out);
    snprintf(path, sizeof path, "%s/m.c", d);
    write_text(path, "old");
    cr_assert_eq(chmod(path, 0600), 0);
    r = run("%s %s -o %s/m.c && ln -s m.c %s/link.c && %s %s -o %s/link.c", MGC, MODEL, d, d, MGC, MODEL, d);
    cr_assert_eq(r->status, 0, "%s", r->err);
    struct stat sb;
    cr_assert_eq(stat(path, &sb), 0);
    cr_expect_eq(sb.st_mode & 07777, 0600, "a 0600 file became %o", (unsigned)(sb.st_mode & 07777));
    snprintf(path, sizeof path, "%s/link.c", d);
    cr_assert_eq(lstat(path, &sb), 0);
    cr_expect(S_ISLNK(sb.st_mode), "the symlink was replaced by a file");
    snprintf(path, sizeof path, "%s/m.c", d);
    cr_expect_str_eq(run_slurp(path, got, sizeof r->out), want, "the link's target does not hold the C");
    /* the test holds the FIFO's read end (its buffer made big enough for the C) */
    snprintf(path, sizeof path, "%s/f", d);
    cr_assert_eq(mkfifo(path, 0600), 0);
    int rd = open(path, O_RDONLY | O_NONBLOCK);
    cr_assert_geq(rd, 0);
    fcntl(rd, F_SETPIPE_SZ, 1 << 20);
    r = run("%s %s -o %s", MGC, MODEL, path);
    cr_expect_eq(r->status, 0, "-o FIFO: %s", r->err);
    size_t n = 0;
    for (ssize_t k; n < sizeof r->out - 1 && (k = read(rd, got + n, sizeof r->out - 1 - n)) > 0;)
        n += (size_t)k;
    got[n] = '\0';
    close(rd);
    cr_expect_str_eq(got, want, "the FIFO's reader did not get the C");
    r = run("%s --emit=dot %s -o %s", MGC, MODEL, path);
    cr_expect_eq(r->status, 1);
    cr_expect(strstr(r->err, "/f: cannot write: it is a FIFO with no reader (start the reader first)"),
              "--emit=dot -o FIFO without a reader: %s", r->err);
    cr_assert_eq(lstat(path, &sb), 0);
    cr_expect(S_ISFIFO(sb.st_mode), "the FIFO was replaced by a file");
    free(want), free(got);
    memset(path, 'n', 255);
    path[255] = '\0';
    r = run("cd %s && %s %s -o %s && test -s %s && ls -A | wc -l", d, MGC, MODEL, path, path);
    cr_expect_eq(r->status, 0, "a 255-byte -o: %s", r->err);
    cr_expect_eq(atoi(r->out), 4, "a temporary was left behind (%s files)", r->out);
    snprintf(path, sizeof path, "%s/null", d);
    if (mknod(path, S_IFCHR | 0666, makedev(1, 3)) != 0)
        cr_skip_test("mknod of a character device is not permitted here: %s", strerror(errno));
    r = run("%s %s -o %s && %s --standalone --weights %s/m.c %s -o %s", MGC, MODEL, path, MGC, d, MODEL, path);
    cr_expect(strstr(r->err, "m.c") && !strstr(r->err, "null"), "the device output failed: %s", r->err);
    cr_assert_eq(lstat(path, &sb), 0);
    cr_expect(S_ISCHR(sb.st_mode), "the device was replaced by a regular file");
}

/* An output that is an input is refused before compiling, the input left
 * as it was; an empty name says so. */
Test(mgc_cli, output_that_is_an_input_is_refused)
{
    char d[64], src[600];
    snprintf(d, sizeof d, "%s", tmpdir());
    Run *r = run("cp %s %s/x.mg && ln -s x.mg %s/y.mg && cp %s %s/w", MODEL, d, d, MODEL, d);
    cr_assert_eq(r->status, 0);
    snprintf(src, sizeof src, "%s/x.mg", d);
    char before[1 << 14];
    run_slurp(src, before, sizeof before);
    r = run("%s %s/x.mg -o %s/x.mg", MGC, d, d);
    cr_expect_eq(r->status, 1);
    cr_expect(strstr(r->err, "mgc: error: '") && strstr(r->err, "/x.mg' is both input and output\n"), "%s", r->err);
    r = run("%s %s/x.mg -o %s/y.mg", MGC, d, d);
    cr_expect_eq(r->status, 1);
    cr_expect(strstr(r->err, "/y.mg' is both input and output (it is the file '"), "through a symlink: %s", r->err);
    r = run("%s %s --standalone --weights %s/w -o %s/w", MGC, MODEL, d, d);
    cr_expect_eq(r->status, 1);
    cr_expect(strstr(r->err, "/w' is both input and output\n"), "--standalone --weights W -o W: %s", r->err);
    char after[1 << 14];
    cr_expect_str_eq(run_slurp(src, after, sizeof after), before, "the model was overwritten");
    r = run("%s %s -o ''", MGC, MODEL);
    cr_expect_eq(r->status, 1);
    cr_expect_str_eq(r->err, "mgc: error: empty output file name\n");
    r = run("%s %s --emit=dot -o %s", MGC, MODEL, d);
    cr_expect_eq(r->status, 1);
    cr_expect(strstr(r->err, ": cannot write: Is a directory"), "--emit=dot -o DIR: %s", r->err);
}

/* Writing standard output is checked: a reader that has gone is an error
 * with its reason, for every kind of output to standard output. */
Test(mgc_cli, failed_standard_output_is_an_error)
{
    static const char *forms[] = {"--dump=ast", "-o -", "--explain", "--emit=dot"};
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        Run *r = run("exec 3>&1; { sleep 0.3; %s %s %s 2>&3; echo \"status $?\" >&3; } | true", MGC, forms[i],
                     MODEL);
        cr_expect_str_eq(r->out, "mgc: error: writing standard output: Broken pipe\nstatus 1\n", "mgc %s", forms[i]);
    }
}

/* issue 16, item 2: -D values that make a constant fold overflow (INT64_MIN / -1
 * in microGPT's head_dim) are a located error, not SIGFPE */
Test(mgc_cli, define_that_overflows_a_constant_is_a_located_error)
{
    const char *d = tmpdir();
    Run *r = run("%s -D n_embd=-9223372036854775808 -D n_head=-1 %s -o %s/out.c", MGC, MICROGPT, d);
    cr_expect_eq(r->status, 1, "exit %d: %s", r->status, r->err);
    cr_expect(strstr(r->err, "microgpt.mg:7:18: error: integer overflow in constant expression"), "%s", r->err);
    cr_expect(!strstr(r->err, "internal error"), "%s", r->err);
    char out[600];
    snprintf(out, sizeof out, "%s/out.c", d);
    cr_expect_eq(access(out, F_OK), -1, "failed but wrote %s", out);
}

/* issue 16, requirement 3: -D block_size=100000 makes microGPT's scratch
 * terabytes; mgc refuses it, saying what it needs and what the limit is, and
 * --max-memory moves the limit: exactly the bytes needed pass, one less fails */
Test(mgc_cli, scratch_beyond_the_memory_limit_is_refused)
{
    const char *d = tmpdir();
    Run *r = run("%s -D block_size=100000 %s -o %s/out.c", MGC, MICROGPT, d);
    cr_expect_eq(r->status, 1, "exit %d: %s", r->status, r->err);
    cr_expect(strstr(r->err, "more than the limit of 16.0 GiB (2^31 doubles)"), "%s", r->err);
    const char *at = strstr(r->err, "of scratch memory (");
    cr_assert(at, "%s", r->err);
    long need = atol(at + strlen("of scratch memory ("));
    /* attention's scores alone are n_head * T * T doubles */
    cr_expect_gt(need, 4L * 100000 * 100000, "%s", r->err);
    char out[600];
    snprintf(out, sizeof out, "%s/out.c", d);
    cr_expect_eq(access(out, F_OK), -1, "failed but wrote %s", out);
    r = run("%s -D block_size=100000 --max-memory=%ld %s --check", MGC, need * 8 - 1, MICROGPT);
    cr_expect_eq(r->status, 1, "one byte short: exit %d: %s", r->status, r->err);
    cr_expect(strstr(r->err, "(--max-memory="), "%s", r->err);
    r = run("%s -D block_size=100000 --max-memory=%ld %s --check", MGC, need * 8, MICROGPT);
    cr_expect_eq(r->status, 0, "exactly enough: exit %d: %s", r->status, r->err);
}

/* --max-memory=BYTES takes K, M and G; parameters beyond it are refused at the
 * parameter that crosses it */
Test(mgc_cli, max_memory_option)
{
    static const char *bad[] = {"12x", "0", "-5", "", "K", "1.5G", "9999999999999G", "18446744073709551617"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        Run *r = run("%s --max-memory='%s' %s --check", MGC, bad[i], MICROGPT);
        cr_expect_eq(r->status, 1, "'%s': exit %d", bad[i], r->status);
        cr_expect(strstr(r->err, "--max-memory: '"), "'%s': %s", bad[i], r->err);
    }
    Run *r = run("%s --max-memory=1M %s --check && %s --max-memory=1048576 %s --check && "
                 "%s --max-memory=1G %s --check", MGC, MICROGPT, MGC, MICROGPT, MGC, MICROGPT);
    cr_expect_eq(r->status, 0, "%s", r->err);
    r = run("%s --max-memory=64K %s --check", MGC, MICROGPT);
    cr_expect_eq(r->status, 1);
    cr_expect(strstr(r->err, "of scratch memory") && strstr(r->err, "(--max-memory=65536)"), "%s", r->err);
    r = run("%s --max-memory=16K %s --check", MGC, MICROGPT);
    cr_expect_eq(r->status, 1);
    cr_expect(strstr(r->err, "microgpt.mg:") && strstr(r->err, ": error: the parameters up to '"), "%s", r->err);
    cr_expect(!strstr(r->err, "internal error"), "%s", r->err);
    r = run("%s --help", MGC);
    cr_expect(strstr(r->out, "--max-memory=BYTES"), "--help does not mention --max-memory");
}

/* issue 16: -D n_embd=16.0 is the integer 16 (the same C as without it);
 * 16.5 is refused, saying it is a real number */
Test(mgc_cli, define_with_an_integral_real_is_that_integer)
{
    const char *d = tmpdir();
    Run *r = run("%s %s -o %s/plain.c && %s -D n_embd=16.0 %s -o %s/real.c && %s -D n_embd=1.6e1 %s -o %s/exp.c && "
                 "cmp %s/plain.c %s/real.c && cmp %s/plain.c %s/exp.c",
                 MGC, MICROGPT, d, MGC, MICROGPT, d, MGC, MICROGPT, d, d, d, d, d);
    cr_expect_eq(r->status, 0, "%s%s", r->out, r->err);
    r = run("%s -D n_embd=16.5 %s --check", MGC, MICROGPT);
    cr_expect_eq(r->status, 1);
    cr_expect(strstr(r->err, "must be an integer, but 16.5 is a real number"), "%s", r->err);
}

/* A tensor may take the name of an element op's C function or helper (from
 * ops.def: relu_, step_, tanh_, expf...): mgc renames it, so the emitted C
 * still calls the function, in every build. */
Test(mgc_cli, tensors_named_like_op_functions_still_compile)
{
    const char *d = tmpdir();
    char path[256];
    snprintf(path, sizeof path, "%s/names.mg", d);
    write_text(path, "const vocab = 27\ndim T <= 4\ninput tokens[T + 1] < vocab\n"
                     "param wte[vocab, 8] ~ gauss(0, 0.08)\nparam fc[8, 8] ~ gauss(0, 0.08)\n"
                     "param head[vocab, 8] ~ gauss(0, 0.08)\noptimizer sgd(lr = 1.0, steps = 10)\n"
                     "x[t < T, c] = wte[tokens[t], c]\nrelu_ = relu(linear(x, fc))\nstep_ = tanh(relu_)\n"
                     "tanh_ = exp(step_ * 0.1)\nexpf = log(tanh_)\ntanhf = tanh(expf)\n"
                     "logits = linear(tanhf, head)\ntargets[t < T] = tokens[t + 1]\n"
                     "loss = cross_entropy(logits, targets)\n");
    const char *flags[] = {"", "--fast", "--dtype=f32", "--dtype=f32 --fast"};
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++) {
        Run *r = run("%s %s %s -o %s/m.c && cc -std=c11 -Wall -Wextra -pedantic -Werror -I%s/runtime -c %s/m.c -o "
                     "%s/m.o",
                     MGC, flags[i], path, d, MGC_SOURCE_DIR, d, d);
        cr_expect_eq(r->status, 0, "mgc %s: %s", flags[i], r->err);
    }
}

/* issue 16: a log resumed in place (--load with the same --log, even from a
 * checkpoint older than the log's end, whose later lines the trainer drops)
 * has increasing steps, so `mgc report` takes it whole */
Test(trainer_cli, report_reads_a_resumed_log)
{
    const char *d = tmpdir();
    Run *r = run("cd %s && %s train --steps 3 --save c3 --log run.csv --num 0 && "
                 "%s train --load c3 --steps 6 --save c6 --log run.csv --num 0 && "
                 "%s train --load c3 --steps 5 --log run.csv --num 0 && "
                 "%s report run.csv -o out.html",
                 d, GPT, GPT, GPT, MGC);
    cr_assert_eq(r->status, 0, "%s%s", r->out, r->err);
    char path[256];
    snprintf(path, sizeof path, "%s/run.csv", d);
    const char *log = slurp_text(path);   /* until the page is read into the same buffer */
    cr_assert(log, "no log");
    int lines = 0, step = 0, s;
    for (const char *l = strchr(log, '\n'); l && l[1]; l = strchr(l + 1, '\n'), lines++)
        cr_expect(sscanf(l + 1, "%d,", &s) == 1 && s == ++step, "line %d: %.40s", lines + 2, l + 1);
    cr_expect_eq(lines, 5, "the resumed log has %d steps:\n%s", lines, log);
    snprintf(path, sizeof path, "%s/out.html", d);
    const char *page = slurp_text(path);
    cr_expect(page && strstr(page, "\"step\":[1,2,3,4,5],"), "the page lacks steps 1..5");
}

/* issue 16: a flat sum is long, not nested.  mlp.mg with its hidden layer
 * h = TERM + TERM + ... of `terms` TERMs over h0 = the old hidden layer,
 * written as DIR/flat.mg */
static void write_flat_sum(const char *dir, int terms, const char *term)
{
    const char *model = slurp_text(MODEL);
    cr_assert(model, "cannot read %s", MODEL);
    const char *line = strstr(model, "h = relu(linear(x, mlp_fc1))\n");
    cr_assert(line, "mlp.mg changed: no hidden layer line");
    size_t head = (size_t)(line - model), cap = strlen(model) + 64 + (strlen(term) + 3) * (size_t)terms;
    char *src = malloc(cap);
    cr_assert(src);
    int n = snprintf(src, cap, "%.*sh0 = relu(linear(x, mlp_fc1))\nh = %s", (int)head, model, term);
    for (int i = 1; i < terms; i++)
        n += snprintf(src + n, cap - (size_t)n, " + %s", term);
    snprintf(src + n, cap - (size_t)n, "\n%s", line + strlen("h = relu(linear(x, mlp_fc1))\n"));
    char path[512];
    snprintf(path, sizeof path, "%s/flat.mg", dir);
    write_text(path, src);
    free(src);
}

/* 1000 terms: the trainer builds and its losses are the interpreter's, line
 * for line (the sum is still left to right) */
Test(mgc_cli, flat_sum_of_1000_terms_compiles_and_trains, .timeout = 120)
{
    const char *d = tmpdir();
    write_flat_sum(d, 1000, "h0 * 0.0001");
    char path[512];
    snprintf(path, sizeof path, "%s/main.c", d);
    write_text(path, "#include \"mg_cli.h\"\nextern const MgModel flat_model;\n"
                     "int main(int argc, char **argv) { return mg_cli_main(&flat_model, \"flat\", argc, argv); }\n");
    Run *r = run("cd %s && %s flat.mg -o flat.c && cc -std=c11 %s -I%s/runtime main.c flat.c %s/runtime/libmgrt.a -fopenmp "
                 "-lm -o flat && ./flat train --steps 3 --num 0",
                 d, MGC, MGC_SANITIZE_FLAGS, MGC_SOURCE_DIR, MGC_BUILD_DIR);
    cr_assert_eq(r->status, 0, "%.2000s", r->err);
    char *compiled = strdup(r->out);
    cr_assert(compiled);
    cr_assert(strstr(compiled, "step    3 /    3 | loss "), "stdout: %s", compiled);
    r = run("cd %s && %s run flat.mg train --steps 3 --num 0", d, MGC);
    cr_assert_eq(r->status, 0, "%.2000s", r->err);
    cr_expect_str_eq(r->out, compiled);
    free(compiled);
}

/* The longest chains the parser takes (PARSE_MAX_EXPR_HEIGHT: 20,000 plain
 * terms, 19,999 products) compile, each term once in the backward pass.  Its
 * speed is a benchmark, not this test's business: tests/bench/compile.sh's
 * flat rows (it took 75 s when the fusion, CSE and autodiff walks were
 * quadratic; now about a second).  The forward sum is one statement; the
 * backward pass gives each term its own accumulation into d_h0, each but
 * the first fused with the one before (the forward sum, with more reads than
 * fusion checks, keeps its own loops).  The dump is counted by grep: it is
 * larger than Run.out. */
Test(mgc_cli, flat_sums_of_20000_terms_compile)
{
    const char *d = tmpdir();
    struct { const char *term; int terms; } c[] = {{"h0", 20000}, {"h0 * 0.0001", 19999}};
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        write_flat_sum(d, c[i].terms, c[i].term);
        Run *r = run("cd %s && %s --dump=fuse flat.mg > dump && grep -c -F '  h[i, j] = h0[i, j]' dump; "
                     "grep -c -F '  d_h0[i, j] += ' dump; grep -c -F 'for i < T, j < 64    [fused]    # flat.mg:19' dump",
                     d, MGC);
        char want[64];
        snprintf(want, sizeof want, "1\n%d\n%d\n", c[i].terms, c[i].terms - 1);
        cr_expect_eq(r->status, 0, "%s: %.2000s", c[i].term, r->err);
        cr_expect_str_eq(r->out, want, "%s: %s", c[i].term, r->out);
    }
}

/* issue 17 item 2: a function's result takes the name it is bound to at the
 * call site (q, logits, not linear_y_7); a rebound name gets a suffix (x_2);
 * gradients are d_ and that name; a result that is an argument keeps its name */
Test(emit_c, tensors_keep_the_names_the_user_gave)
{
    Run *r = run("%s %s -o -", MGC, MICROGPT);
    cr_assert_eq(r->status, 0, "%s", r->err);
    static const char *want[] = {"double *h = scratch", "double *q = scratch", "double *k = scratch",
                                 "double *v = scratch", "double *logits = scratch", "double *x_2 = scratch",
                                 "return logits;", "double *d_q = scratch", "double *d_logits = scratch"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        cr_expect(strstr(r->out, want[i]), "no '%s' in the C for microgpt.mg", want[i]);
    cr_expect(!strstr(r->out, "linear_y_7"), "logits is still called linear_y_7");
    const char *d = tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/names.mg", d);
    write_text(path, "const vocab = 5\ndim T <= 4\ninput tokens[T + 1] < vocab\n"
                     "param w[vocab, vocab] ~ gauss(0, 0.1)\n"
                     "fn same(a[N, C]) -> a[N, C] {\n}\n"
                     "fn lin(x[N, C], m[D, C]) -> y[N, D] {\n    y[n < N, d < D] = sum(c < C) m[d, c] * x[n, c]\n}\n"
                     "fn two(x[N, C], m[D, C]) -> z[N, D] {\n    z = lin(lin(x, m), m)\n}\n"
                     "e[t < T, c < vocab] = w[tokens[t], c]\n"
                     "same_e = same(e)\n"
                     "hid = two(e, w)\n"
                     "hid = lin(hid, w)\n"
                     "logits = lin(hid, w)\n"
                     "targets[t < T] = tokens[t + 1]\n"
                     "loss = cross_entropy(logits, targets)\n");
    r = run("cd %s && %s names.mg -o -", d, MGC);
    cr_assert_eq(r->status, 0, "%s", r->err);
    static const char *want2[] = {"double *e = scratch", "double *lin_y = scratch", "double *hid = scratch",
                                  "double *hid_2 = scratch", "double *logits = scratch", "return logits;"};
    for (size_t i = 0; i < sizeof want2 / sizeof *want2; i++)
        cr_expect(strstr(r->out, want2[i]), "no '%s' in the C for names.mg:\n%.3000s", want2[i], r->out);
    cr_expect(!strstr(r->out, "same_e"), "an argument returned as is was renamed:\n%.3000s", r->out);
    cr_expect(!strstr(r->out, "two_z") && !strstr(r->out, "lin_y_"), "a bound result kept its function's name:\n%.3000s", r->out);
}

/* issue 17 item 2: the forward pass is written once; _forward and _loss_grad
 * both call it (each statement's .mg line is quoted once) */
Test(emit_c, forward_pass_is_written_once)
{
    Run *r = run("%s %s -o -", MGC, MICROGPT);
    cr_assert_eq(r->status, 0, "%s", r->err);
    const char *line = "/* microgpt.mg:38: q = linear(h, layer[l].attn_wq) */";
    const char *first = strstr(r->out, line);
    cr_assert(first, "no '%s' in the C for microgpt.mg", line);
    cr_expect(!strstr(first + 1, line), "the forward statements are written twice");
    const char *call = "microgpt_forward_pass(params, tokens, T, scratch);";
    first = strstr(r->out, call);
    cr_assert(first, "no call '%s'", call);
    cr_expect(strstr(first + 1, call), "only one function calls the forward pass");
}

/* the elements of a shape comment "[T, 64]" at T = 16 (mlp's block size) */
static long shape_size(const char *shape)
{
    long n = 1;
    for (const char *p = shape; *p && *p != ']'; p++) {
        if (*p == 'T')
            n *= 16;
        else if (*p >= '0' && *p <= '9')
            n *= strtol(p, (char **)&p, 10), p--;
    }
    return n;
}

/* issue 17 item 2: each backward loop nest carries its derivative note, and a
 * buffer whose scratch memory overlaps one declared before it in the same
 * function names it in its shape comment (checked here from the offsets and
 * shapes the declarations print) */
Test(emit_c, backward_notes_and_shared_memory_are_commented)
{
    Run *r = run("%s %s -o -", MGC, MODEL);
    cr_assert_eq(r->status, 0, "%s", r->err);
    cr_expect(strstr(r->out, "\n        /* dmlp_fc2 += dlogits * dlogits/dmlp_fc2 */\n") ||
              strstr(r->out, "\n    /* dmlp_fc2 += dlogits * dlogits/dmlp_fc2 */\n"), "no derivative note for mlp_fc2");
    const char *fn = strstr(r->out, "static double mlp_loss_grad(");
    cr_assert(fn);
    char name[64][64];
    long off[64], size[64];
    int n = 0, shared = 0;
    for (const char *p = strstr(fn, "\n    double *"); p && n < 64; p = strstr(p + 1, "\n    double *")) {
        int at = 0;
        if (sscanf(p, "\n    double *%63[a-z_0-9] = scratch + %ld; /* [%n", name[n], &off[n], &at) != 2 || !at)
            continue;   /* a parameter's gradient, in grads */
        size[n] = shape_size(p + at);
        char want[512] = "";
        int k = 0;
        for (int j = 0; j < n; j++)
            if (off[j] < off[n] + size[n] && off[n] < off[j] + size[j] && k++ < 3)
                snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s", k > 1 ? ", " : "", name[j]);
        const char *end = strchr(p + 1, '\n'), *has = strstr(p, "; shares memory with ");
        if (has && has > end)
            has = NULL;
        if (k) {
            shared++;
            cr_expect(has && !strncmp(has + 21, want, strlen(want)), "'%s' should share with %s: %.100s", name[n], want, p + 1);
        } else {
            cr_expect(!has, "'%s' shares nothing: %.100s", name[n], p + 1);
        }
        n++;
    }
    cr_expect(n > 5 && shared > 0, "%d buffers, %d sharing", n, shared);
}

/* issue 17 item 2: the generated C has no unused helper: each helper it
 * defines is called (microgpt has no tanh; --fast calls no libm helper) */
Test(emit_c, no_unused_helpers)
{
    static const char *flags[] = {"", "--fast", "--dtype=f32"};
    static const char *helper[] = {"relu_", "step_", "exp_", "log_", "tanh_", "pow_"};
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++) {
        Run *r = run("%s %s %s -o -", MGC, flags[i], MICROGPT);
        cr_assert_eq(r->status, 0, "%s", r->err);
        int defined = 0;
        for (size_t k = 0; k < sizeof helper / sizeof *helper; k++) {
            char def[64], call[64];
            snprintf(def, sizeof def, " %s(%s x", helper[k], strstr(flags[i], "f32") ? "float" : "double");
            snprintf(call, sizeof call, "%s(", helper[k]);
            const char *d = strstr(r->out, def);
            if (!d)
                continue;
            defined++;
            const char *use = strstr(d + strlen(def), call);
            cr_expect(use, "mgc %s: %s is defined but never called", flags[i], helper[k]);
        }
        if (!*flags[i])
            cr_expect(defined > 0, "no helper at all: %.2000s", r->out);
    }
}

/* issue 17 item 3: the descriptor is written with designated initializers
 * (a field added to MgParam or MgOptim rewrites no golden line), and every
 * field the runtime reads is named */
Test(emit_c, descriptor_uses_designated_initializers)
{
    Run *r = run("%s %s -o -", MGC, MICROGPT);
    cr_assert_eq(r->status, 0, "%s", r->err);
    const char *t = strstr(r->out, "static const MgParam microgpt_params[");
    cr_assert(t, "no parameter table");
    t = strchr(t, '\n') + 1;
    int n = 0;
    for (; !strncmp(t, "    {", 5); t = strchr(strchr(t, '\n') + 1, '\n') + 1, n++) {
        static const char *field[] = {"{.name = \"", ", .rank = ", ", .shape = {", ", .offset = ", ", .size = ",
                                      ".init = MG_INIT_", ", .init_a = ", ", .init_b = "};
        const char *at = t;
        for (size_t k = 0; k < sizeof field / sizeof *field; k++) {
            const char *f = strstr(at, field[k]);
            cr_expect(f && f < strchr(strchr(t, '\n') + 1, '\n'), "parameter %d lacks '%s': %.200s", n, field[k], t);
            at = f ? f : at;
        }
    }
    cr_expect_eq(n, 9, "microgpt declares 9 parameters; the table has %d entries", n);
    cr_expect(strstr(r->out, "    .optim = {.kind = MG_OPT_ADAM, .lr = 0.01, .beta1 = 0.85, .beta2 = 0.99, .eps = 1e-08,\n"
                             "              .steps = 1000, .schedule = MG_SCHED_LINEAR, .fast = 0, .warmup = 0,"),
              "the optimizer settings of microgpt.mg are not named: %.400s", strstr(r->out, ".optim"));
}

/* issue 17, item 3: the -D table is an option of one compilation (TraceOpts),
 * no longer a file static.  A second -D for a name replaces the first; 32
 * names fit, each one no const takes is reported; the 33rd is refused. */
Test(mgc_cli, define_table_replaces_repeats_and_holds_32_names)
{
    const char *d = tmpdir();
    Run *r = run("%s -D n_layer=3 -D n_layer=1 %s -o %s/twice.c && %s -D n_layer=1 %s -o %s/once.c && "
                 "cmp %s/twice.c %s/once.c",
                 MGC, MICROGPT, d, MGC, MICROGPT, d, d, d);
    cr_expect_eq(r->status, 0, "%s%s", r->out, r->err);
    char defs[2048] = "";
    for (int i = 0; i < 33; i++) {
        size_t n = strlen(defs);
        snprintf(defs + n, sizeof defs - n, " -D unused%d=%d", i, i);
        if (i == 31) {
            r = run("%s%s %s --check", MGC, defs, MICROGPT);
            cr_expect_eq(r->status, 1);
            cr_expect(strstr(r->err, "-D unused0=0: " MICROGPT " has no top-level 'const unused0'"), "%s", r->err);
            cr_expect(strstr(r->err, "-D unused31=31: " MICROGPT " has no top-level 'const unused31'"), "%s", r->err);
            cr_expect(!strstr(r->err, "too many"), "%s", r->err);
        }
    }
    r = run("%s%s %s --check", MGC, defs, MICROGPT);
    cr_expect_eq(r->status, 1);
    cr_expect(strstr(r->err, "too many -D options"), "%s", r->err);
    cr_expect(!strstr(r->err, "internal error"), "%s", r->err);
}

/* issue 17 item 3: --dump=schedule prints the kernel of every statement, and
 * what it says is what the C does: one gemm line per mg_sgemm call, one
 * parallel= per `omp parallel for`; it writes no C, and --help lists it */
static int count(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

Test(mgc_cli, dump_schedule_tells_what_the_c_does)
{
    static const char *flags[] = {"", "--fast", "--dtype=f32", "--dtype=f32 --blas"};
    int par = 0, gemm = 0;
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++) {
        Run *d = run("%s --dump=schedule %s %s", MGC, flags[i], MGC_SOURCE_DIR "/models/gpt_text.mg");
        cr_assert_eq(d->status, 0, "mgc --dump=schedule %s: %s", flags[i], d->err);
        cr_expect(!strncmp(d->out, "schedule gpt_text (", 19) && strstr(d->out, "\nforward:\n") &&
                  strstr(d->out, "\nbackward:\n"), "not a schedule: %.300s", d->out);
        cr_expect(!strstr(d->out, "#include"), "--dump=schedule alone wrote C");
        char *dump = strdup(d->out);
        Run *c = run("%s %s %s -o -", MGC, flags[i], MGC_SOURCE_DIR "/models/gpt_text.mg");
        cr_assert_eq(c->status, 0, "%s", c->err);
        /* the per-document functions: --dtype=f32's batch call (after them) runs each product once too */
        char *batch = strstr(c->out, "\nstatic double gpt_text_loss_grad_batch_f32(");
        cr_expect_eq(!!batch, !!strstr(flags[i], "f32"), "mgc %s: a batch call only in float", flags[i]);
        if (batch) {
            cr_expect_eq(count(dump, " gemm "), count(batch, "mg_sgemm("), "mgc %s: gemm lines and the batch call's",
                         flags[i]);
            *batch = 0;
        }
        cr_expect_eq(count(dump, " gemm "), count(c->out, "mg_sgemm("), "mgc %s: gemm lines and mg_sgemm calls",
                     flags[i]);
        cr_expect_eq(count(dump, " parallel="), count(c->out, "#pragma omp parallel for"),
                     "mgc %s: parallel= and omp parallel for", flags[i]);
        par += count(dump, " parallel="), gemm += count(dump, " gemm ");
        free(dump);
    }
    cr_expect(par > 0, "gpt_text has nests large enough for threads; no parallel= in its schedules");
    cr_expect(gemm > 0, "gpt_text --blas has matrix products; no gemm in its schedule");
    Run *h = run("%s --help", MGC);
    cr_expect(strstr(h->out, "or schedule: the kernel each"), "--help does not list --dump=schedule");
}

/* issue 18 item 5: the models of the new builtins (tests/models/) compile
 * to C that builds under -Werror exact and --fast, in double and float, and
 * every helper the C defines is called */
Test(mgc_cli, builtin_models_build_with_every_dtype_and_fast)
{
    static const char *models[] = {"abs", "sincos", "erf", "sigmoid"};
    static const char *flags[] = {"", "--fast", "--dtype=f32", "--dtype=f32 --fast"};
    const char *d = tmpdir();
    for (size_t m = 0; m < sizeof models / sizeof *models; m++)
        for (size_t i = 0; i < sizeof flags / sizeof *flags; i++) {
            Run *r = run("%s %s %s/tests/models/%s.mg -o %s/m.c && cc -std=c11 -Wall -Wextra -Wunused -pedantic "
                         "-Werror -I%s/runtime -c %s/m.c -o %s/m.o && "
                         "for h in $(grep -o '^static inline [a-z]* [a-z0-9]*_(' %s/m.c | sed 's/.* //'); do "
                         "[ $(grep -c \"$h\" %s/m.c) -gt 1 ] || echo \"unused helper $h\"; done",
                         MGC, flags[i], MGC_SOURCE_DIR, models[m], d, MGC_SOURCE_DIR, d, d, d, d);
            cr_expect_eq(r->status, 0, "%s.mg, mgc %s: %s", models[m], flags[i], r->err);
            cr_expect_str_eq(r->out, "", "%s.mg, mgc %s: %s", models[m], flags[i], r->out);
        }
}

/* issue 19, item 4: every setting of the optimizer line reaches the model
 * descriptor, in the emitted C and in the interpreter alike: the compiled
 * trainer and `mgc run` log the same rates (the warm-up's lr / 100 first)
 * and the same losses */
Test(mgc_cli, optimizer_line_settings_reach_both_trainers, .timeout = 120)
{
    const char *d = tmpdir();
    const char *model = slurp_text(MODEL);
    cr_assert(model, "cannot read %s", MODEL);
    const char *line = strstr(model, "optimizer sgd(lr = 1.0, steps = 1000)\n");
    cr_assert(line, "mlp.mg changed: no optimizer line");
    char src[8192], path[512];
    snprintf(src, sizeof src, "%.*soptimizer adamw(lr = 0.001, weight_decay = 0.01, schedule = cosine, warmup = 100,\n"
             "                clip = 1.0, steps = 1000, beta1 = 0.85)\n%s",
             (int)(line - model), model, line + strlen("optimizer sgd(lr = 1.0, steps = 1000)\n"));
    snprintf(path, sizeof path, "%s/opt.mg", d);
    write_text(path, src);
    snprintf(path, sizeof path, "%s/main.c", d);
    write_text(path, "#include \"mg_cli.h\"\nextern const MgModel opt_model;\n"
                     "int main(int argc, char **argv) { return mg_cli_main(&opt_model, \"opt\", argc, argv); }\n");
    Run *r = run("cd %s && %s opt.mg -o opt.c && grep -A2 '^    .optim = {' opt.c", d, MGC);
    cr_assert_eq(r->status, 0, "%.2000s", r->err);
    cr_expect(strstr(r->out, ".optim = {.kind = MG_OPT_ADAMW, .lr = 0.001, .beta1 = 0.85, .beta2 = 0.999, .eps = 1e-08,\n"
                             "              .steps = 1000, .schedule = MG_SCHED_COSINE, .fast = 0, .warmup = 100,"),
              "descriptor: %s", r->out);
    cr_expect(strstr(r->out, ".weight_decay = 0.01, .clip = 1.0}"), "descriptor: %s", r->out);
    r = run("cd %s && cc -std=c11 %s -I%s/runtime main.c opt.c %s/runtime/libmgrt.a -fopenmp -lm -o opt && "
            "./opt train --steps 4 --num 0 --log c.csv && %s run opt.mg train --steps 4 --num 0 --log i.csv && "
            "cut -d, -f1-3 c.csv > c3 && cut -d, -f1-3 i.csv > i3 && cmp c3 i3 && sed -n 2p c3",
            d, MGC_SANITIZE_FLAGS, MGC_SOURCE_DIR, MGC_BUILD_DIR, MGC);
    cr_assert_eq(r->status, 0, "%.2000s", r->err);
    cr_expect(strstr(r->out, ",1.0000000000000001e-05\n") || strstr(r->out, ",1e-05\n"), "step 1: %s", r->out);
}

/* Progress lines are written in blocks (not flushed every step), yet a run
 * that stops on an error has printed every step before it, in order, and the
 * error comes after them. */
Test(trainer_cli, progress_lines_complete_when_training_stops_on_an_error)
{
    Run *r = run("%s train --steps 400 --lr 1e300 --num 0", GPT);
    cr_assert_eq(r->status, 1, "%s", r->err);
    int step = 0;
    const char *m = strstr(r->err, "error: step ");
    cr_assert(m && sscanf(m, "error: step %d:", &step) == 1, "stderr: %s", r->err);
    cr_assert_gt(step, 1, "%s", r->err);
    const char *l = r->out;
    for (int s = 1; s < step; s++) {
        char want[64];
        snprintf(want, sizeof want, "step %4d /  400 | loss ", s);
        cr_assert(l && !strncmp(l, want, strlen(want)), "line %d of stdout is not '%s...': %.60s", s, want, l ? l : "");
        l = strchr(l, '\n');
        l = l ? l + 1 : NULL;
    }
    cr_expect(l && !*l, "stdout goes on after step %d: %.60s", step - 1, l ? l : "");
}
