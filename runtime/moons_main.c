/* moons_main.c: mgc-moons, the two-moons CSV (mg_moons.h) for models/moons.mg.
 *   mgc-moons [-n N] [--noise S] [--seed K] [-o FILE]
 * Defaults: 100 points, noise 0.1, seed 1337, standard output;
 * runtime/data/moons.csv is `mgc-moons -o runtime/data/moons.csv`. */
#include "mg_moons.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void) {
    fprintf(stderr, "usage: mgc-moons [-n N] [--noise S] [--seed K] [-o FILE]\n");
    return 1;
}

int main(int argc, char **argv) {
    unsigned long long n = MG_MOONS_N, seed = MG_MOONS_SEED;
    double noise = MG_MOONS_NOISE;
    const char *out = "-";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("mgc-moons: the two-moons data (sklearn's make_moons) as CSV: x[0],x[1],y\n"
                   "  -n N         points (default %d; half on each moon)\n"
                   "  --noise S    Gaussian noise (default %g)\n"
                   "  --seed K     seed of the RNG, CPython's random (default %d)\n"
                   "  -o FILE      output (default: standard output)\n", MG_MOONS_N, MG_MOONS_NOISE, MG_MOONS_SEED);
            return 0;
        }
        if (!v || (strcmp(a, "-n") && strcmp(a, "--noise") && strcmp(a, "--seed") && strcmp(a, "-o"))) return usage();
        i++;
        errno = 0;
        if (!strcmp(a, "-o")) {
            out = v;
        } else if (!strcmp(a, "--noise")) {
            noise = strtod(v, &end);
            if (*end || end == v || !isfinite(noise) || noise < 0) {
                fprintf(stderr, "mgc-moons: error: --noise takes a number >= 0, not '%s'\n", v);
                return 1;
            }
        } else {
            unsigned long long k = strtoull(v, &end, 10);
            if (*end || end == v || errno || *v == '-' || (!strcmp(a, "-n") && (k < 1 || k > 100000000))) {
                fprintf(stderr, "mgc-moons: error: %s takes %s, not '%s'\n", a,
                        strcmp(a, "-n") ? "an integer >= 0" : "an integer from 1 to 100000000", v);
                return 1;
            }
            if (!strcmp(a, "-n")) n = k;
            else seed = k;
        }
    }
    MgErr e;
    if (mg_moons_csv(out, (size_t)n, noise, seed, &e) < 0) {
        fprintf(stderr, "mgc-moons: error: %s\n", e.msg);
        return 1;
    }
    return 0;
}
