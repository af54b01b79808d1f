/* fuzz_dataset.c: libFuzzer harness for the dataset readers (issue #19):
 * any bytes as a CSV file, a .npy file and a safetensors file, for a model
 * with a real tensor input x[2] and a label y in [0, 3); a load that
 * succeeds is split for validation and freed.  Never a crash or a leak. */
#include <stddef.h>
#include <stdint.h>

#include "mg_dataset.h"

static const MgField FIELDS[] = {
    {"x", 0, 0, 1, {2}, 2, 0, 0},
    {"y", 1, 3, 0, {0}, 1, 0, 0},
};

/* s: up to 3 rows of 2 with a runtime length (empty cells, NaN rows); y */
static const MgField RAGGED[] = {
    {"s", 0, 0, 2, {3, 2}, 6, 1, 0},
    {"y", 1, 3, 0, {0}, 1, 0, 0},
};

static void use(MgExamples *x) {
    MgExamples tr, va;
    MgErr e;
    if (mg_examples_split(x, 0.25, 7, &tr, &va, &e) == 0) {
        mg_examples_free(&tr);
        mg_examples_free(&va);
    }
    mg_examples_free(x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    MgExamples x;
    MgErr e;
    if (mg_examples_load_csv(&x, "fuzz.csv", (const char *)data, size, FIELDS, 2, &e) == 0) use(&x);
    for (int f = 0; f < 2; f++)
        if (mg_examples_load_npy(&x, "fuzz.npy", data, size, &FIELDS[f], &e) == 0) use(&x);
    if (mg_examples_load_safetensors(&x, "fuzz.safetensors", data, size, FIELDS, 2, &e) == 0) use(&x);
    if (mg_examples_load_csv(&x, "fuzz.csv", (const char *)data, size, RAGGED, 2, &e) == 0) use(&x);
    if (mg_examples_load_npy(&x, "fuzz.npy", data, size, &RAGGED[0], &e) == 0) use(&x);
    return 0;
}
