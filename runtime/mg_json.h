/* mg_json.h: a small strict JSON (RFC 8259) reader and string writer.
 * Takes untrusted bytes (not NUL-terminated); hands on a tree of MgJsonNode.
 * Never reads past len, never recurses deeper than MG_JSON_MAX_DEPTH, always ends. */
#ifndef MG_JSON_H
#define MG_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "mg_err.h"

#define MG_JSON_MAX_DEPTH 64

typedef enum {
    MG_JSON_NULL, MG_JSON_FALSE, MG_JSON_TRUE, MG_JSON_NUMBER,
    MG_JSON_STRING, MG_JSON_ARRAY, MG_JSON_OBJECT
} MgJsonType;

typedef struct MgJsonNode {
    MgJsonType type;
    const char *key;   /* member name when the parent is an object (decoded UTF-8) */
    size_t keylen;
    const char *str;   /* string: decoded UTF-8 (NUL-terminated, may hold \0); number: its text */
    size_t len;
    int first;         /* first child (arrays, objects), -1 if none */
    int next;          /* next sibling, -1 if none */
    int count;         /* number of children */
} MgJsonNode;

typedef struct MgJson {
    MgJsonNode *nodes; /* nodes[0] is the root */
    int n, cap;
    char *strbuf;      /* decoded strings and number texts */
} MgJson;

/* Parse text[0..len-1]: one value, surrounded by optional whitespace. */
int mg_json_parse(MgJson *j, const char *text, size_t len, MgErr *e);
void mg_json_free(MgJson *j);
/* The member of object node `obj` named key (first match), or NULL. */
const MgJsonNode *mg_json_get(const MgJson *j, const MgJsonNode *obj, const char *key);
/* A number that is a non-negative integer (no fraction or exponent) fitting
 * uint64_t; returns 0 on success, -1 otherwise. */
int mg_json_u64(const MgJsonNode *n, uint64_t *out);

/* A growable output buffer; oom is set (and writes ignored) after a failure. */
typedef struct MgBuf {
    char *p;
    size_t n, cap;
    int oom;
} MgBuf;

void mg_buf_put(MgBuf *b, const char *s, size_t n);
void mg_buf_printf(MgBuf *b, const char *fmt, ...) MG_PRINTF(2, 3);
/* Append s[0..len-1] (UTF-8) as a JSON string literal with quotes. */
void mg_json_write_string(MgBuf *b, const char *s, size_t len);

#endif
