/* Command-line tests for mgc and a compiled trainer: exit codes and the
 * messages users see for bad input.  Every error exits 1, never crashes. */
#include <criterion/criterion.h>
#include <math.h>

#include "../common/run.h"

#define MGC MGC_BUILD_DIR "/mgc"
#define MLP MGC_BUILD_DIR "/mlp"
#define MODEL MGC_SOURCE_DIR "/models/mlp.mg"

Test(mgc_cli, help_documents_every_option)
{
    Run *r = run("%s --help", MGC);
    cr_assert_eq(r->status, 0);
    const char *opts[] = {"-o FILE", "--name", "--dump=STAGE", "--check", "--help", "--version", "mgc run",
                          "--no-opt=PASSES", "-O0", "--fast"};
    for (size_t i = 0; i < sizeof opts / sizeof *opts; i++)
        cr_expect(strstr(r->out, opts[i]), "--help does not mention %s", opts[i]);
}

Test(mgc_cli, unknown_flag_is_refused)
{
    Run *r = run("%s --frobnicate %s -o /dev/null", MGC, MODEL);
    cr_assert_eq(r->status, 1);
    cr_assert(strstr(r->err, "mgc: error: unknown option '--frobnicate'"), "stderr: %s", r->err);
}

Test(mgc_cli, missing_model_file_is_refused)
{
    Run *r = run("%s /nonexistent/x.mg -o /dev/null", MGC);
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
    cr_assert_eq(st.n, 9);
    for (int i = 0; i < 9; i++) {
        const MgStTensor *t = mg_st_find(&st, want[i].name);
        cr_assert_not_null(t, "no tensor %s", want[i].name);
        cr_assert_eq(t->rank, 2);
        cr_assert_eq(t->shape[0], (uint64_t)want[i].r, "%s rows", want[i].name);
        cr_assert_eq(t->shape[1], (uint64_t)want[i].c, "%s columns", want[i].name);
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
    Run *r = run("%s %s -o %s/opt.c && %s -O0 %s -o %s/plain.c && grep -c 'pow_(' %s/opt.c %s/plain.c", MGC,
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
    Run *r = run("%s --no-opt=cse,frob %s -o /dev/null", MGC, MICROGPT);
    cr_assert_eq(r->status, 1);
    cr_expect(strstr(r->err, "mgc: error: unknown pass 'frob' for --no-opt"), "stderr: %s", r->err);
    r = run("%s --dump=frob %s", MGC, MICROGPT);
    cr_assert_eq(r->status, 1);
    cr_expect(strstr(r->err, "unknown stage 'frob' for --dump"), "stderr: %s", r->err);
}
