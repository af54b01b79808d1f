# Differential test model for the select where(c, a, b) and the builtins
# built on it, max(a, b), min(a, b) and clamp(x, lo, hi) (tests/diff/test_diff.c):
# the gradient goes only to the arm chosen, and an arm not chosen may be -inf
# or NaN (log of a negative) without a NaN reaching any gradient.  Their
# integer forms index with T (tokens[max(t - 2, 0)], BOS padding's clamp).
# Finite differences stay away from the jumps: the compared reals are the
# parameters drawn at test_diff's fixed seed, none within the step (1e-5) of
# what it is compared with (or of 0, for a bare condition); a flip would
# change the loss by about 0.1 and the difference quotient by about 1e4.
const vocab = 27, block_size = 5
dim T <= block_size
input tokens[T + 1] < vocab

param w[block_size, vocab] ~ gauss(0, 1)
param u[vocab] ~ gauss(0, 1)
param e[vocab] ~ gauss(0, 1)

h[t < T, v < vocab] = where(w[t, v] > 0, log(w[t, v]), u[v] * 2)
logits[t < T, v < vocab] = where(u[v], h[t, v], w[t, v] * w[t, v]) + w[where(t > 1, t // 2, t), v] + where(t + 1 < T, 1, 0.5) * u[v]
m[t < T, v < vocab] = max(w[t, v], u[v]) * min(w[t, v] * 2, 0.5) + clamp(u[v] * 3, -1, 1) + max(u[v], 1) * min(w[t, v], -2)
p[t < T, v < vocab] = m[t, v] + e[tokens[max(t - 2, 0)]] * w[min(t + 1, T - 1), v] + e[tokens[clamp(t - 1, 0, T - 1)]] * e[v]
loss = sum(t < T, v < vocab) (logits[t, v] * logits[t, v] + p[t, v] * p[t, v]) * 0.1
