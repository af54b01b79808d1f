/* optim_driver.c: runs mg_optim_step on given parameters and gradients, for
 * tests/reference/optim.py to compare with torch.optim.
 * Reads on stdin: the settings (kind lr beta1 beta2 eps steps schedule warmup
 * step_size gamma min_lr momentum nesterov weight_decay clip), then n and the
 * number of steps K, the n initial parameters, then K rows of n gradients.
 * Prints, for each step, its learning rate and the n updated parameters (%.17g). */
#include "mg_optim.h"

#include <stdio.h>
#include <stdlib.h>

static int read_doubles(double *x, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (scanf("%lf", &x[i]) != 1) return 0;
    return 1;
}

int main(void) {
    MgOptim c = {0};
    int kind, sched, n, steps;
    if (scanf("%d %lf %lf %lf %lf %d %d %d %d %lf %lf %lf %d %lf %lf", &kind, &c.lr, &c.beta1, &c.beta2, &c.eps,
              &c.steps, &sched, &c.warmup, &c.step_size, &c.gamma, &c.min_lr, &c.momentum, &c.nesterov,
              &c.weight_decay, &c.clip) != 15 ||
        scanf("%d %d", &n, &steps) != 2 || n < 1 || steps < 0) {
        fputs("optim_driver: bad settings line\n", stderr);
        return 1;
    }
    c.kind = (MgOptKind)kind;
    c.schedule = (MgSchedule)sched;
    double *p = malloc((size_t)n * sizeof *p), *g = malloc((size_t)n * sizeof *g);
    MgOptimizer o;
    MgErr e;
    if (!p || !g || !read_doubles(p, (size_t)n) || mg_optim_init(&o, &c, (size_t)n, &e) < 0) {
        fputs("optim_driver: bad parameters or out of memory\n", stderr);
        return 1;
    }
    for (int s = 0; s < steps; s++) {
        if (!read_doubles(g, (size_t)n)) {
            fputs("optim_driver: missing gradients\n", stderr);
            return 1;
        }
        mg_optim_step(&o, p, g, s);
        printf("%.17g", mg_optim_lr(&c, s));
        for (int i = 0; i < n; i++) printf(" %.17g", p[i]);
        putchar('\n');
    }
    mg_optim_free(&o);
    free(p);
    free(g);
    return 0;
}
