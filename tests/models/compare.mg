# Differential test model for the comparisons (tests/diff/test_diff.c).  On
# reals they give 1.0 or 0.0 and carry no gradient: only the products they
# gate carry one.  On integers they give 1 or 0 in index arithmetic, with T.
# Finite differences stay away from the jumps: the compared reals are the
# parameters drawn at test_diff's fixed seed, none within the step (1e-5) of
# what it is compared with; a flip inside the step would change the loss by
# about 0.1 and the difference quotient by about 1e4, which the check reports.
const vocab = 27, block_size = 5
dim T <= block_size
input tokens[T + 1] < vocab

param w[block_size, vocab] ~ gauss(0, 1)
param u[vocab] ~ gauss(0, 1)

g[t < T, v < vocab] = w[t, v] * (w[t, v] > 0.25) + u[v] * (u[v] <= w[t, v]) - (w[t, v] == w[t, v]) * 0.5 + (u[v] != 0) * (u[v] >= -1) * u[v] * (w[t, v] < 1)
logits[t < T, v < vocab] = g[t, v] + w[t // 2 + (t > 1), v] * (t + 1 < T) + u[v] * (tokens[t] != v) * (t >= 1) + (tokens[t] == v) * 0.25
loss = sum(t < T, v < vocab) logits[t, v] * logits[t, v] * 0.1
