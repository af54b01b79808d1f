/* test_checkpoint.c: safetensors writing/reading, checkpoint validation and
 * the JSON reader's robustness on malformed input. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mg_checkpoint.h"
#include "mg_json.h"
#include "mg_safetensors.h"
#include "testutil.h"
#include "toy_model.h"

static void fill_params(double *p, size_t n, double scale) {
    for (size_t i = 0; i < n; i++) p[i] = scale * ((double)(i * 37 % 101) - 50.0) / 7.0;
}

/* A 26-character vocabulary (+ BOS = the toy's 27) with characters JSON must escape. */
static void odd_vocab(MgVocab *v) {
    static const char s[] = "\t\"/\\abcdefghijklmnopqr\xc3\xa9\xe2\x80\xa8\xe2\x82\xac\xf0\x9f\x98\x80";
    MgErr e;
    cr_assert_eq(mg_vocab_from_string(v, s, sizeof s - 1, &e), 0, "%s", e.msg);
    cr_assert_eq(v->n, 26);
}

static void letters_vocab(MgVocab *v) {
    MgErr e;
    cr_assert_eq(mg_vocab_from_string(v, "abcdefghijklmnopqrstuvwxyz", 26, &e), 0);
}

/* 8-byte LE length + header + data. */
static void write_raw(const char *path, const char *header, const void *data, size_t dlen) {
    size_t h = strlen(header);
    unsigned char *buf = malloc(8 + h + dlen + 1);
    for (int i = 0; i < 8; i++) buf[i] = (unsigned char)((uint64_t)h >> (8 * i));
    memcpy(buf + 8, header, h);
    if (dlen) memcpy(buf + 8 + h, data, dlen);
    tu_write(path, buf, 8 + h + dlen);
    free(buf);
}

static void expect_load_fails(const char *path, const MgModel *m, const char *substr) {
    double *p = calloc(m->n_scalars, sizeof *p);
    MgVocab v;
    long step;
    MgErr e = {{0}};
    cr_expect_eq(mg_ckpt_load(path, m, p, &v, &step, &e), -1, "load of %s should fail (%s)", path, substr);
    cr_expect(strstr(e.msg, substr) != NULL, "message '%s' lacks '%s'", e.msg, substr);
    cr_expect(strncmp(e.msg, path, strlen(path)) == 0, "message '%s' does not start with the path", e.msg);
    free(p);
}

/* A checkpoint grown to 3 GiB (sparse: no disk used) is refused by its size
 * and header before its data is read, within 400 MB of address space
 * (outside AddressSanitizer, which needs a vast one); so is a header whose
 * tensors are not the model's. */
Test(checkpoint, a_huge_sparse_file_is_refused_before_its_data_is_read) {
    char *dir = tu_tmpdir(), *path = tu_path(dir, "ck.safetensors"), want[4400];
    double p[TOY_NPARAM] = {0};
    MgVocab v;
    MgErr e;
    long step;
    cr_assert_eq(mg_vocab_from_string(&v, "abcdefghijklmnopqrstuvwxyz", 26, &e), 0, "%s", e.msg);
    cr_assert_eq(mg_ckpt_save(path, &toy_model, p, &v, 7, &e), 0, "%s", e.msg);
    mg_vocab_free(&v);
    unsigned char *head = (unsigned char *)tu_read(path, NULL);
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--) hlen = hlen << 8 | head[i];
    free(head);
    cr_assert_eq(truncate(path, (off_t)3 << 30), 0, "truncate %s", path);
#if !defined(__SANITIZE_ADDRESS__)
    struct rlimit lim = {400u << 20, 400u << 20};
    cr_assert_eq(setrlimit(RLIMIT_AS, &lim), 0);
#endif
    cr_expect_eq(mg_ckpt_load(path, &toy_model, p, &v, &step, &e), -1);
    snprintf(want, sizeof want, "%s: %llu bytes after the last tensor belong to no tensor", path,
             (unsigned long long)(((uint64_t)3 << 30) - 8 - hlen - TOY_NPARAM * 8));
    cr_expect(strstr(e.msg, want), "wanted '%s' in: %s", want, e.msg);
    tu_rmrf(dir);
}

Test(checkpoint, round_trip_bit_exact) {
    char *dir = tu_tmpdir(), *path = tu_path(dir, "ck.safetensors");
    double p[TOY_NPARAM], q[TOY_NPARAM];
    fill_params(p, TOY_NPARAM, 1.0);
    p[5] = -0.0;
    p[6] = 1e-310;                       /* subnormal */
    p[7] = 0.1 + 0.2;
    MgVocab v, w;
    letters_vocab(&v);
    MgErr e;
    cr_assert_eq(mg_ckpt_save(path, &toy_model, p, &v, 123, &e), 0, "%s", e.msg);
    long step = 0;
    cr_assert_eq(mg_ckpt_load(path, &toy_model, q, &w, &step, &e), 0, "%s", e.msg);
    cr_expect_eq(memcmp(p, q, sizeof p), 0, "parameters differ after a round trip");
    cr_expect(mg_vocab_equal(&v, &w));
    cr_expect_eq(step, 123);
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    cr_expect_null(fopen(tmp, "rb"), "the .tmp file is left behind");
    /* data section starts 8-aligned, as the format recommends */
    size_t len;
    unsigned char *raw = (unsigned char *)tu_read(path, &len);
    cr_expect_eq(raw[0] % 8, 0);
    cr_expect_eq(len, 8 + raw[0] + (size_t)raw[1] * 256 + sizeof p);
    free(raw);
    mg_vocab_free(&v);
    mg_vocab_free(&w);
    tu_rmrf(dir);
}

Test(checkpoint, non_ascii_vocab_metadata_round_trip) {
    char *dir = tu_tmpdir(), *path = tu_path(dir, "ck.safetensors");
    double p[TOY_NPARAM], q[TOY_NPARAM];
    fill_params(p, TOY_NPARAM, 0.5);
    MgVocab v, w;
    odd_vocab(&v);
    MgErr e;
    cr_assert_eq(mg_ckpt_save(path, &toy_model, p, &v, 7, &e), 0, "%s", e.msg);
    long step;
    cr_assert_eq(mg_ckpt_load(path, &toy_model, q, &w, &step, &e), 0, "%s", e.msg);
    cr_expect(mg_vocab_equal(&v, &w));
    MgSafetensors st;
    cr_assert_eq(mg_st_read(&st, path, &e), 0, "%s", e.msg);
    char *vs = mg_vocab_to_string(&v);
    cr_expect_str_eq(mg_st_meta(&st, "vocab"), vs);
    cr_expect_str_eq(mg_st_meta(&st, "model"), "toy");
    cr_expect_str_eq(mg_st_meta(&st, "step"), "7");
    free(vs);
    mg_st_free(&st);
    mg_vocab_free(&v);
    mg_vocab_free(&w);
    tu_rmrf(dir);
}

/* An independent reader: CPython's json and struct modules. */
Test(checkpoint, python_reads_our_file) {
    if (system("python3 -c 'import json, struct' >/dev/null 2>&1") != 0) cr_skip_test("python3 not available");
    char *dir = tu_tmpdir(), *path = tu_path(dir, "ck.safetensors"), *script = tu_path(dir, "check.py");
    double p[TOY_NPARAM];
    fill_params(p, TOY_NPARAM, 1.0);
    MgVocab v;
    odd_vocab(&v);
    MgErr e;
    cr_assert_eq(mg_ckpt_save(path, &toy_model, p, &v, 42, &e), 0, "%s", e.msg);
    tu_write_str(script,
                 "import json, struct, sys\n"
                 "b = open(sys.argv[1], 'rb').read()\n"
                 "n = struct.unpack('<Q', b[:8])[0]\n"
                 "h = json.loads(b[8:8 + n].decode('utf-8'))\n"
                 "d = b[8 + n:]\n"
                 "m = h.pop('__metadata__')\n"
                 "f = 0xcbf29ce484222325\n"
                 "def fnv(f, bs):\n"
                 "    for c in bs:\n"
                 "        f = ((f ^ c) * 0x100000001b3) & 0xffffffffffffffff\n"
                 "    return f\n"
                 "f = fnv(f, b[8 + n:])\n"
                 "for k, v in m.items():\n"
                 "    if k != 'checksum': f = fnv(f, k.encode() + b'\\0' + v.encode() + b'\\0')\n"
                 "assert m.pop('checksum') == 'fnv1a64:%016x' % f, 'checksum'\n"
                 "assert m == {'model': 'toy', 'step': '42', 'vocab': '\\t\"/\\\\abcdefghijklmnopqr\\u00e9\\u2028\\u20ac\\U0001F600'}, m\n"
                 "assert sorted(h) == ['bias', 'bigram'], h\n"
                 "assert h['bigram'] == {'dtype': 'F64', 'shape': [27, 27], 'data_offsets': [0, 5832]}, h\n"
                 "assert h['bias'] == {'dtype': 'F64', 'shape': [27], 'data_offsets': [5832, 6048]}, h\n"
                 "assert len(d) == 6048\n"
                 "x = struct.unpack('<756d', d)\n"
                 "want = [((i * 37 % 101) - 50.0) / 7.0 for i in range(756)]\n"
                 "assert list(x) == want\n"
                 "print('ok')\n");
    char cmd[9000], *out, *err;
    snprintf(cmd, sizeof cmd, "python3 '%s' '%s'", script, path);
    int rc = tu_run(dir, cmd, &out, &err);
    cr_expect_eq(rc, 0, "python check failed: %s", err);
    cr_expect_str_eq(out, "ok\n");
    mg_vocab_free(&v);
    tu_rmrf(dir);
}

Test(checkpoint, truncated_files_are_refused) {
    char *dir = tu_tmpdir(), *path = tu_path(dir, "ck.safetensors"), *cut = tu_path(dir, "cut.safetensors");
    double p[TOY_NPARAM];
    fill_params(p, TOY_NPARAM, 1.0);
    MgVocab v;
    letters_vocab(&v);
    MgErr e;
    cr_assert_eq(mg_ckpt_save(path, &toy_model, p, &v, 1, &e), 0, "%s", e.msg);
    size_t len;
    char *raw = tu_read(path, &len);
    size_t hlen = (unsigned char)raw[0] + 256u * (unsigned char)raw[1];
    struct { size_t n; const char *msg; } cuts[] = {
        {0, "file is too short"},
        {5, "file is too short"},
        {8, "larger than the rest of the file"},
        {8 + hlen / 2, "larger than the rest of the file"},
        {8 + hlen, "go past the end of the data"},
        {len - 1, "go past the end of the data"},
    };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        tu_write(cut, raw, cuts[i].n);
        expect_load_fails(cut, &toy_model, cuts[i].msg);
    }
    /* every other prefix fails too, and never crashes */
    double q[TOY_NPARAM];
    for (size_t n = 0; n < len; n += 7) {
        tu_write(cut, raw, n);
        MgVocab w;
        long step;
        cr_expect_eq(mg_ckpt_load(cut, &toy_model, q, &w, &step, &e), -1, "prefix of %zu bytes loaded", n);
    }
    free(raw);
    mg_vocab_free(&v);
    tu_rmrf(dir);
}

Test(checkpoint, corrupt_headers_are_refused) {
    char *dir = tu_tmpdir(), *path = tu_path(dir, "bad.safetensors");
    static const struct { const char *header; const char *msg; } cases[] = {
        {"not json", "header is not valid JSON"},
        {"{\"a\": }", "header is not valid JSON"},
        {"{\"__metadata__\": {\"model\": \"toy\"", "header is not valid JSON"},
        {"[1, 2]", "header is not a JSON object"},
        {"{\"__metadata__\": {\"model\": 5}}", "metadata 'model' is not a string"},
        {"{\"bigram\": 3}", "entry is not a JSON object"},
        {"{\"bigram\": {\"shape\": [1], \"data_offsets\": [0, 8]}}", "missing string 'dtype'"},
        {"{\"bigram\": {\"dtype\": \"F64\", \"shape\": [-1], \"data_offsets\": [0, 8]}}", "shape holds"},
        {"{\"bigram\": {\"dtype\": \"F64\", \"shape\": [1.5], \"data_offsets\": [0, 8]}}", "shape holds"},
        {"{\"bigram\": {\"dtype\": \"F64\", \"shape\": [1], \"data_offsets\": [0]}}", "'data_offsets' is not"},
        {"{\"bigram\": {\"dtype\": \"I8\", \"shape\": [1], \"data_offsets\": [0, 1]}}", "has dtype I8"},
        {"{\"bigram\": {\"dtype\": \"F64\", \"shape\": [2], \"data_offsets\": [0, 8]}}", "hold 8 bytes but F64 shape [2] needs 16"},
        {"{\"bigram\": {\"dtype\": \"F64\", \"shape\": [1], \"data_offsets\": [8, 0]}}", "reversed"},
        {"{\"bigram\": {\"dtype\": \"F64\", \"shape\": [1], \"data_offsets\": [0, 18446744073709551615]}}", "go past the end"},
        {"{\"bigram\": {\"dtype\": \"F64\", \"shape\": [1], \"data_offsets\": [0, 18446744073709551616]}}", "'data_offsets' is not"},
        {"{\"bigram\": {\"dtype\": \"F64\", \"shape\": [4294967296, 4294967296, 4294967296], \"data_offsets\": [0, 8]}}", "shape is too large"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double zeros[2] = {0, 0};
        write_raw(path, cases[i].header, zeros, 8);
        expect_load_fails(path, &toy_model, cases[i].msg);
    }
    tu_rmrf(dir);
}

Test(checkpoint, offsets_overlap_gap_and_duplicates) {
    char *dir = tu_tmpdir(), *path = tu_path(dir, "bad.safetensors");
    double d[4] = {1, 2, 3, 4};
    MgSafetensors st;
    MgErr e;
    write_raw(path, "{\"a\": {\"dtype\": \"F64\", \"shape\": [2], \"data_offsets\": [0, 16]},"
                    " \"b\": {\"dtype\": \"F64\", \"shape\": [2], \"data_offsets\": [8, 24]}}", d, 32);
    cr_expect_eq(mg_st_read(&st, path, &e), -1);
    cr_expect(strstr(e.msg, "tensors 'a' and 'b' overlap"), "%s", e.msg);
    write_raw(path, "{\"a\": {\"dtype\": \"F64\", \"shape\": [1], \"data_offsets\": [8, 16]}}", d, 16);
    cr_expect_eq(mg_st_read(&st, path, &e), -1);
    cr_expect(strstr(e.msg, "8 bytes of the data section before tensor 'a' belong to no tensor"), "%s", e.msg);
    write_raw(path, "{\"a\": {\"dtype\": \"F64\", \"shape\": [1], \"data_offsets\": [0, 8]}}", d, 24);
    cr_expect_eq(mg_st_read(&st, path, &e), -1);
    cr_expect(strstr(e.msg, "16 bytes after the last tensor"), "%s", e.msg);
    write_raw(path, "{\"a\": {\"dtype\": \"F64\", \"shape\": [1], \"data_offsets\": [0, 8]},"
                    " \"a\": {\"dtype\": \"F64\", \"shape\": [1], \"data_offsets\": [8, 16]}}", d, 16);
    cr_expect_eq(mg_st_read(&st, path, &e), -1);
    cr_expect(strstr(e.msg, "tensor 'a' appears twice"), "%s", e.msg);
    /* a valid two-tensor file with padding spaces after the JSON reads fine */
    write_raw(path, "{\"b\": {\"dtype\": \"F64\", \"shape\": [1, 1], \"data_offsets\": [16, 24]},"
                    " \"a\": {\"dtype\": \"F64\", \"shape\": [2], \"data_offsets\": [0, 16]}}   ", d, 24);
    cr_assert_eq(mg_st_read(&st, path, &e), 0, "%s", e.msg);
    cr_expect_eq(st.n, 2);
    cr_expect_eq(mg_st_find(&st, "a")->data[1], 2.0);
    cr_expect_eq(mg_st_find(&st, "b")->data[0], 3.0);
    cr_expect_eq(mg_st_find(&st, "b")->rank, 2);
    mg_st_free(&st);
    tu_rmrf(dir);
}

Test(checkpoint, f32_is_converted) {
    char *dir = tu_tmpdir(), *path = tu_path(dir, "f32.safetensors");
    float f[3] = {1.5f, -0.1f, 3e38f};
    MgSafetensors st;
    MgErr e;
    write_raw(path, "{\"x\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 12]}}", f, 12);
    cr_assert_eq(mg_st_read(&st, path, &e), 0, "%s", e.msg);
    const MgStTensor *t = mg_st_find(&st, "x");
    cr_assert_not_null(t);
    cr_expect_str_eq(t->dtype, "F32");
    cr_expect_eq(t->data[0], 1.5);
    cr_expect_eq(t->data[1], (double)-0.1f);
    cr_expect_eq(t->data[2], (double)3e38f);
    mg_st_free(&st);
    tu_rmrf(dir);
}

/* Models that differ from the toy in one way. */
static const MgParam wrong_shape_params[] = {
    {"bigram", 2, {27, 26, 0, 0}, 0, 27 * 26, MG_INIT_GAUSS, 0, 0.08},
    {"bias", 1, {27, 0, 0, 0}, 27 * 26, 27, MG_INIT_ZEROS, 0, 0},
};
static const MgParam wrong_name_params[] = {
    {"bigramX", 2, {27, 27, 0, 0}, 0, 27 * 27, MG_INIT_GAUSS, 0, 0.08},
    {"bias", 1, {27, 0, 0, 0}, 27 * 27, 27, MG_INIT_ZEROS, 0, 0},
};
static const MgParam fewer_params[] = {
    {"bigram", 2, {27, 27, 0, 0}, 0, 27 * 27, MG_INIT_GAUSS, 0, 0.08},
};

static MgModel variant(const MgParam *params, int n, size_t scalars) {
    MgModel m = toy_model;
    m.params = params;
    m.n_params = n;
    m.n_scalars = scalars;
    return m;
}

Test(checkpoint, model_mismatches_are_refused) {
    char *dir = tu_tmpdir(), *path = tu_path(dir, "ck.safetensors"), *nometa = tu_path(dir, "nometa.safetensors");
    double p[TOY_NPARAM];
    fill_params(p, TOY_NPARAM, 1.0);
    MgVocab v;
    letters_vocab(&v);
    MgErr e;
    cr_assert_eq(mg_ckpt_save(path, &toy_model, p, &v, 1, &e), 0, "%s", e.msg);
    MgModel m = variant(wrong_shape_params, 2, 27 * 27);
    expect_load_fails(path, &m, "tensor 'bigram' has shape [27, 27] but model 'toy' expects [27, 26]");
    m = variant(wrong_name_params, 2, TOY_NPARAM);
    expect_load_fails(path, &m, "missing tensor 'bigramX'");
    m = variant(fewer_params, 1, 27 * 27);
    expect_load_fails(path, &m, "unexpected tensor 'bias'");
    m = toy_model;
    m.name = "other";
    expect_load_fails(path, &m, "checkpoint is for model 'toy', not 'other'");
    m = toy_model;
    m.vocab = 28;
    expect_load_fails(path, &m, "checkpoint vocabulary has 27 tokens (26 characters + BOS) but model 'toy' has 28");
    /* tensors only, no metadata */
    cr_assert_eq(mg_ckpt_write_like(nometa, &toy_model, p, NULL, 0, &e), 0, "%s", e.msg);
    expect_load_fails(nometa, &toy_model, "missing metadata 'model'");
    MgMeta bad_step[3] = {{"model", "toy"}, {"vocab", "abcdefghijklmnopqrstuvwxyz"}, {"step", "-3"}};
    cr_assert_eq(mg_ckpt_write_like(nometa, &toy_model, p, bad_step, 3, &e), 0);
    expect_load_fails(nometa, &toy_model, "metadata 'step' is not a non-negative integer");
    MgMeta bad_vocab[3] = {{"model", "toy"}, {"vocab", "zyxwvutsrqponmlkjihgfedcba"}, {"step", "3"}};
    cr_assert_eq(mg_ckpt_write_like(nometa, &toy_model, p, bad_vocab, 3, &e), 0);
    expect_load_fails(nometa, &toy_model, "metadata 'vocab': vocabulary is not sorted");
    expect_load_fails(dir, &toy_model, "not a regular file");
    char *missing = tu_path(dir, "missing.safetensors");
    expect_load_fails(missing, &toy_model, "cannot open: No such file or directory");
    mg_vocab_free(&v);
    tu_rmrf(dir);
}

Test(checkpoint, unwritable_path) {
    double p[TOY_NPARAM] = {0};
    MgVocab v;
    letters_vocab(&v);
    MgErr e;
    cr_expect_eq(mg_ckpt_save("/nonexistent-dir-mgrt/ck.safetensors", &toy_model, p, &v, 1, &e), -1);
    cr_expect_str_eq(e.msg, "/nonexistent-dir-mgrt/ck.safetensors: cannot write: No such file or directory");
    mg_vocab_free(&v);
}

/* ---- training state ---- */

/* A toy training state with every field set to something unusual. */
static void toy_state(MgTrainState *ts, MgOptimizer *o, MgRng *r) {
    MgErr e;
    cr_assert_eq(mg_optim_init(o, &toy_model.optim, TOY_NPARAM, &e), 0);
    fill_params(o->m, TOY_NPARAM, 0.25);
    fill_params(o->v, TOY_NPARAM, 1e-3);
    for (size_t i = 0; i < TOY_NPARAM; i++) o->v[i] *= o->v[i];
    mg_rng_seed(r, 12345);
    for (int i = 0; i < 3; i++) mg_rng_gauss(r, 0, 1);      /* odd: one value cached */
    for (int i = 0; i < 100; i++) mg_rng_random(r);
    cr_assert_eq(r->has_gauss, 1);
    *ts = (MgTrainState){.steps = 777, .lr = 0.1 + 0.2, .seed = UINT64_MAX, .docs = 32033,
                         .docs_sum = 0x0123456789abcdefull, .opt = o, .rng = r};
    snprintf(ts->data, sizeof ts->data, "%s", "names\xff\xc3\xa9.txt");   /* not UTF-8 */
}

Test(checkpoint, training_state_round_trip_bit_exact) {
    char *dir = tu_tmpdir(), *path = tu_path(dir, "ck.safetensors");
    static double p[TOY_NPARAM], q[TOY_NPARAM];
    fill_params(p, TOY_NPARAM, 1.0);
    MgOptimizer o, o2;
    MgRng r, r2;
    MgTrainState ts, ts2;
    MgVocab v, w;
    MgErr e;
    letters_vocab(&v);
    toy_state(&ts, &o, &r);
    cr_assert_eq(mg_ckpt_save_state(path, &toy_model, p, &v, 123, &ts, &e), 0, "%s", e.msg);
    cr_assert_eq(mg_optim_init(&o2, &toy_model.optim, TOY_NPARAM, &e), 0);
    ts2 = (MgTrainState){.opt = &o2, .rng = &r2};
    long step;
    int resumable;
    cr_assert_eq(mg_ckpt_load_state(path, &toy_model, q, &w, &step, &ts2, &resumable, &e), 0, "%s", e.msg);
    cr_expect_eq(resumable, 1);
    cr_expect_eq(step, 123);
    cr_expect_eq(memcmp(p, q, sizeof p), 0, "parameters differ");
    cr_expect_eq(memcmp(o.m, o2.m, sizeof p), 0, "Adam's m differs");
    cr_expect_eq(memcmp(o.v, o2.v, sizeof p), 0, "Adam's v differs");
    cr_expect_eq(memcmp(&r, &r2, sizeof r), 0, "the generator state differs");
    for (int i = 0; i < 5; i++) cr_expect_eq(mg_rng_gauss(&r, 0, 1), mg_rng_gauss(&r2, 0, 1), "gauss draw %d", i);
    cr_expect_eq(ts2.steps, 777);
    cr_expect_eq(ts2.lr, 0.1 + 0.2);
    cr_expect_eq(ts2.seed, UINT64_MAX);
    cr_expect_eq(ts2.docs, 32033);
    cr_expect_eq(ts2.docs_sum, 0x0123456789abcdefull);
    cr_expect_str_eq(ts2.data, "names?\xc3\xa9.txt");
    /* a parameters-only load of the same file ignores the state */
    cr_assert_eq(mg_ckpt_load(path, &toy_model, q, &w, &step, &e), 0, "%s", e.msg);
    mg_vocab_free(&w);
    /* a model trained with SGD cannot take Adam's moments */
    MgModel sgd = toy_model;
    sgd.optim.kind = MG_OPT_SGD;
    MgOptimizer o3;
    cr_assert_eq(mg_optim_init(&o3, &sgd.optim, TOY_NPARAM, &e), 0);
    ts2.opt = &o3;
    cr_expect_eq(mg_ckpt_load_state(path, &sgd, q, &w, &step, &ts2, &resumable, &e), -1);
    cr_expect(strstr(e.msg, "cannot resume this run with --optimizer sgd: it trained with --optimizer adam"), "%s",
              e.msg);
    mg_optim_free(&o), mg_optim_free(&o2), mg_optim_free(&o3);
    mg_vocab_free(&v);
    tu_rmrf(dir);
}

Test(checkpoint, parameters_only_is_not_resumable) {
    char *dir = tu_tmpdir(), *path = tu_path(dir, "ck.safetensors");
    static double p[TOY_NPARAM], q[TOY_NPARAM];
    fill_params(p, TOY_NPARAM, 1.0);
    MgVocab v, w;
    MgErr e;
    letters_vocab(&v);
    cr_assert_eq(mg_ckpt_save(path, &toy_model, p, &v, 5, &e), 0, "%s", e.msg);
    MgOptimizer o;
    MgRng r;
    mg_rng_seed(&r, 1);
    MgRng r0 = r;
    cr_assert_eq(mg_optim_init(&o, &toy_model.optim, TOY_NPARAM, &e), 0);
    MgTrainState ts = {.steps = -7, .opt = &o, .rng = &r};
    long step;
    int resumable = 1;
    cr_assert_eq(mg_ckpt_load_state(path, &toy_model, q, &w, &step, &ts, &resumable, &e), 0, "%s", e.msg);
    cr_expect_eq(resumable, 0);
    cr_expect_eq(ts.steps, -7, "the state was touched");
    cr_expect_eq(memcmp(&r, &r0, sizeof r), 0, "the generator was touched");
    for (size_t i = 0; i < TOY_NPARAM; i++) cr_assert_eq(o.m[i], 0.0);
    cr_expect_eq(memcmp(p, q, sizeof p), 0);
    MgSafetensors st;
    cr_assert_eq(mg_st_read(&st, path, &e), 0);
    cr_expect_null(mg_st_meta(&st, "rng"));
    cr_expect_null(mg_st_find(&st, "optimizer.m.bias"));
    mg_st_free(&st);
    mg_optim_free(&o);
    mg_vocab_free(&v);
    mg_vocab_free(&w);
    tu_rmrf(dir);
}

/* Flip bit `bit` of byte `at` of raw into path. */
static void write_flipped(const char *path, const char *raw, size_t len, size_t at, int bit) {
    char *buf = malloc(len);
    memcpy(buf, raw, len);
    buf[at] = (char)(buf[at] ^ (1 << bit));
    tu_write(path, buf, len);
    free(buf);
}

/* A flip anywhere in the data, or in a metadata value (say one hex digit of
 * the generator state), changes what was saved: the checksum refuses it. */
Test(checkpoint, checksum_mismatch_is_refused) {
    char *dir = tu_tmpdir(), *path = tu_path(dir, "ck.safetensors"), *bad = tu_path(dir, "bad.safetensors");
    static double p[TOY_NPARAM];
    fill_params(p, TOY_NPARAM, 1.0);
    MgOptimizer o;
    MgRng r;
    MgTrainState ts;
    MgVocab v;
    MgErr e;
    letters_vocab(&v);
    toy_state(&ts, &o, &r);
    cr_assert_eq(mg_ckpt_save_state(path, &toy_model, p, &v, 9, &ts, &e), 0, "%s", e.msg);
    size_t len;
    char *raw = tu_read(path, &len), *rng = strstr(raw + 8, "\"rng\":\"");
    cr_assert_not_null(rng);
    write_flipped(bad, raw, len, len - 1, 0);                          /* last byte of Adam's v */
    expect_load_fails(bad, &toy_model, "checksum mismatch");
    expect_load_fails(bad, &toy_model, "the data is corrupt");
    write_flipped(bad, raw, len, len - sizeof p * 3 + 100, 6);         /* a parameter */
    expect_load_fails(bad, &toy_model, "checksum mismatch");
    size_t at = (size_t)(rng - raw) + 7 + 100;                         /* a hex digit: '0'..'9' <-> 'a'.. */
    cr_assert(raw[at] >= '0' && raw[at] <= 'f', "%c", raw[at]);
    int bit = raw[at] <= '7' ? 3 : raw[at] <= '9' ? 0 : 1;             /* 0-7 -> 8-f, 8 <-> 9, a-f: flip bit 1 */
    write_flipped(bad, raw, len, at, bit);
    expect_load_fails(bad, &toy_model, "checksum mismatch");
    free(raw);
    mg_optim_free(&o);
    mg_vocab_free(&v);
    tu_rmrf(dir);
}

/* No one-bit change anywhere in a training checkpoint loads: the header's
 * structure, sizes and names are checked, the values and metadata checksummed. */
Test(checkpoint, every_single_bit_flip_is_refused) {
    /* tens of thousands of small files: in memory when possible (ext4 flushes
     * a file rewritten in place at every close) */
    char *dir = tu_tmpdir_in(access("/dev/shm", W_OK) == 0 ? "/dev/shm" : NULL);
    char *path = tu_path(dir, "ck.safetensors"), *bad = tu_path(dir, "bad.safetensors");
    static double p[TOY_NPARAM], q[TOY_NPARAM];
    fill_params(p, TOY_NPARAM, 1.0);
    MgOptimizer o, o2;
    MgRng r, r2;
    MgTrainState ts;
    MgVocab v, w;
    MgErr e;
    letters_vocab(&v);
    toy_state(&ts, &o, &r);
    cr_assert_eq(mg_ckpt_save_state(path, &toy_model, p, &v, 9, &ts, &e), 0, "%s", e.msg);
    cr_assert_eq(mg_optim_init(&o2, &toy_model.optim, TOY_NPARAM, &e), 0);
    size_t len;
    char *raw = tu_read(path, &len);
    size_t hend = 8 + (unsigned char)raw[0] + 256u * (unsigned char)raw[1], tried = 0, checksum = 0;
    size_t rng0 = (size_t)(strstr(raw + 8, "\"rng\":\"") - raw) + 7, rng1 = rng0 + 624 * 8;
    /* every bit of the header but the generator's 5 KB of hex (one byte in 7
     * there), one byte in 29 of the data */
    for (size_t at = 0; at < len; at += at >= rng0 && at < rng1 ? 7 : at < hend ? 1 : 29)
        for (int bit = 0; bit < 8; bit++) {
            write_flipped(bad, raw, len, at, bit);
            MgTrainState t2 = {.opt = &o2, .rng = &r2};
            long step;
            int res;
            tried++;
            cr_assert_eq(mg_ckpt_load_state(bad, &toy_model, q, &w, &step, &t2, &res, &e), -1,
                         "flipping bit %d of byte %zu (of %zu; header ends at %zu) loads", bit, at, len, hend);
            cr_assert(strncmp(e.msg, bad, strlen(bad)) == 0, "message does not name the file: %s", e.msg);
            checksum += strstr(e.msg, "checksum mismatch") != NULL;
        }
    printf("checkpoint: %zu one-bit flips refused, %zu of them by the checksum\n", tried, checksum);
    cr_expect_gt(checksum, tried / 4);
    free(raw);
    mg_optim_free(&o), mg_optim_free(&o2);
    mg_vocab_free(&v);
    tu_rmrf(dir);
}

/* ---- the JSON reader ---- */

static int parse(const char *s, MgJson *j, MgErr *e) { return mg_json_parse(j, s, strlen(s), e); }

Test(json, values_and_escapes) {
    MgJson j;
    MgErr e;
    cr_assert_eq(parse(" {\"k\\u00e9y\": [1, -2.5e3, true, false, null, \"a\\\"b\\\\c\\/\\n\\ud83d\\ude00\"], \"\": {}} ", &j, &e),
                 0, "%s", e.msg);
    const MgJsonNode *root = &j.nodes[0];
    cr_expect_eq(root->type, MG_JSON_OBJECT);
    cr_expect_eq(root->count, 2);
    const MgJsonNode *arr = mg_json_get(&j, root, "k\xc3\xa9y");
    cr_assert_not_null(arr);
    cr_expect_eq(arr->count, 6);
    const MgJsonNode *x = &j.nodes[arr->first];
    uint64_t u;
    cr_expect_eq(mg_json_u64(x, &u), 0);
    cr_expect_eq(u, 1);
    x = &j.nodes[x->next];
    cr_expect_str_eq(x->str, "-2.5e3");
    cr_expect_eq(mg_json_u64(x, &u), -1);
    x = &j.nodes[x->next];
    cr_expect_eq(x->type, MG_JSON_TRUE);
    x = &j.nodes[j.nodes[x->next].next];
    cr_expect_eq(x->type, MG_JSON_NULL);
    x = &j.nodes[x->next];
    cr_expect_str_eq(x->str, "a\"b\\c/\n\xf0\x9f\x98\x80");
    cr_expect_not_null(mg_json_get(&j, root, ""));
    mg_json_free(&j);
}

Test(json, refuses_malformed) {
    static const char *bad[] = {
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "1.", ".5", "-", "1e", "+1",
        "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"a\nb\"",
        "\"\xff\"", "tru", "nul", "[1] 2", "{\"a\":1}}", "NaN", "Infinity", "\"\xed\xa0\x80\"",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        MgJson j;
        MgErr e;
        cr_expect_eq(parse(bad[i], &j, &e), -1, "accepted bad JSON #%zu: %s", i, bad[i]);
    }
    MgJson j;
    MgErr e;
    cr_expect_eq(mg_json_parse(&j, "[1]\0", 4, &e), -1);       /* NUL inside the range */
    cr_expect_eq(mg_json_parse(&j, "[1]x", 3, &e), 0);         /* never reads past len */
    mg_json_free(&j);
}

Test(json, deep_nesting_is_refused_not_a_stack_overflow) {
    enum { DEPTH = 200000 };
    char *s = malloc(2 * DEPTH + 1);
    memset(s, '[', DEPTH);
    memset(s + DEPTH, ']', DEPTH);
    s[2 * DEPTH] = '\0';
    MgJson j;
    MgErr e;
    cr_expect_eq(parse(s, &j, &e), -1);
    cr_expect(strstr(e.msg, "nested too deeply"), "%s", e.msg);
    free(s);
    memset(s = malloc(2 * 64 + 1), 0, 2 * 64 + 1);
    memset(s, '[', 64);
    memset(s + 64, ']', 64);
    cr_expect_eq(parse(s, &j, &e), 0, "64 levels should parse: %s", e.msg);
    mg_json_free(&j);
    free(s);
}

/* Random mutations of a valid file: each must load or be refused, never crash. */
Test(checkpoint, fuzzed_files_never_crash) {
    char *dir = tu_tmpdir(), *path = tu_path(dir, "ck.safetensors");
    double p[TOY_NPARAM];
    fill_params(p, TOY_NPARAM, 1.0);
    MgVocab v;
    letters_vocab(&v);
    MgErr e;
    cr_assert_eq(mg_ckpt_save(path, &toy_model, p, &v, 1, &e), 0);
    size_t len;
    unsigned char *raw = (unsigned char *)tu_read(path, &len), *buf = malloc(len);
    size_t hend = 8 + raw[0] + 256u * raw[1];
    uint64_t x = 88172645463325252ull;
    int refused = 0;
    for (int it = 0; it < 20000; it++) {
        memcpy(buf, raw, len);
        int nflip = 1 + (int)(x % 4);
        for (int k = 0; k < nflip; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            size_t at = it % 2 ? x % hend : x % len;         /* half the time hit the header */
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            buf[at] = (unsigned char)(k % 2 ? x : buf[at] ^ (1u << (x % 8)));
        }
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t n = it % 5 == 0 ? x % (len + 1) : len;          /* sometimes truncate too */
        MgSafetensors st;
        if (mg_st_parse(&st, "fuzz", buf, n, &e) == 0) mg_st_free(&st);
        else refused++;
    }
    cr_expect_gt(refused, 1000);
    free(raw);
    free(buf);
    mg_vocab_free(&v);
    tu_rmrf(dir);
}

/* mg_ckpt_save replaces a checkpoint keeping its mode and leaves nothing
 * else in the folder (the temporary's name is mkstemp's, not PATH.tmp). */
Test(checkpoint, save_keeps_the_mode_and_leaves_no_temporary) {
    char *dir = tu_tmpdir(), *path = tu_path(dir, "ck.safetensors");
    double p[TOY_NPARAM] = {0};
    MgVocab v;
    letters_vocab(&v);
    MgErr e;
    tu_write_str(path, "old");
    cr_assert_eq(chmod(path, 0600), 0);
    cr_assert_eq(mg_ckpt_save(path, &toy_model, p, &v, 1, &e), 0, "%s", e.msg);
    struct stat sb;
    cr_assert_eq(stat(path, &sb), 0);
    cr_expect_eq(sb.st_mode & 07777, 0600, "a 0600 checkpoint became %o", (unsigned)(sb.st_mode & 07777));
    char cmd[4400], *out, *err;
    snprintf(cmd, sizeof cmd, "ls -A '%s'", dir);
    cr_assert_eq(tu_run(dir, cmd, &out, &err), 0);
    cr_expect_str_eq(out, ".stderr\n.stdout\nck.safetensors\n", "files left: %s", out);
    free(out), free(err);
    mg_vocab_free(&v);
    tu_rmrf(dir);
}

#include <math.h>

/* issue 16: a checkpoint holding NaN or Inf (or a negative second moment) is
 * refused at load, naming the file, the tensor and the element, and nothing
 * is filled; Adam's moments are checked when the state is loaded (a
 * parameters-only load, as sample's, does not use them) */
static void expect_load_refused(const char *path, MgTrainState *ts, const char *what, const char *want) {
    static double q[TOY_NPARAM];
    for (size_t i = 0; i < TOY_NPARAM; i++) q[i] = 42.0;
    MgVocab w;
    MgErr e = {{0}};
    long step = -1;
    int resumable = -1;
    cr_expect_eq(mg_ckpt_load_state(path, &toy_model, q, &w, &step, ts, &resumable, &e), -1, "%s was loaded", what);
    char full[4400];
    snprintf(full, sizeof full, "%s: %s", path, want);
    cr_expect(strstr(e.msg, full) == e.msg, "%s: wanted '%s' in: %s", what, full, e.msg);
    for (size_t i = 0; i < TOY_NPARAM; i++) cr_assert_eq(q[i], 42.0, "%s: parameter %zu was filled", what, i);
    cr_expect_eq(step, -1, "%s: the step was set", what);
    cr_expect_eq(resumable, 0, "%s: said resumable", what);
}

Test(checkpoint, non_finite_values_are_refused_at_load) {
    char *dir = tu_tmpdir(), *path = tu_path(dir, "ck.safetensors");
    static double p[TOY_NPARAM], q[TOY_NPARAM];
    fill_params(p, TOY_NPARAM, 1.0);
    MgVocab v, w;
    MgErr e;
    long step;
    letters_vocab(&v);
    const size_t bias = TOY_VOCAB * TOY_VOCAB;
    p[2 * TOY_VOCAB + 5] = NAN;
    cr_assert_eq(mg_ckpt_save(path, &toy_model, p, &v, 3, &e), 0, "%s", e.msg);
    expect_load_refused(path, NULL, "NaN parameter", "parameter 'bigram' element [2, 5] is nan");
    fill_params(p, TOY_NPARAM, 1.0);
    p[bias + 7] = -INFINITY;
    cr_assert_eq(mg_ckpt_save(path, &toy_model, p, &v, 3, &e), 0, "%s", e.msg);
    expect_load_refused(path, NULL, "-inf parameter", "parameter 'bias' element [7] is -inf");

    /* the moments: finite parameters, one bad moment at a time */
    fill_params(p, TOY_NPARAM, 1.0);
    MgOptimizer o, o2;
    MgRng r, r2;
    MgTrainState ts, ts2;
    toy_state(&ts, &o, &r);
    cr_assert_eq(mg_optim_init(&o2, &toy_model.optim, TOY_NPARAM, &e), 0);
    struct { double *buf; size_t at; double x; const char *want; } bad[] = {
        {o.m, bias + 3, INFINITY, "Adam's moment 'optimizer.m.bias' element [3] is inf"},
        {o.v, 1, NAN, "Adam's moment 'optimizer.v.bigram' element [0, 1] is nan"},
        {o.v, 28, -0.5, "Adam's moment 'optimizer.v.bigram' element [1, 1] is -0.5, but a second moment is never negative"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        double keep = bad[i].buf[bad[i].at];
        bad[i].buf[bad[i].at] = bad[i].x;
        cr_assert_eq(mg_ckpt_save_state(path, &toy_model, p, &v, 5, &ts, &e), 0, "%s", e.msg);
        bad[i].buf[bad[i].at] = keep;
        ts2 = (MgTrainState){.steps = -7, .opt = &o2, .rng = &r2};
        expect_load_refused(path, &ts2, bad[i].want, bad[i].want);
        cr_expect_eq(ts2.steps, -7, "the state was filled");
        for (size_t k = 0; k < TOY_NPARAM; k++) cr_assert(o2.m[k] == 0 && o2.v[k] == 0, "a moment was filled");
        cr_expect_eq(mg_ckpt_load(path, &toy_model, q, &w, &step, &e), 0, "parameters only: %s", e.msg);
        mg_vocab_free(&w);
    }
    mg_optim_free(&o), mg_optim_free(&o2);
    mg_vocab_free(&v);
    tu_rmrf(dir);
}
