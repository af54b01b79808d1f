/* mg_moons.h: the two-moons data of micrograd's demo, made in the repo.
 * Takes a number of points, a noise level and a seed; hands on points and
 * labels shaped as sklearn.datasets.make_moons(n, noise=noise) makes them
 * (two interleaving half circles, label 0 the upper, 1 the lower), drawn
 * from the runtime's RNG (mg_rng.h, CPython's random) so that this Python
 * gives the same numbers bit for bit:
 *
 *     random.seed(seed)
 *     def arc(k): return [0.0 if k == 1 else math.pi if i == k - 1 else i * (math.pi / (k - 1))
 *                         for i in range(k)]
 *     pts = [(math.cos(t), math.sin(t), 0) for t in arc(n // 2)] + \
 *           [(1 - math.cos(t), 1 - math.sin(t) - 0.5, 1) for t in arc(n - n // 2)]
 *     random.shuffle(pts)
 *     pts = [(a + random.gauss(0, noise), b + random.gauss(0, noise), y) for a, b, y in pts]
 *
 * (make_moons also shuffles first and adds the noise after; its numbers
 * come from numpy's generator, so only the shape is the same.) */
#ifndef MG_MOONS_H
#define MG_MOONS_H

#include <stddef.h>
#include <stdint.h>

#include "mg_err.h"

#define MG_MOONS_N 100
#define MG_MOONS_NOISE 0.1
#define MG_MOONS_SEED 1337   /* micrograd's demo seeds numpy with 1337 */

/* n points: x[2 i], x[2 i + 1] and the label y[i] of point i. */
void mg_moons(size_t n, double noise, uint64_t seed, double *x, int *y);
/* The same as a CSV file with the columns x[0], x[1], y (values as %.17g,
 * so they read back exactly); "-" is standard output. */
int mg_moons_csv(const char *path, size_t n, double noise, uint64_t seed, MgErr *e);

#endif
