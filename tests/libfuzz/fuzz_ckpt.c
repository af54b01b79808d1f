/* fuzz_ckpt.c: libFuzzer harness for the checkpoint reader (issue #6): any
 * bytes as a safetensors file, then, when the container parses, the checks a
 * checkpoint load makes (metadata, vocabulary).  Never a crash or a leak. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mg_data.h"
#include "mg_safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    MgSafetensors st;
    MgErr e;
    if (mg_st_parse(&st, "fuzz.safetensors", data, size, &e) < 0)
        return 0;
    const char *vs = mg_st_meta(&st, "vocab");
    MgVocab v;
    if (vs && mg_vocab_from_string(&v, vs, strlen(vs), &e) == 0)
        mg_vocab_free(&v);
    for (int i = 0; i < st.n; i++) {
        double sum = 0;
        for (size_t k = 0; k < st.t[i].numel; k++)
            sum += st.t[i].data[k];
        (void)sum;
        (void)mg_st_find(&st, st.t[i].name);
    }
    mg_st_free(&st);
    return 0;
}
