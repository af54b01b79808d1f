/* json.c: recursive descent over a bounded byte range, with a depth limit.
 * Takes untrusted text; hands on an MgJson tree whose strings live in one buffer.
 * Invariants: every read checks pos < len; strbuf is sized once (decoding never
 * grows a string), so node string pointers stay valid. */
#include "mg_json.h"

#include "mg_utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Parser {
    const unsigned char *s;
    size_t len, pos;
    MgJson *j;
    size_t sbuf;       /* next free byte of j->strbuf */
    MgErr *e;
} Parser;

static int fail(Parser *p, const char *what) {
    if (p->pos >= p->len)
        return mg_err(p->e, "%s at end of text", what);
    unsigned c = p->s[p->pos];
    if (c >= 0x20 && c < 0x7F)
        return mg_err(p->e, "%s at offset %zu (found '%c')", what, p->pos, c);
    return mg_err(p->e, "%s at offset %zu (found byte 0x%02X)", what, p->pos, c);
}

static void skip_ws(Parser *p) {
    while (p->pos < p->len) {
        unsigned c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        p->pos++;
    }
}

static int new_node(Parser *p, MgJsonType t) {
    MgJson *j = p->j;
    if (j->n == j->cap) {
        int nc = j->cap ? j->cap * 2 : 16;
        MgJsonNode *nn = realloc(j->nodes, (size_t)nc * sizeof *nn);
        if (!nn) return mg_err(p->e, "out of memory parsing JSON");
        j->nodes = nn;
        j->cap = nc;
    }
    MgJsonNode *n = &j->nodes[j->n];
    memset(n, 0, sizeof *n);
    n->type = t;
    n->first = n->next = -1;
    return j->n++;
}

static int hex4(Parser *p, unsigned *out) {
    if (p->len - p->pos < 4) return fail(p, "truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = p->s[p->pos + (size_t)i], d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return fail(p, "bad \\u escape");
        v = v * 16 + d;
    }
    p->pos += 4;
    *out = v;
    return 0;
}

/* \uXXXX (and a following low surrogate) after the "\u" has been read. */
static int unicode_escape(Parser *p, uint32_t *cp) {
    unsigned hi, lo;
    if (hex4(p, &hi) < 0) return -1;
    if (hi >= 0xDC00 && hi <= 0xDFFF) return fail(p, "lone low surrogate in \\u escape");
    if (hi < 0xD800 || hi > 0xDBFF) { *cp = hi; return 0; }
    if (p->len - p->pos < 2 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u')
        return fail(p, "high surrogate not followed by a low one");
    p->pos += 2;
    if (hex4(p, &lo) < 0) return -1;
    if (lo < 0xDC00 || lo > 0xDFFF) return fail(p, "high surrogate not followed by a low one");
    *cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
    return 0;
}

/* A string literal at p->pos (the opening quote); decoded into strbuf. */
static int parse_string(Parser *p, const char **out, size_t *outlen) {
    char *dst = p->j->strbuf + p->sbuf, *w = dst;
    p->pos++;                                             /* opening quote */
    for (;;) {
        if (p->pos >= p->len) return fail(p, "unterminated string");
        unsigned c = p->s[p->pos];
        if (c == '"') { p->pos++; break; }
        if (c < 0x20) return fail(p, "control character in string");
        if (c == '\\') {
            p->pos++;
            if (p->pos >= p->len) return fail(p, "unterminated string");
            unsigned x = p->s[p->pos++];
            uint32_t cp = 0;
            switch (x) {
            case '"': *w++ = '"'; break;
            case '\\': *w++ = '\\'; break;
            case '/': *w++ = '/'; break;
            case 'b': *w++ = '\b'; break;
            case 'f': *w++ = '\f'; break;
            case 'n': *w++ = '\n'; break;
            case 'r': *w++ = '\r'; break;
            case 't': *w++ = '\t'; break;
            case 'u':
                if (unicode_escape(p, &cp) < 0) return -1;
                w += mg_utf8_encode(cp, w);
                break;
            default: p->pos--; return fail(p, "bad escape in string");
            }
            continue;
        }
        uint32_t cp;
        int k = mg_utf8_decode(p->s + p->pos, p->len - p->pos, &cp);
        if (k == 0) return fail(p, "invalid UTF-8 in string");
        memcpy(w, p->s + p->pos, (size_t)k);
        w += k;
        p->pos += (size_t)k;
    }
    *w++ = '\0';
    *out = dst;
    *outlen = (size_t)(w - dst) - 1;
    p->sbuf += (size_t)(w - dst);
    return 0;
}

static int digits(Parser *p) {
    size_t start = p->pos;
    while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') p->pos++;
    return p->pos > start ? 0 : fail(p, "expected a digit");
}

static int parse_number(Parser *p, int node) {
    size_t start = p->pos;
    if (p->s[p->pos] == '-') p->pos++;
    if (p->pos < p->len && p->s[p->pos] == '0') p->pos++;
    else if (digits(p) < 0) return -1;
    if (p->pos < p->len && p->s[p->pos] == '.') {
        p->pos++;
        if (digits(p) < 0) return -1;
    }
    if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
        p->pos++;
        if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-')) p->pos++;
        if (digits(p) < 0) return -1;
    }
    size_t n = p->pos - start;
    char *dst = p->j->strbuf + p->sbuf;
    memcpy(dst, p->s + start, n);
    dst[n] = '\0';
    p->sbuf += n + 1;
    p->j->nodes[node].str = dst;
    p->j->nodes[node].len = n;
    return 0;
}

static int parse_value(Parser *p, int depth);

/* Link child after *last under parent. */
static void add_child(Parser *p, int parent, int *last, int child) {
    MgJsonNode *nodes = p->j->nodes;
    if (*last < 0) nodes[parent].first = child; else nodes[*last].next = child;
    *last = child;
    nodes[parent].count++;
}

static int parse_array(Parser *p, int node, int depth) {
    int last = -1;
    p->pos++;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == ']') { p->pos++; return 0; }
    for (;;) {
        int child = parse_value(p, depth + 1);
        if (child < 0) return -1;
        add_child(p, node, &last, child);
        skip_ws(p);
        if (p->pos < p->len && p->s[p->pos] == ',') { p->pos++; continue; }
        if (p->pos < p->len && p->s[p->pos] == ']') { p->pos++; return 0; }
        return fail(p, "expected ',' or ']' in array");
    }
}

static int parse_object(Parser *p, int node, int depth) {
    int last = -1;
    p->pos++;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == '}') { p->pos++; return 0; }
    for (;;) {
        const char *key;
        size_t keylen;
        skip_ws(p);
        if (p->pos >= p->len || p->s[p->pos] != '"') return fail(p, "expected a string key in object");
        if (parse_string(p, &key, &keylen) < 0) return -1;
        skip_ws(p);
        if (p->pos >= p->len || p->s[p->pos] != ':') return fail(p, "expected ':' after object key");
        p->pos++;
        int child = parse_value(p, depth + 1);
        if (child < 0) return -1;
        p->j->nodes[child].key = key;
        p->j->nodes[child].keylen = keylen;
        add_child(p, node, &last, child);
        skip_ws(p);
        if (p->pos < p->len && p->s[p->pos] == ',') { p->pos++; continue; }
        if (p->pos < p->len && p->s[p->pos] == '}') { p->pos++; return 0; }
        return fail(p, "expected ',' or '}' in object");
    }
}

static int literal(Parser *p, const char *word) {
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0) return fail(p, "expected a value");
    p->pos += n;
    return 0;
}

/* Returns the new node's index, or -1. */
static int parse_value(Parser *p, int depth) {
    if (depth > MG_JSON_MAX_DEPTH) return fail(p, "JSON nested too deeply");
    skip_ws(p);
    if (p->pos >= p->len) return fail(p, "expected a value");
    unsigned c = p->s[p->pos];
    MgJsonType t = c == '{' ? MG_JSON_OBJECT : c == '[' ? MG_JSON_ARRAY : c == '"' ? MG_JSON_STRING
                 : c == 't' ? MG_JSON_TRUE : c == 'f' ? MG_JSON_FALSE : c == 'n' ? MG_JSON_NULL
                 : MG_JSON_NUMBER;
    if (t == MG_JSON_NUMBER && c != '-' && !(c >= '0' && c <= '9')) return fail(p, "expected a value");
    int node = new_node(p, t);
    if (node < 0) return -1;
    int rc;
    switch (t) {
    case MG_JSON_OBJECT: rc = parse_object(p, node, depth); break;
    case MG_JSON_ARRAY: rc = parse_array(p, node, depth); break;
    case MG_JSON_STRING: {
        const char *s;
        size_t n;
        rc = parse_string(p, &s, &n);
        if (rc == 0) { p->j->nodes[node].str = s; p->j->nodes[node].len = n; }
        break;
    }
    case MG_JSON_TRUE: rc = literal(p, "true"); break;
    case MG_JSON_FALSE: rc = literal(p, "false"); break;
    case MG_JSON_NULL: rc = literal(p, "null"); break;
    default: rc = parse_number(p, node); break;
    }
    return rc < 0 ? -1 : node;
}

int mg_json_parse(MgJson *j, const char *text, size_t len, MgErr *e) {
    memset(j, 0, sizeof *j);
    /* Decoded strings and numbers never outgrow their source text; each gets a NUL. */
    j->strbuf = malloc(len * 2 + 1);
    if (!j->strbuf) return mg_err(e, "out of memory parsing JSON");
    Parser p = {(const unsigned char *)text, len, 0, j, 0, e};
    if (parse_value(&p, 0) < 0) {
        mg_json_free(j);
        return -1;
    }
    skip_ws(&p);
    if (p.pos != len) {
        fail(&p, "unexpected text after the JSON value");
        mg_json_free(j);
        return -1;
    }
    return 0;
}

void mg_json_free(MgJson *j) {
    free(j->nodes);
    free(j->strbuf);
    memset(j, 0, sizeof *j);
}

const MgJsonNode *mg_json_get(const MgJson *j, const MgJsonNode *obj, const char *key) {
    if (!obj || obj->type != MG_JSON_OBJECT) return NULL;
    size_t n = strlen(key);
    for (int c = obj->first; c >= 0; c = j->nodes[c].next)
        if (j->nodes[c].keylen == n && memcmp(j->nodes[c].key, key, n) == 0) return &j->nodes[c];
    return NULL;
}

int mg_json_u64(const MgJsonNode *n, uint64_t *out) {
    if (!n || n->type != MG_JSON_NUMBER || n->len == 0) return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < n->len; i++) {
        unsigned c = (unsigned char)n->str[i];
        if (c < '0' || c > '9') return -1;             /* sign, fraction or exponent */
        if (v > (UINT64_MAX - (c - '0')) / 10) return -1;
        v = v * 10 + (c - '0');
    }
    *out = v;
    return 0;
}

void mg_buf_put(MgBuf *b, const char *s, size_t n) {
    if (b->oom) return;
    if (b->n + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < b->n + n + 1) nc *= 2;
        char *np = realloc(b->p, nc);
        if (!np) { b->oom = 1; return; }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void mg_buf_printf(MgBuf *b, const char *fmt, ...) {
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) { b->oom = 1; return; }
    mg_buf_put(b, tmp, (size_t)n);
}

void mg_json_write_string(MgBuf *b, const char *s, size_t len) {
    mg_buf_put(b, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"') mg_buf_put(b, "\\\"", 2);
        else if (c == '\\') mg_buf_put(b, "\\\\", 2);
        else if (c == '\n') mg_buf_put(b, "\\n", 2);
        else if (c == '\t') mg_buf_put(b, "\\t", 2);
        else if (c == '\r') mg_buf_put(b, "\\r", 2);
        else if (c < 0x20 || c == 0x7F) mg_buf_printf(b, "\\u%04x", c);
        else mg_buf_put(b, (const char *)&s[i], 1);
    }
    mg_buf_put(b, "\"", 1);
}
