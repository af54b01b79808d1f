/* mg_utf8.h: strict UTF-8 decoding and encoding of Unicode code points.
 * Takes bytes or code points; hands on the other form.  Decoding refuses what
 * Python's utf-8 codec refuses: overlong forms, surrogates, > U+10FFFF. */
#ifndef MG_UTF8_H
#define MG_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decode one code point from s[0..n-1]; returns bytes used (1-4), 0 if invalid. */
int mg_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* Encode cp (<= U+10FFFF, not a surrogate) into out; returns bytes (1-4), 0 if invalid. */
int mg_utf8_encode(uint32_t cp, char out[4]);
/* Python str.isspace() for one code point (what str.strip() removes). */
int mg_utf8_isspace(uint32_t cp);
/* A printable description for messages: "'a' (U+0061)" or "U+0007". */
void mg_utf8_describe(uint32_t cp, char buf[32]);

#endif
