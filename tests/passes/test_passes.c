/* test_passes.c: one golden test per optimisation pass, in the style of QBE's
 * test files.  Each .mg file in tests/passes is a small program built to give
 * one pass something to do, followed by what that pass changes in it, as
 * `mgc --dump-changes=PASS` prints it:
 *
 *     # ---- expected (mgc --dump-changes=cse NAME.mg): exit 0, and on stdout: ----
 *     #| # changes made by cse
 *     #| -  logits[t, v] = e[t, v] + exp(x[t, v]) * 2.0    for t < T, v < 3    # NAME.mg:9
 *
 * ('#|' alone is an empty line).  A change to one pass shows up here, in its own
 * file, not only in the emitted C.  After a deliberate change, run this binary
 * with MGC_UPDATE_PASSES=1 to rewrite the expected blocks, and review the diff
 * (a file without a block gets one, for the pass its name starts with). */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "../common/run.h"

#define PASS_DIR MGC_SOURCE_DIR "/tests/passes"
#define MARK "\n# ---- expected (mgc "
static const char *const pass_names[] = {"fold", "licm", "cse", "dce", "split", "reduce", "fuse", "plan"};
enum { NPASS = sizeof pass_names / sizeof pass_names[0] };

/* the whole file (tests/passes files are small), or NULL */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fclose(f);
    char *s = malloc(1 << 20);
    return s ? run_slurp(path, s, 1 << 20) : NULL;
}

/* The file's expected block: mgc's arguments and the output, '#| ' stripped. */
static int expected(const char *text, char *args, size_t acap, char *out, size_t cap)
{
    const char *b = strstr(text, MARK);
    if (!b)
        return -1;
    const char *a = b + strlen(MARK), *ae = strstr(a, "): exit 0, and on stdout: ----\n");
    if (!ae || (size_t)(ae - a) >= acap || memchr(a, '\n', (size_t)(ae - a)))
        return -1;
    memcpy(args, a, (size_t)(ae - a));
    args[ae - a] = 0;
    size_t w = 0;
    for (const char *line = strchr(ae, '\n') + 1; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        if (n < 2 || line[0] != '#' || line[1] != '|' || (n > 2 && line[2] != ' '))
            return -1;
        size_t bn = n > 2 ? n - 3 : 0;
        if (w + bn + 2 > cap)
            return -1;
        if (bn)
            memcpy(out + w, line + 3, bn);
        w += bn;
        out[w++] = '\n';
        line = end ? end + 1 : line + n;
    }
    out[w] = 0;
    return 0;
}

static int names(char ***out) { return run_mg_files(PASS_DIR, out); }

/* MGC_UPDATE_PASSES=1: the file's program followed by a new expected block */
static void update(const char *path, const char *name, const char *text, const char *args)
{
    char defargs[512];
    if (!args[0]) {
        size_t k = strcspn(name, "_.");
        snprintf(defargs, sizeof defargs, "--dump-changes=%.*s %s", (int)k, name, name);
        args = defargs;
    }
    Run *r = run("cd '%s' && '%s/mgc' %s", PASS_DIR, MGC_BUILD_DIR, args);
    cr_assert_eq(r->status, 0, "%s: mgc %s failed: %s", name, args, r->err);
    const char *b = strstr(text, MARK);
    size_t keep = b ? (size_t)(b - text) + 1 : strlen(text);
    FILE *f = fopen(path, "w");
    cr_assert(f, "cannot write %s", path);
    fwrite(text, 1, keep, f);
    fprintf(f, "%s# ---- expected (mgc %s): exit 0, and on stdout: ----\n", b || !keep || text[keep - 1] == '\n' ? "" : "\n",
            args);
    for (const char *line = r->out; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        fprintf(f, n ? "#| %.*s\n" : "#|\n", (int)n, line);
        line = end ? end + 1 : line + n;
    }
    fclose(f);
}

Test(passes, every_pass_has_a_program_it_changes)
{
    const char *up = getenv("MGC_UPDATE_PASSES");
    if (up && *up && strcmp(up, "0"))
        cr_skip("MGC_UPDATE_PASSES is set: the expected blocks are being rewritten");
    char **list;
    int n = names(&list);
    static char args[512], want[1 << 16];
    for (int p = 0; p < NPASS; p++) {
        int shown = 0;
        char flag[64];
        snprintf(flag, sizeof flag, "--dump-changes=%s ", pass_names[p]);
        for (int i = 0; i < n; i++) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", PASS_DIR, list[i]);
            char *text = slurp(path);
            if (text && expected(text, args, sizeof args, want, sizeof want) == 0 && strstr(args, flag) == args &&
                (strstr(want, "\n+") || strstr(want, "\n-")) && !strstr(want, "(no change)"))
                shown = 1;
            free(text);
        }
        cr_expect(shown, "no program in tests/passes shows what %s changes", pass_names[p]);
    }
}

Test(passes, every_program_gets_its_exact_changes)
{
    char **list;
    int n = names(&list), checked = 0;
    const char *up = getenv("MGC_UPDATE_PASSES");
    int updating = up && *up && strcmp(up, "0");
    static char args[512], want[1 << 16];
    for (int i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", PASS_DIR, list[i]);
        char *text = slurp(path);
        cr_assert(text, "cannot read %s", path);
        int ok = expected(text, args, sizeof args, want, sizeof want) == 0;
        if (updating) {
            update(path, list[i], text, ok ? args : "");
            free(text);
            continue;
        }
        if (!ok) {
            cr_expect_fail("%s: no well-formed expected block (MGC_UPDATE_PASSES=1 writes one)", list[i]);
            free(text);
            continue;
        }
        Run *r = run("cd '%s' && '%s/mgc' %s", PASS_DIR, MGC_BUILD_DIR, args);
        cr_expect_eq(r->status, 0, "%s: mgc %s exited %d: %s", list[i], args, r->status, r->err);
        cr_expect_str_eq(r->out, want, "%s: what the pass changed differs from the expected block", list[i]);
        checked++;
        free(text);
    }
    if (!updating)
        cr_expect_eq(checked, n);
}

Test(passes, dump_changes_takes_only_a_pass)
{
    Run *r = run("cd '%s' && '%s/mgc' --dump-changes=reuse fold_identities.mg", PASS_DIR, MGC_BUILD_DIR);
    cr_expect_eq(r->status, 1);
    cr_expect_str_eq(r->err, "mgc: error: unknown pass 'reuse' for --dump-changes (fold, licm, cse, dce, split, "
                             "reduce, fuse, plan)\n");
    cr_expect_str_eq(r->out, "");
}
