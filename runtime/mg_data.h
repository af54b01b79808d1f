/* mg_data.h: documents and the character tokenizer.
 * Takes a text file (one document per line, UTF-8) or the embedded word list;
 * hands on documents as code points, a vocabulary (sorted code points, BOS last)
 * and token ids [BOS] + chars + [BOS]. */
#ifndef MG_DATA_H
#define MG_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "mg_err.h"
#include "mg_rng.h"

/* One document: code points cps[off .. off + len) of its MgDocs, from line
 * `line` (1-based) of the file. */
typedef struct MgDoc {
    size_t off, len;
    size_t line;
} MgDoc;

typedef struct MgDocs {
    char *name;       /* file name (or "<embedded words>") for messages */
    uint32_t *cps;    /* code points of every document, one allocation */
    MgDoc *docs;      /* n documents, in file order until shuffled */
    size_t n;
    void *arena;      /* a large file's one mapping (on huge pages) holding cps and docs, else NULL
                       * and they are malloc'd; mg_data_free frees either */
    size_t arena_size;
} MgDocs;

/* Vocabulary: n characters with ids 0..n-1 in code point order; BOS = n. */
typedef struct MgVocab {
    int n;
    uint32_t *cps;    /* strictly increasing */
    uint16_t small[256];  /* id + 1 of each character below 256 (0: look it up in cps), so that
                           * mg_vocab_id is one load for them; filled by mg_vocab_build and
                           * mg_vocab_from_string (a vocabulary built by hand, all 0, still works) */
} MgVocab;

/* Embedded default dataset (runtime/data/words.txt), NUL-terminated. */
extern const char mg_words_txt[];
extern const size_t mg_words_txt_len;

/* The most bytes a data file may hold unless the loader is given another
 * limit (the _max loaders, for the trainer's --max-data): a larger regular
 * file is refused before it is read, a stream (a FIFO, a device) once it
 * goes past the limit.  A stream is checked as it is read, so bad UTF-8 or
 * a NUL stops the reading there (a regular file is read whole, then checked). */
#define MG_DATA_MAX_BYTES ((size_t)1 << 30)

/* Load one document per line: lines end at \n, \r\n or \r; each is stripped
 * as Python's str.strip() does and blank lines are dropped.  On failure d is
 * left empty and e says why (naming the file, and the line if there is one). */
int mg_data_load_file(MgDocs *d, const char *path, MgErr *e);
int mg_data_load_file_max(MgDocs *d, const char *path, size_t max, MgErr *e);
int mg_data_load_buffer(MgDocs *d, const char *name, const char *buf, size_t len, MgErr *e);
int mg_data_load_default(MgDocs *d, MgErr *e);   /* name "<embedded words>" */
/* Load a text as it is, newlines included (\r\n and \r read as \n), cut into
 * documents of `piece` characters (the last may be shorter), each with the
 * line it starts on: for models of running text. */
int mg_data_load_text_file(MgDocs *d, const char *path, size_t piece, MgErr *e);
int mg_data_load_text_file_max(MgDocs *d, const char *path, size_t piece, size_t max, MgErr *e);
int mg_data_load_text_buffer(MgDocs *d, const char *name, const char *buf, size_t len, size_t piece, MgErr *e);
void mg_data_free(MgDocs *d);
/* FNV-1a 64 of the documents in their current order, each as UTF-8 followed
 * by '\n' (so, before shuffling, of the stripped non-blank lines). */
uint64_t mg_data_checksum(const MgDocs *d);
/* random.shuffle(docs). */
void mg_data_shuffle(MgDocs *d, MgRng *r);
/* Document i as NUL-terminated UTF-8 in buf; returns its byte length, or -1 if
 * it does not fit in cap bytes. */
long mg_data_doc_utf8(const MgDocs *d, size_t i, char *buf, size_t cap);

/* The sorted set of characters over all documents. */
int mg_vocab_build(MgVocab *v, const MgDocs *d, MgErr *e);
/* Every character of every document is in v; otherwise the first one in the
 * file (shuffled or not) is refused as "FILE:LINE: character 'é' (U+00E9) is
 * not in the vocabulary of WHOSE (N characters + BOS)". */
int mg_data_check_vocab(const MgDocs *d, const MgVocab *v, const char *whose, MgErr *e);
/* For messages: the character of v (built from d) that occurs least often in
 * d, and the line where it first appears (ties: the one that appears first). */
void mg_data_rarest(const MgDocs *d, const MgVocab *v, uint32_t *cp, size_t *line);
void mg_vocab_free(MgVocab *v);
static inline int mg_vocab_size(const MgVocab *v) { return v->n + 1; }
static inline int mg_vocab_bos(const MgVocab *v) { return v->n; }
/* id of code point cp, or -1 when it is not in the vocabulary. */
int mg_vocab_id(const MgVocab *v, uint32_t cp);
int mg_vocab_equal(const MgVocab *a, const MgVocab *b);
/* [BOS] + ids + [BOS] into out (len + 2 ints).  A character outside the
 * vocabulary is refused, naming it and its 1-based position. */
int mg_vocab_encode(const MgVocab *v, const uint32_t *cps, size_t len, int *out, MgErr *e);
/* Same for a UTF-8 string; *out is malloc'd (free it), *n_out = chars + 2. */
int mg_vocab_encode_utf8(const MgVocab *v, const char *s, int **out, size_t *n_out, MgErr *e);
/* ids to NUL-terminated UTF-8 (BOS ids are skipped); returns byte length, or -1
 * if an id is out of range or the text does not fit in cap bytes. */
long mg_vocab_decode(const MgVocab *v, const int *ids, size_t n, char *buf, size_t cap);
/* Serialise: the characters in id order as UTF-8 (malloc'd, NUL-terminated). */
char *mg_vocab_to_string(const MgVocab *v);
/* Parse a serialised vocabulary: valid UTF-8, strictly increasing, not empty, no NUL. */
int mg_vocab_from_string(MgVocab *v, const char *s, size_t len, MgErr *e);

#endif
