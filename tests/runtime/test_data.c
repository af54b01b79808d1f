/* test_data.c: document loading, stripping, UTF-8 checks and the tokenizer.
 * Expected document lists were checked against CPython 3.11:
 * [l.strip() for l in open(f, encoding='utf-8') if l.strip()]. */
#include <criterion/criterion.h>
#include <time.h>
#include <string.h>

#include "mg_data.h"
#include "mg_utf8.h"
#include "testutil.h"

static void expect_docs(const MgDocs *d, const char **want, size_t n) {
    cr_assert_eq(d->n, n, "%zu docs, expected %zu", d->n, n);
    char buf[256];
    for (size_t i = 0; i < n; i++) {
        cr_assert_geq(mg_data_doc_utf8(d, i, buf, sizeof buf), 0);
        cr_expect_str_eq(buf, want[i], "doc %zu", i);
    }
}

static int load_text(MgDocs *d, const char *text, size_t len, MgErr *e) {
    return mg_data_load_buffer(d, "mem.txt", text, len, e);
}

/* A file is checked as it is read, 64 KiB at a time: a character or a "\r\n"
 * cut by a read is whole in the check, so the first bad byte's line is exact
 * (each of the 5 units cut at every one of its offsets by some read). */
Test(data, a_file_read_in_pieces_counts_lines_across_them) {
    char *dir = tu_tmpdir(), *p = tu_path(dir, "big.txt"), want[4400];
    size_t units = 70000, n = units * 5;
    char *text = malloc(n + 1);
    for (size_t i = 0; i < units; i++) memcpy(text + 5 * i, "\xe2\x82\xac\r\n", 5);
    tu_write(p, text, n);
    MgDocs d;
    MgErr e;
    cr_assert_eq(mg_data_load_file(&d, p, &e), 0, "%s", e.msg);
    cr_expect_eq(d.n, units);
    mg_data_free(&d);
    text[n] = '\xff';
    tu_write(p, text, n + 1);
    cr_expect_eq(mg_data_load_file(&d, p, &e), -1);
    snprintf(want, sizeof want, "%s:%zu: invalid UTF-8 (byte 0xFF at column 1)", p, units + 1);
    cr_expect_str_eq(e.msg, want);
    free(text);
    tu_rmrf(dir);
}

Test(data, strip_crlf_cr_blank_and_unicode_whitespace) {
    /* CPython gives ['ab', 'cd', 'x', 'y', 'z\xa0 q', 'w'] for these bytes. */
    static const char text[] = " ab \n\t\r\ncd\r\n\n  \nx\x0b\x0c\ny\rz\xc2\xa0 q \xe3\x80\x80\n\x1c\n\xc2\x85w\xe2\x80\xa8";
    const char *want[] = {"ab", "cd", "x", "y", "z\xc2\xa0 q", "w"};
    MgDocs d;
    MgErr e;
    cr_assert_eq(load_text(&d, text, sizeof text - 1, &e), 0, "%s", e.msg);
    expect_docs(&d, want, 6);
    mg_data_free(&d);
}

Test(data, crlf_file_and_no_trailing_newline) {
    char *dir = tu_tmpdir(), *p = tu_path(dir, "crlf.txt");
    tu_write_str(p, "emma\r\nolivia\r\n\r\nava");
    const char *want[] = {"emma", "olivia", "ava"};
    MgDocs d;
    MgErr e;
    cr_assert_eq(mg_data_load_file(&d, p, &e), 0, "%s", e.msg);
    expect_docs(&d, want, 3);
    cr_expect_str_eq(d.name, p);
    mg_data_free(&d);
    tu_rmrf(dir);
}

Test(data, empty_missing_blank_files_are_refused) {
    char *dir = tu_tmpdir(), *empty = tu_path(dir, "empty.txt"), *blank = tu_path(dir, "blank.txt"),
         *missing = tu_path(dir, "missing.txt");
    tu_write_str(empty, "");
    tu_write_str(blank, "\n  \r\n\t\n");
    MgDocs d;
    MgErr e;
    char want[4200];
    cr_expect_eq(mg_data_load_file(&d, empty, &e), -1);
    snprintf(want, sizeof want, "%s: file is empty", empty);
    cr_expect_str_eq(e.msg, want);
    cr_expect_eq(mg_data_load_file(&d, blank, &e), -1);
    snprintf(want, sizeof want, "%s: no documents (every line is blank)", blank);
    cr_expect_str_eq(e.msg, want);
    cr_expect_eq(mg_data_load_file(&d, missing, &e), -1);
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", missing);
    cr_expect_str_eq(e.msg, want);
    cr_expect_eq(mg_data_load_file(&d, dir, &e), -1);        /* a directory */
    cr_expect(strstr(e.msg, dir) && strstr(e.msg, "cannot read"), "%s", e.msg);
    tu_rmrf(dir);
}

Test(data, invalid_utf8_names_file_and_line) {
    static const struct { const char *text; const char *msg; } bad[] = {
        {"ok\nfine\nb\xff" "d\n", "mem.txt:3: invalid UTF-8 (byte 0xFF at column 2)"},
        {"\xc0\x80\n", "mem.txt:1: invalid UTF-8 (byte 0xC0 at column 1)"},              /* overlong NUL */
        {"a\r\n\xe0\x80\xaf\n", "mem.txt:2: invalid UTF-8 (byte 0xE0 at column 1)"},      /* overlong '/' */
        {"a\nb\rx\xed\xa0\x80\n", "mem.txt:3: invalid UTF-8 (byte 0xED at column 2)"},    /* surrogate */
        {"ab\xe2\x82", "mem.txt:1: invalid UTF-8 (byte 0xE2 at column 3)"},               /* truncated */
        {"\x80" "abc", "mem.txt:1: invalid UTF-8 (byte 0x80 at column 1)"},               /* lone continuation */
        {"\xf4\x90\x80\x80", "mem.txt:1: invalid UTF-8 (byte 0xF4 at column 1)"},         /* > U+10FFFF */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        MgDocs d;
        MgErr e;
        cr_expect_eq(load_text(&d, bad[i].text, strlen(bad[i].text), &e), -1, "case %zu", i);
        cr_expect_str_eq(e.msg, bad[i].msg, "case %zu", i);
    }
    MgDocs d;
    MgErr e;
    cr_expect_eq(load_text(&d, "ab\ncd\0e\n", 8, &e), -1);
    cr_expect_str_eq(e.msg, "mem.txt:2: NUL byte at column 3");
}

Test(data, utf8_decoder_edges) {
    uint32_t cp;
    cr_expect_eq(mg_utf8_decode((const unsigned char *)"\xf0\x9f\x98\x80", 4, &cp), 4);
    cr_expect_eq(cp, 0x1F600);
    cr_expect_eq(mg_utf8_decode((const unsigned char *)"\xf4\x8f\xbf\xbf", 4, &cp), 4);
    cr_expect_eq(cp, 0x10FFFF);
    cr_expect_eq(mg_utf8_decode((const unsigned char *)"\xf0\x8f\xbf\xbf", 4, &cp), 0);  /* overlong */
    cr_expect_eq(mg_utf8_decode((const unsigned char *)"\xef\xbf\xbf", 2, &cp), 0);      /* short */
    char out[4];
    cr_expect_eq(mg_utf8_encode(0xD800, out), 0);
    cr_expect_eq(mg_utf8_encode(0x110000, out), 0);
    cr_expect_eq(mg_utf8_encode(0x20AC, out), 3);
    cr_expect_eq(memcmp(out, "\xe2\x82\xac", 3), 0);
}

Test(data, vocab_sorted_by_code_point_non_ascii) {
    /* CPython: sorted(set('zé' 'aß' 'b€' '😀x')) -> a b x z ß é € 😀 */
    static const char text[] = "z\xc3\xa9\na\xc3\x9f\nb\xe2\x82\xac\n\xf0\x9f\x98\x80x\n";
    static const uint32_t want[] = {0x61, 0x62, 0x78, 0x7a, 0xdf, 0xe9, 0x20ac, 0x1f600};
    MgDocs d;
    MgVocab v;
    MgErr e;
    cr_assert_eq(load_text(&d, text, sizeof text - 1, &e), 0, "%s", e.msg);
    cr_assert_eq(mg_vocab_build(&v, &d, &e), 0);
    cr_assert_eq(v.n, 8);
    cr_expect_arr_eq(v.cps, want, sizeof want);
    cr_expect_eq(mg_vocab_size(&v), 9);
    cr_expect_eq(mg_vocab_bos(&v), 8);
    /* encode 'zé' (doc 0) = [BOS, 3, 5, BOS] */
    int ids[4], want_ids[4] = {8, 3, 5, 8};
    cr_assert_eq(mg_vocab_encode(&v, d.cps + d.docs[0].off, d.docs[0].len, ids, &e), 0);
    cr_expect_arr_eq(ids, want_ids, sizeof ids);
    char buf[32];
    cr_expect_eq(mg_vocab_decode(&v, ids, 4, buf, sizeof buf), 3);
    cr_expect_str_eq(buf, "z\xc3\xa9");
    mg_vocab_free(&v);
    mg_data_free(&d);
}

Test(data, encode_out_of_vocab_names_char_and_position) {
    MgDocs d;
    MgVocab v;
    MgErr e;
    cr_assert_eq(load_text(&d, "abc\n", 4, &e), 0);
    cr_assert_eq(mg_vocab_build(&v, &d, &e), 0);
    int *ids;
    size_t n;
    cr_assert_eq(mg_vocab_encode_utf8(&v, "cab", &ids, &n, &e), 0);
    int want[5] = {3, 2, 0, 1, 3};
    cr_assert_eq(n, 5);
    cr_expect_arr_eq(ids, want, sizeof want);
    free(ids);
    cr_expect_eq(mg_vocab_encode_utf8(&v, "ab\xc3\xa9z", &ids, &n, &e), -1);
    cr_expect_str_eq(e.msg, "character '\xc3\xa9' (U+00E9) at position 3 is not in the vocabulary");
    cr_expect_eq(mg_vocab_encode_utf8(&v, "a\tb", &ids, &n, &e), -1);
    cr_expect_str_eq(e.msg, "character U+0009 at position 2 is not in the vocabulary");
    cr_expect_eq(mg_vocab_encode_utf8(&v, "a q", &ids, &n, &e), -1);
    cr_expect_str_eq(e.msg, "character ' ' (U+0020) at position 2 is not in the vocabulary");
    cr_expect_eq(mg_vocab_encode_utf8(&v, "a\xff", &ids, &n, &e), -1);
    cr_expect(strstr(e.msg, "invalid UTF-8"), "%s", e.msg);
    cr_assert_eq(mg_vocab_encode_utf8(&v, "", &ids, &n, &e), 0);   /* empty doc: [BOS, BOS] */
    cr_expect_eq(n, 2);
    cr_expect(ids[0] == 3 && ids[1] == 3);
    free(ids);
    mg_vocab_free(&v);
    mg_data_free(&d);
}

Test(data, vocab_string_round_trip_and_refusals) {
    static const char s[] = "\t\"\\ab\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
    MgVocab v, w;
    MgErr e;
    cr_assert_eq(mg_vocab_from_string(&v, s, sizeof s - 1, &e), 0, "%s", e.msg);
    cr_expect_eq(v.n, 8);
    char *back = mg_vocab_to_string(&v);
    cr_expect_str_eq(back, s);
    cr_assert_eq(mg_vocab_from_string(&w, back, strlen(back), &e), 0);
    cr_expect(mg_vocab_equal(&v, &w));
    free(back);
    mg_vocab_free(&v);
    mg_vocab_free(&w);
    cr_expect_eq(mg_vocab_from_string(&v, "", 0, &e), -1);
    cr_expect_str_eq(e.msg, "vocabulary is empty");
    cr_expect_eq(mg_vocab_from_string(&v, "ba", 2, &e), -1);
    cr_expect(strstr(e.msg, "not sorted"), "%s", e.msg);
    cr_expect_eq(mg_vocab_from_string(&v, "aa", 2, &e), -1);
    cr_expect_eq(mg_vocab_from_string(&v, "a\xff", 2, &e), -1);
    cr_expect(strstr(e.msg, "UTF-8"), "%s", e.msg);
    cr_expect_eq(mg_vocab_from_string(&v, "a\0b", 3, &e), -1);
}

Test(data, embedded_words_equal_the_file) {
    char path[4096];
    snprintf(path, sizeof path, "%s/runtime/data/words.txt", MG_REPO_ROOT);
    size_t len;
    char *file = tu_read(path, &len);
    cr_assert_eq(mg_words_txt_len, len);
    cr_expect_eq(memcmp(mg_words_txt, file, len), 0);
    cr_expect_eq(mg_words_txt[len], '\0');
    MgDocs d;
    MgVocab v;
    MgErr e;
    cr_assert_eq(mg_data_load_default(&d, &e), 0, "%s", e.msg);
    cr_expect_str_eq(d.name, "<embedded words>");
    size_t lines = 0;
    for (size_t i = 0; i < len; i++) lines += file[i] == '\n';
    cr_expect_eq(d.n, lines);
    cr_expect_gt(d.n, 9000);
    cr_assert_eq(mg_vocab_build(&v, &d, &e), 0);
    cr_expect_eq(mg_vocab_size(&v), 27);
    for (int i = 0; i < 26; i++) cr_expect_eq(v.cps[i], (uint32_t)('a' + i));
    free(file);
    mg_vocab_free(&v);
    mg_data_free(&d);
}

Test(data, documents_know_their_line_numbers) {
    static const char text[] = "ab\r\n\r\n  \ncd\rxy\n\n\xc2\xa0\nzz";
    static const size_t want[] = {1, 4, 5, 8};
    MgDocs d;
    MgErr e;
    cr_assert_eq(load_text(&d, text, sizeof text - 1, &e), 0, "%s", e.msg);
    cr_assert_eq(d.n, 4);
    for (size_t i = 0; i < 4; i++) cr_expect_eq(d.docs[i].line, want[i], "doc %zu", i);
    MgRng r;
    mg_rng_seed(&r, 42);
    mg_data_shuffle(&d, &r);                      /* lines travel with their documents */
    char buf[16];
    for (size_t i = 0; i < 4; i++) {
        mg_data_doc_utf8(&d, i, buf, sizeof buf);
        size_t line = !strcmp(buf, "ab") ? 1 : !strcmp(buf, "cd") ? 4 : !strcmp(buf, "xy") ? 5 : 8;
        cr_expect_eq(d.docs[i].line, line, "'%s'", buf);
    }
    mg_data_free(&d);
}

static void vocab_of(MgVocab *v, const char *s) {
    MgErr e;
    cr_assert_eq(mg_vocab_from_string(v, s, strlen(s), &e), 0, "%s", e.msg);
}

Test(data, characters_outside_a_vocabulary_name_file_line_and_character) {
    static const char text[] = "ab\r\n\r\ncd\nb\x01" "a\nda\xc3\xa9\n";
    MgDocs d;
    MgVocab v;
    MgErr e;
    cr_assert_eq(load_text(&d, text, sizeof text - 1, &e), 0, "%s", e.msg);
    vocab_of(&v, "abcd");
    cr_expect_eq(mg_data_check_vocab(&d, &v, "ck.safetensors", &e), -1);
    cr_expect_str_eq(e.msg, "mem.txt:4: character U+0001 is not in the vocabulary of ck.safetensors (4 characters + BOS)");
    MgRng r;
    mg_rng_seed(&r, 7);
    mg_data_shuffle(&d, &r);                      /* still the first in the file */
    e.msg[0] = '\0';
    cr_expect_eq(mg_data_check_vocab(&d, &v, "ck.safetensors", &e), -1);
    cr_expect_str_eq(e.msg, "mem.txt:4: character U+0001 is not in the vocabulary of ck.safetensors (4 characters + BOS)");
    mg_vocab_free(&v);
    vocab_of(&v, "\x01" "abcd");
    cr_expect_eq(mg_data_check_vocab(&d, &v, "x", &e), -1);
    cr_expect_str_eq(e.msg, "mem.txt:5: character '\xc3\xa9' (U+00E9) is not in the vocabulary of x (5 characters + BOS)");
    mg_vocab_free(&v);
    vocab_of(&v, "\x01" "abcdz\xc3\xa9");          /* a larger vocabulary is fine */
    cr_expect_eq(mg_data_check_vocab(&d, &v, "x", &e), 0);
    mg_vocab_free(&v);
    mg_data_free(&d);
}

Test(data, rarest_character_and_its_first_line) {
    static const struct { const char *text; uint32_t cp; size_t line; } cases[] = {
        {"abc\n\nab\xc3\xa9\nabc\n", 0xE9, 3},       /* c twice, é once */
        {"abc\nab\xc3\xa9\nabd\n", 'c', 1},          /* c, é and d once: c comes first */
        {"zzz\nzaz\n", 'a', 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        MgDocs d;
        MgVocab v;
        MgErr e;
        cr_assert_eq(load_text(&d, cases[i].text, strlen(cases[i].text), &e), 0);
        cr_assert_eq(mg_vocab_build(&v, &d, &e), 0);
        uint32_t cp;
        size_t line;
        mg_data_rarest(&d, &v, &cp, &line);
        cr_expect_eq(cp, cases[i].cp, "case %zu: U+%04X", i, (unsigned)cp);
        cr_expect_eq(line, cases[i].line, "case %zu", i);
        mg_vocab_free(&v);
        mg_data_free(&d);
    }
}

static uint64_t fnv_text(const char *s) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

Test(data, checksum_is_fnv1a_of_the_documents) {
    static const struct { const char *text; const char *docs; } cases[] = {
        {"ab\ncd\n", "ab\ncd\n"},
        {"  ab \r\n\r\ncd", "ab\ncd\n"},                  /* the same documents */
        {"ab\ncd\nx", "ab\ncd\nx\n"},
        {"cd\nab\n", "cd\nab\n"},                          /* order matters */
        {"h\xc3\xa9\n", "h\xc3\xa9\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        MgDocs d;
        MgErr e;
        cr_assert_eq(load_text(&d, cases[i].text, strlen(cases[i].text), &e), 0);
        cr_expect_eq(mg_data_checksum(&d), fnv_text(cases[i].docs), "case %zu", i);
        mg_data_free(&d);
    }
    cr_expect_neq(fnv_text("ab\ncd\n"), fnv_text("cd\nab\n"));
}

/* Doc i of the big file: i in base 26, letters 'a'..'z', most significant first. */
static void big_doc(long i, char *out) {
    char tmp[16];
    int n = 0;
    do { tmp[n++] = (char)('a' + i % 26); i /= 26; } while (i);
    for (int k = 0; k < n; k++) out[k] = tmp[n - 1 - k];
    out[n] = '\0';
}

Test(data, million_lines) {
    enum { N = 1000000 };
    char *dir = tu_tmpdir(), *p = tu_path(dir, "big.txt");
    char *text = malloc((size_t)N * 8), *w = text, doc[16];
    for (long i = 0; i < N; i++) {
        big_doc(i, doc);
        w += sprintf(w, i % 3 ? "%s\n" : "  %s\r\n", doc);   /* some stripping and CRLF too */
    }
    tu_write(p, text, (size_t)(w - text));
    free(text);
    MgDocs d;
    MgVocab v;
    MgErr e;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cr_assert_eq(mg_data_load_file(&d, p, &e), 0, "%s", e.msg);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* printed; only a generous bound is asserted: timing belongs to benchmarks */
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    printf("data: loaded %d lines in %.3f s\n", N, secs);
    cr_expect_lt(secs, 5.0, "a million lines took %.1f s", secs);   /* generous: sanitizers, busy machines */
    cr_assert_eq(d.n, (size_t)N);
    char buf[32];
    long probes[] = {0, 1, 25, 26, 12345, 999999};
    for (size_t k = 0; k < sizeof probes / sizeof probes[0]; k++) {
        big_doc(probes[k], doc);
        mg_data_doc_utf8(&d, (size_t)probes[k], buf, sizeof buf);
        cr_expect_str_eq(buf, doc, "doc %ld", probes[k]);
    }
    cr_assert_eq(mg_vocab_build(&v, &d, &e), 0);
    cr_expect_eq(v.n, 26);
    mg_vocab_free(&v);
    mg_data_free(&d);
    tu_rmrf(dir);
}

/* --docs text: the text as it is, newlines included (\r\n and \r as \n), in
 * pieces of `piece` characters, each knowing the line it starts on */
Test(data, text_in_pieces_keeps_newlines) {
    static const char text[] = "ab\r\ncd\ref\n\xc3\xa9g";      /* a b \n c d \n e f \n é g: 11 characters */
    const char *want[] = {"ab\nc", "d\nef", "\n\xc3\xa9g"};
    MgDocs d;
    MgErr e;
    cr_assert_eq(mg_data_load_text_buffer(&d, "t.txt", text, sizeof text - 1, 4, &e), 0, "%s", e.msg);
    expect_docs(&d, want, 3);
    cr_expect_eq(d.docs[0].line, 1);
    cr_expect_eq(d.docs[1].line, 2);
    cr_expect_eq(d.docs[2].line, 3, "a piece that starts with a newline starts on the line it ends");
    mg_data_free(&d);
    cr_assert_eq(mg_data_load_text_buffer(&d, "t.txt", text, sizeof text - 1, 100, &e), 0, "%s", e.msg);
    cr_expect_eq(d.n, 1);
    cr_expect_eq(d.docs[0].len, 11);
    mg_data_free(&d);
    cr_expect_eq(mg_data_load_text_buffer(&d, "t.txt", "", 0, 4, &e), -1);
    cr_expect_str_eq(e.msg, "t.txt: file is empty");
    cr_expect_eq(mg_data_load_text_buffer(&d, "t.txt", "ab\ncd\xff", 6, 4, &e), -1);
    cr_expect_str_eq(e.msg, "t.txt:2: invalid UTF-8 (byte 0xFF at column 3)");
    cr_expect_eq(mg_data_load_text_buffer(&d, "t.txt", "ab\n\ncd\0", 7, 4, &e), -1);
    cr_expect_str_eq(e.msg, "t.txt:3: NUL byte at column 3");
    cr_expect_eq(mg_data_load_text_file(&d, "/nonexistent/t.txt", 4, &e), -1);
    cr_expect(strstr(e.msg, "/nonexistent/t.txt: cannot open"), "%s", e.msg);
}

/* The vocabulary's ids (built in one pass: a table below U+0100, a sorted set
 * above) are each character's rank among the sorted distinct characters,
 * found here by counting; the same from mg_vocab_from_string and from a
 * vocabulary made by hand (no table); absent characters give -1. */
Test(data, vocab_ids_are_ranks_below_and_above_u0100) {
    /* ÿ U+00FF, é U+00E9, Ā U+0100, ω U+03C9, 中 U+4E2D, 😀 U+1F600 */
    static const char text[] = "\xe4\xb8\xad" "b\xc3\xbf\n\xf0\x9f\x98\x80" "a\xcf\x89\n\xc3\xa9\xc4\x80 z\n"
                               "\xcf\x89\xe4\xb8\xad\xcf\x89\n";
    static const uint32_t all[] = {0x4e2d, 'b', 0xff, 0x1f600, 'a', 0x3c9, 0xe9, 0x100, ' ', 'z'};
    static const uint32_t absent[] = {'c', 0, 0xfe, 0x101, 0x3c8, 0x10ffff};
    MgDocs d;
    MgVocab v, s, h;
    MgErr e;
    cr_assert_eq(load_text(&d, text, sizeof text - 1, &e), 0, "%s", e.msg);
    cr_assert_eq(mg_vocab_build(&v, &d, &e), 0);
    cr_assert_eq(v.n, 10);
    char *str = mg_vocab_to_string(&v);
    cr_assert_eq(mg_vocab_from_string(&s, str, strlen(str), &e), 0, "%s", e.msg);
    memset(&h, 0, sizeof h);     /* by hand: no table */
    h.n = v.n;
    h.cps = v.cps;
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
        int rank = 0;
        for (size_t j = 0; j < sizeof all / sizeof *all; j++) rank += all[j] < all[i];
        cr_expect_eq(v.cps[rank], all[i]);
        cr_expect_eq(mg_vocab_id(&v, all[i]), rank, "U+%04X", (unsigned)all[i]);
        cr_expect_eq(mg_vocab_id(&s, all[i]), rank, "U+%04X from the string", (unsigned)all[i]);
        cr_expect_eq(mg_vocab_id(&h, all[i]), rank, "U+%04X by hand", (unsigned)all[i]);
    }
    for (size_t i = 0; i < sizeof absent / sizeof *absent; i++) {
        cr_expect_eq(mg_vocab_id(&v, absent[i]), -1, "U+%04X", (unsigned)absent[i]);
        cr_expect_eq(mg_vocab_id(&s, absent[i]), -1, "U+%04X from the string", (unsigned)absent[i]);
    }
    free(str);
    mg_vocab_free(&s);
    mg_vocab_free(&v);
    mg_data_free(&d);
}

/* The checksum of the documents is FNV-1a 64 of their UTF-8, each followed by
 * '\n', whatever path a character takes (computed here byte by byte). */
Test(data, checksum_is_fnv1a_of_the_utf8_lines) {
    static const char text[] = "  ab\xc3\xa9 \n\n\xe4\xb8\xad\xf0\x9f\x98\x80x\r\nz\n";
    static const char lines[] = "ab\xc3\xa9\n\xe4\xb8\xad\xf0\x9f\x98\x80x\nz\n";
    MgDocs d;
    MgErr e;
    cr_assert_eq(load_text(&d, text, sizeof text - 1, &e), 0, "%s", e.msg);
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < sizeof lines - 1; i++) h = (h ^ (unsigned char)lines[i]) * 0x100000001b3ull;
    cr_expect_eq(mg_data_checksum(&d), h);
    mg_data_free(&d);
}

/* A large file (its bytes, code points and documents in one mapping on huge
 * pages) loads as the same text given as a buffer does: the same documents,
 * lines and checksum, also at the most documents its bytes can hold (every
 * line one character, with and without a last newline) and with blank and
 * non-ASCII lines; freeing and loading again works. */
Test(data, a_large_file_loads_as_its_buffer_does) {
    char *dir = tu_tmpdir(), *p = tu_path(dir, "large.txt");
    size_t n = 400001;
    char *text = malloc(n);
    for (int kind = 0; kind < 3; kind++) {
        size_t len = kind == 1 ? n : n - 1;
        for (size_t i = 0; i < len; i++) text[i] = i % 2 ? '\n' : 'a' + (char)(i / 2 % 26);
        if (kind == 2)
            for (size_t i = 0; i + 8 < len; i += 1000) memcpy(text + i, " \xc3\xa9\n\n\r\n\xe4", 7), text[i + 7] = '\n';
        tu_write(p, text, len);
        MgDocs f, b;
        MgErr e;
        cr_assert_eq(mg_data_load_file(&f, p, &e), 0, "%s", e.msg);
        cr_assert_eq(mg_data_load_buffer(&b, p, text, len, &e), 0, "%s", e.msg);
        cr_expect_eq(f.n, b.n, "kind %d", kind);
        if (kind < 2) cr_expect_eq(f.n, (len + 1) / 2, "kind %d: one document a character", kind);
        for (size_t i = 0; i < f.n && i < b.n; i++) {
            cr_assert_eq(f.docs[i].len, b.docs[i].len, "kind %d, doc %zu", kind, i);
            cr_assert_eq(f.docs[i].line, b.docs[i].line, "kind %d, doc %zu", kind, i);
            cr_assert_eq(memcmp(f.cps + f.docs[i].off, b.cps + b.docs[i].off, f.docs[i].len * sizeof *f.cps), 0);
        }
        cr_expect_eq(mg_data_checksum(&f), mg_data_checksum(&b));
        mg_data_free(&f);
        mg_data_free(&b);
        cr_expect_eq(f.cps, NULL);
    }
    free(text);
    tu_rmrf(dir);
}
