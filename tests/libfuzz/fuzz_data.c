/* fuzz_data.c: libFuzzer harness for the data reader and tokenizer (issue #6):
 * any bytes as a dataset: load, build the vocabulary, encode and decode every
 * document.  Never a crash or a leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "mg_data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    MgDocs d;
    MgVocab v;
    MgErr e;
    if (mg_data_load_buffer(&d, "fuzz.txt", (const char *)data, size, &e) < 0)
        return 0;
    if (mg_vocab_build(&v, &d, &e) == 0) {
        char buf[256];
        for (size_t i = 0; i < d.n && i < 64; i++) {
            int *ids = malloc((d.docs[i].len + 2) * sizeof *ids);
            if (ids && mg_vocab_encode(&v, d.cps + d.docs[i].off, d.docs[i].len, ids, &e) == 0)
                mg_vocab_decode(&v, ids, d.docs[i].len + 2, buf, sizeof buf);
            free(ids);
            mg_data_doc_utf8(&d, i, buf, sizeof buf);
        }
        mg_vocab_free(&v);
    }
    mg_data_free(&d);
    return 0;
}
