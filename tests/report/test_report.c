/* test_report.c: `mgc report` on the command line.  Each bad input exits 1
 * with a message naming the file (and line) and leaves no page behind; a good
 * run writes one page that fetches nothing and escapes every name. */
#define _GNU_SOURCE     /* symlink */
#include <criterion/criterion.h>
#include <dirent.h>
#include <sys/stat.h>

#include "../common/run.h"

#define MGC MGC_BUILD_DIR "/mgc"

static char dir[64];

static const char *in(const char *name)
{
    static char paths[4][256];
    static int k;
    char *p = paths[k++ % 4];
    snprintf(p, 256, "%s/%s", dir, name);
    return p;
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "%s", tmpdir());
}

static int files_in_dir(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, ".."));
    if (d)
        closedir(d);
    return n;
}

/* mgc report on one CSV holding `text`: exit 1, `want` in stderr, no page left */
static void refused(const char *text, const char *want_fmt)
{
    const char *csv = in("run.csv");
    write_text(csv, text);
    Run *r = run("%s report %s -o %s/out.html", MGC, csv, dir);
    char want[512];
    snprintf(want, sizeof want, want_fmt, csv);
    cr_assert_eq(r->status, 1, "exit %d, stderr: %s", r->status, r->err);
    cr_assert(strstr(r->err, want), "wanted '%s' in: %s", want, r->err);
    cr_assert_eq(files_in_dir(), 1, "a failed report left files behind in %s", dir);
}

static char page[1 << 20];

static const char *slurp_page(const char *path)
{
    return run_slurp(path, page, sizeof page);
}

/* A shell prefix for a command that must end: within 60 s and, outside
 * AddressSanitizer (which needs a vast address space), in 1.2 GB, so that a
 * reader that grows without bound fails instead of filling the machine. */
#if defined(__SANITIZE_ADDRESS__)
#define BOUNDED "timeout 60 "
#else
#define BOUNDED "ulimit -v 1200000; timeout 60 "
#endif

TestSuite(report, .init = setup);

/* Endless inputs end: /dev/zero and /dev/urandom at their first NUL byte, a
 * FIFO that a writer keeps feeding at 256 MiB, and a (sparse) regular file
 * larger than that before a byte of it is read. */
Test(report, endless_or_huge_logs_are_refused)
{
    Run *r = run(BOUNDED "%s report /dev/zero -o %s/out.html", MGC, dir);
    cr_assert_eq(r->status, 1, "exit %d, stderr: %s", r->status, r->err);
    cr_assert(strstr(r->err, "/dev/zero:1:1: error: a NUL byte: a log is text"), "stderr: %s", r->err);
    r = run(BOUNDED "%s report /dev/urandom -o %s/out.html", MGC, dir);
    cr_assert_eq(r->status, 1, "exit %d, stderr: %s", r->status, r->err);
    cr_assert(strstr(r->err, "/dev/urandom:") && strstr(r->err, ": error: a NUL byte"), "stderr: %s", r->err);
    const char *big = in("big.csv"), *fifo = in("feed.csv");
    FILE *f = fopen(big, "wb");
    cr_assert(f && ftruncate(fileno(f), ((off_t)256 << 20) + 1) == 0 && fclose(f) == 0, "sparse %s", big);
    r = run(BOUNDED "%s report %s -o %s/out.html", MGC, big, dir);
    char want[512];
    snprintf(want, sizeof want, "mgc: error: '%s' is 268435457 bytes, more than the 256 MiB a log may have", big);
    cr_assert_eq(r->status, 1, "exit %d, stderr: %s", r->status, r->err);
    cr_assert(strstr(r->err, want), "wanted '%s' in: %s", want, r->err);
    cr_assert_eq(mkfifo(fifo, 0600), 0, "mkfifo %s", fifo);
    r = run("(echo step,loss; yes 1,2) >%s & pid=$!; " BOUNDED "%s report %s -o %s/out.html; rc=$?; kill $pid 2>&-; "
            "exit $rc", fifo, MGC, fifo, dir);
    snprintf(want, sizeof want, "mgc: error: '%s' goes on past 256 MiB, the most a log may have", fifo);
    cr_assert_eq(r->status, 1, "exit %d, stderr: %s", r->status, r->err);
    cr_assert(strstr(r->err, want), "wanted '%s' in: %s", want, r->err);
    cr_assert_eq(files_in_dir(), 2, "a failed report left files behind in %s", dir);
}

Test(report, help_shows_usage)
{
    Run *r = run("%s report --help", MGC);
    cr_assert_eq(r->status, 0);
    const char *opts[] = {"usage: mgc report", "-o FILE", "--label NAME", "--smooth N", "--help"};
    for (size_t i = 0; i < sizeof opts / sizeof *opts; i++)
        cr_expect(strstr(r->out, opts[i]), "--help does not mention %s: %s", opts[i], r->out);
    r = run("%s --help", MGC);
    cr_expect(strstr(r->out, "mgc report RUN.csv"), "mgc --help does not mention mgc report");
}

Test(report, no_input_files)
{
    Run *r = run("%s report -o %s/out.html", MGC, dir);
    cr_assert_eq(r->status, 1);
    cr_assert(strstr(r->err, "mgc: error: no input files"), "stderr: %s", r->err);
    cr_assert_eq(files_in_dir(), 0);
}

Test(report, missing_output)
{
    write_text(in("a.csv"), "step,loss\n1,3\n");
    Run *r = run("%s report %s", MGC, in("a.csv"));
    cr_assert_eq(r->status, 1);
    cr_assert(strstr(r->err, "mgc: error: no output given: add '-o REPORT.html'"), "stderr: %s", r->err);
    r = run("%s report %s -o", MGC, in("a.csv"));
    cr_assert_eq(r->status, 1);
    cr_assert(strstr(r->err, "mgc: error: option '-o' needs a value"), "stderr: %s", r->err);
}

Test(report, unknown_option)
{
    write_text(in("a.csv"), "step,loss\n1,3\n");
    Run *r = run("%s report --frobnicate %s -o %s/out.html", MGC, in("a.csv"), dir);
    cr_assert_eq(r->status, 1);
    cr_assert(strstr(r->err, "mgc: error: unknown option '--frobnicate' (see 'mgc report --help')"), "stderr: %s", r->err);
    cr_assert_eq(files_in_dir(), 1);
}

Test(report, bad_smooth_and_dangling_label)
{
    write_text(in("a.csv"), "step,loss\n1,3\n");
    Run *r = run("%s report %s --smooth ten -o %s/out.html", MGC, in("a.csv"), dir);
    cr_assert_eq(r->status, 1);
    cr_assert(strstr(r->err, "mgc: error: --smooth needs a whole number of steps"), "stderr: %s", r->err);
    r = run("%s report %s --label x -o %s/out.html", MGC, in("a.csv"), dir);
    cr_assert_eq(r->status, 1);
    cr_assert(strstr(r->err, "mgc: error: --label 'x' names no run"), "stderr: %s", r->err);
    cr_assert_eq(files_in_dir(), 1);
}

Test(report, missing_file)
{
    Run *r = run("%s report %s/nope.csv -o %s/out.html", MGC, dir, dir);
    cr_assert_eq(r->status, 1);
    char want[256];
    snprintf(want, sizeof want, "mgc: error: cannot open '%s/nope.csv': No such file or directory", dir);
    cr_assert(strstr(r->err, want), "stderr: %s", r->err);
    cr_assert_eq(files_in_dir(), 0);
}

Test(report, directory_is_not_a_file)
{
    Run *r = run("%s report %s -o %s/out.html", MGC, dir, dir);
    cr_assert_eq(r->status, 1);
    cr_assert(strstr(r->err, "Is a directory"), "stderr: %s", r->err);
}

Test(report, empty_file)
{
    refused("", "%s: error: empty file");
    refused("\n\n", "%s: error: empty file");
}

Test(report, header_without_data)
{
    refused("step,loss\n", "%s: error: no steps: the file has a header line but no data");
}

Test(report, no_header)
{
    refused("1,3.3\n2,3.1\n", "%s:1:1: error: no header line");
}

Test(report, no_step_column)
{
    refused("iter,loss\n1,3.3\n", "%s:1:1: error: the header has no 'step' column");
}

Test(report, no_loss_column)
{
    refused("step,lr,elapsed\n1,0.01,0.1\n", "%s:1:1: error: the header has no 'loss' column");
}

Test(report, non_numeric_value_names_line_and_column)
{
    refused("step,loss\n1,3.3\n2,abc\n", "%s:3:3: error: 'loss' is not a finite number: 'abc'");
    Run *r = run("%s report %s -o %s/out.html", MGC, in("run.csv"), dir);
    cr_assert(strstr(r->err, "    3 | 2,abc\n      |   ^~~\n"), "no quoted line and caret in: %s", r->err);
    refused("step,loss,lr\nx,3.3,0.1\n", "%s:2:1: error: 'step' is not a finite number: 'x'");
    refused("step,loss\n1,nan\n", "%s:2:3: error: 'loss' is not a finite number: 'nan'");
}

Test(report, missing_field)
{
    refused("step,lr,loss\n1,0.01,3.3\n2,0.01\n", "%s:3:1: error: 2 fields, but the header puts 'loss' in column 3");
}

Test(report, every_bad_file_is_reported)
{
    write_text(in("a.csv"), "");
    write_text(in("b.csv"), "step\n1\n");
    Run *r = run("%s report %s %s -o %s/out.html", MGC, in("a.csv"), in("b.csv"), dir);
    cr_assert_eq(r->status, 1);
    cr_assert(strstr(r->err, "a.csv: error: empty file"), "stderr: %s", r->err);
    cr_assert(strstr(r->err, "b.csv:1:1: error: the header has no 'loss' column"), "stderr: %s", r->err);
}

Test(report, failure_keeps_the_old_page)
{
    write_text(in("out.html"), "old page\n");
    write_text(in("bad.csv"), "step,loss\n1,x\n");
    Run *r = run("%s report %s -o %s", MGC, in("bad.csv"), in("out.html"));
    cr_assert_eq(r->status, 1);
    cr_assert_str_eq(slurp_page(in("out.html")), "old page\n");
    cr_assert_eq(files_in_dir(), 2, "a temporary file was left behind");
}

Test(report, unwritable_output)
{
    write_text(in("a.csv"), "step,loss\n1,3\n");
    Run *r = run("%s report %s -o %s/no/such/dir/out.html", MGC, in("a.csv"), dir);
    cr_assert_eq(r->status, 1);
    cr_assert(strstr(r->err, "mgc: error: "), "stderr: %s", r->err);
    cr_assert(strstr(r->err, "/no/such/dir/out.html: cannot write: No such file or directory"), "stderr: %s", r->err);
}

Test(report, good_run_is_self_contained)
{
    /* the trainers' columns today, tomorrow's extra ones, CRLF and a blank line at the end */
    write_text(in("sgd.csv"), "step,loss\n1,3.5\n2,3.25\n3,3.0\n");
    write_text(in("adam.csv"), "step,loss,lr,elapsed\r\n1,3.5,0.01,0.001\r\n2,3.0,0.0099,0.002\r\n\r\n");
    write_text(in("resumed.csv"), "elapsed , Loss , STEP\n0.1, 2.5 ,10\n");
    Run *r = run("%s report %s --label 'Adam (lr 0.01)' %s %s --smooth 5 -o %s/out.html", MGC,
                 in("sgd.csv"), in("adam.csv"), in("resumed.csv"), dir);
    cr_assert_eq(r->status, 0, "stderr: %s", r->err);
    cr_assert_str_empty(r->err);
    const char *p = slurp_page(in("out.html"));
    cr_assert(strstr(p, "<!DOCTYPE html>"));
    const char *banned[] = {"http://", "https://", "<script src", "<link", "src=", "@import", "url("};
    for (size_t i = 0; i < sizeof banned / sizeof *banned; i++)
        cr_expect(!strstr(p, banned[i]), "the page contains '%s'", banned[i]);
    cr_expect(strstr(p, "{\"name\":\"sgd\",\"step\":[1,2,3],\"loss\":[3.5,3.25,3]}"), "sgd's data: %s", p);
    cr_expect(strstr(p, "{\"name\":\"Adam (lr 0.01)\",\"step\":[1,2],\"loss\":[3.5,3]}"), "adam's data");
    cr_expect(strstr(p, "{\"name\":\"resumed\",\"step\":[10],\"loss\":[2.5]}"), "resumed's data");
    cr_expect(strstr(p, "const SMOOTH = 5;"), "--smooth 5 is not the default window");
    cr_expect(!strstr(p, "@@"), "a placeholder was left in the page");
    cr_assert_eq(files_in_dir(), 4, "a temporary file was left behind");
}

Test(report, full_precision_survives)
{
    write_text(in("a.csv"), "step,loss\n1,3.3660281170628785\n2,0.1\n3,1e-300\n4,-0\n5,12345678\n");
    Run *r = run("%s report %s -o %s/out.html", MGC, in("a.csv"), dir);
    cr_assert_eq(r->status, 0, "stderr: %s", r->err);
    cr_expect(strstr(slurp_page(in("out.html")), "\"loss\":[3.3660281170628785,0.1,1e-300,-0,12345678]"), "page: %s", page);
}

Test(report, names_are_escaped)
{
    /* a file name cannot hold '/', so a label brings the closing tag */
    const char *nasty = "a<b>&\"c'<script>";
    char path[256];
    snprintf(path, sizeof path, "%s/%s.csv", dir, nasty);
    write_text(path, "step,loss\n1,3\n");
    Run *r = run("%s report %s/'a<b>&\"c'\\''<script>.csv' --label '</script><i>' %s/'a<b>&\"c'\\''<script>.csv'"
                 " -o %s/out.html", MGC, dir, dir, dir);
    cr_assert_eq(r->status, 0, "stderr: %s", r->err);
    const char *p = slurp_page(in("out.html"));
    cr_expect(!strstr(p, nasty), "the raw name reached the page");
    cr_expect(!strstr(p, "</script><i>"), "a label closed the script");
    cr_expect(strstr(p, "a&lt;b&gt;&amp;&quot;c&#39;&lt;script&gt;.csv (1 step)"), "caption not escaped");
    cr_expect(strstr(p, "\"name\":\"a\\u003cb\\u003e\\u0026\\\"c'\\u003cscript\\u003e\""), "JSON name not escaped");
    cr_expect(strstr(p, "\"name\":\"\\u003c/script\\u003e\\u003ci\\u003e\""), "JSON label not escaped");
}

/* An output that is one of the CSV files is refused before anything is
 * read or written; an empty name says so. */
Test(report, output_that_is_an_input_is_refused)
{
    write_text(in("a.csv"), "step,loss\n1,3\n");
    Run *r = run("%s report %s -o %s", MGC, in("a.csv"), in("a.csv"));
    cr_assert_eq(r->status, 1);
    cr_expect(strstr(r->err, "/a.csv' is both input and output\n"), "stderr: %s", r->err);
    cr_expect_str_eq(slurp_page(in("a.csv")), "step,loss\n1,3\n");
    r = run("%s report %s -o ''", MGC, in("a.csv"));
    cr_assert_eq(r->status, 1);
    cr_expect_str_eq(r->err, "mgc: error: empty output file name\n");
}

/* The page replaces a 0600 file keeping its mode, and a symlinked one's target. */
Test(report, output_keeps_its_mode_and_symlink)
{
    write_text(in("a.csv"), "step,loss\n1,3\n");
    write_text(in("out.html"), "old page\n");
    cr_assert_eq(chmod(in("out.html"), 0600), 0);
    cr_assert_eq(symlink("out.html", in("link.html")), 0);
    Run *r = run("%s report %s -o %s", MGC, in("a.csv"), in("link.html"));
    cr_assert_eq(r->status, 0, "stderr: %s", r->err);
    struct stat sb;
    cr_assert_eq(lstat(in("link.html"), &sb), 0);
    cr_expect(S_ISLNK(sb.st_mode), "the symlink was replaced by a file");
    cr_assert_eq(stat(in("out.html"), &sb), 0);
    cr_expect_eq(sb.st_mode & 07777, 0600, "a 0600 page became %o", (unsigned)(sb.st_mode & 07777));
    cr_expect(strstr(slurp_page(in("out.html")), "<html"), "the target does not hold the page");
    cr_expect_eq(files_in_dir(), 3, "a temporary file was left behind");
}

/* issue 16: a UTF-8 byte order mark (as spreadsheets write) is skipped: the
 * header is still found, and line 1's columns count from after it */
Test(report, byte_order_mark_is_skipped)
{
    refused("\xEF\xBB\xBFstep,loss\n1,x\n", "%s:2:3: error: 'loss' is not a finite number: 'x'");
    refused("\xEF\xBB\xBFiter,loss\n1,3\n", "%s:1:1: error: the header has no 'step' column");
    write_text(in("bom.csv"), "\xEF\xBB\xBFstep,loss\n1,3.5\n2,3\n");
    Run *r = run("%s report %s -o %s/out.html", MGC, in("bom.csv"), dir);
    cr_assert_eq(r->status, 0, "stderr: %s", r->err);
    cr_expect(strstr(slurp_page(in("out.html")), "{\"name\":\"bom\",\"step\":[1,2],\"loss\":[3.5,3]}"), "page: %s", page);
}

/* issue 16: any number of columns; those past the 64th used to be cut off,
 * so a 'step' or 'loss' there was "not in the header" */
Test(report, columns_past_the_64th_are_read)
{
    char text[4096];
    int w = 0;
    for (int c = 1; c <= 70; c++)
        w += snprintf(text + w, sizeof text - (size_t)w, c == 66 ? "step," : c == 70 ? "loss\n" : "x%d,", c);
    for (int row = 1; row <= 2; row++)
        for (int c = 1; c <= 70; c++)
            w += snprintf(text + w, sizeof text - (size_t)w, c == 66 ? "%d," : c == 70 ? "%d.25\n" : "7,", row);
    /* a short row past the 64th column names its count */
    char *third = text + w;
    for (int c = 1; c <= 67; c++)
        third += sprintf(third, c < 67 ? "3," : "3\n");
    refused(text, "%s:4:1: error: 67 fields, but the header puts 'loss' in column 70");
    text[w] = '\0';
    write_text(in("wide.csv"), text);
    Run *r = run("%s report %s -o %s/out.html", MGC, in("wide.csv"), dir);
    cr_assert_eq(r->status, 0, "stderr: %s", r->err);
    cr_expect(strstr(slurp_page(in("out.html")), "{\"name\":\"wide\",\"step\":[1,2],\"loss\":[1.25,2.25]}"), "page: %s",
              page);
}

/* issue 16: a step that does not come after the one before (unsorted, or
 * repeated as when two runs are pasted into one file) is a located error */
Test(report, steps_must_increase)
{
    refused("step,loss\n1,3\n2,2.5\n2,2.4\n", "%s:4:1: error: step 2 is not after step 2 (line 3)");
    refused("step,loss\n1,3\n5,2.5\n3,2.4\n", "%s:4:1: error: step 3 is not after step 5 (line 3)");
    refused("loss,step\n3,1\n2.5, 0.5\n", "%s:3:6: error: step 0.5 is not after step 1 (line 2)");
}

/* issue 19: a log with a validation set's columns (val_loss, val_accuracy,
 * empty between evaluations) gives each run its validation points; a log
 * without them gives what it gave before; a bad cell is a located error */
Test(report, validation_columns_are_read)
{
    refused("step,loss,val_loss\n1,3,\n2,2,x\n", "%s:3:5: error: 'val_loss' is not empty or a finite number: 'x'");
    refused("step,loss,val_accuracy\n1,3,nan\n", "%s:2:5: error: 'val_accuracy' is not empty or a finite number: 'nan'");
    write_text(in("cls.csv"), "step,loss,lr,elapsed,val_loss,val_accuracy\n1,3,0.1,0.01,,\n2,2.5,0.1,0.02,2.75,0.5\n"
                              "3,2,0.1,0.03,,\n4,1.5,0.1,0.04,1.75,0.875\n");
    write_text(in("reg.csv"), "step,loss,lr,elapsed,VAL_LOSS\n1,3,0.1,0.01,\n2,2,0.1,0.02,2.25\n");
    write_text(in("plain.csv"), "step,loss,lr,elapsed\n1,3,0.1,0.01\n");
    Run *r = run("%s report %s %s %s -o %s/out.html", MGC, in("cls.csv"), in("reg.csv"), in("plain.csv"), dir);
    cr_assert_eq(r->status, 0, "stderr: %s", r->err);
    const char *p = slurp_page(in("out.html"));
    cr_expect(strstr(p, "{\"name\":\"cls\",\"step\":[1,2,3,4],\"loss\":[3,2.5,2,1.5],\"val_step\":[2,4],"
                        "\"val_loss\":[2.75,1.75],\"acc_step\":[2,4],\"val_accuracy\":[0.5,0.875]}"), "cls's data: %s", p);
    cr_expect(strstr(p, "{\"name\":\"reg\",\"step\":[1,2],\"loss\":[3,2],\"val_step\":[2],\"val_loss\":[2.25]}"),
              "reg's data: %s", p);
    cr_expect(strstr(p, "{\"name\":\"plain\",\"step\":[1],\"loss\":[3]}"), "plain's data: %s", p);
}
