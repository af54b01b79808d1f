# Differential test model (tests/diff/test_diff.c) for the gradient of max and
# min reductions (to the term chosen), nograd and a tensor exponent.  With
# random parameters no two terms tie, so finite differences agree.
const vocab = 27, n = 6
dim T <= 5
input tokens[T + 1] < vocab

param emb[vocab, n] ~ gauss(0, 0.5)
param w[n, n] ~ gauss(0, 0.5)
param out[vocab, n] ~ gauss(0, 0.5)

x[t < T, c] = emb[tokens[t], c]
# max and min pooling over pairs of channels
hi[t < T, c < 3] = max(k < 2) x[t, 2 * c + k]
lo[t < T, c < 3] = min(k < 2) x[t, 2 * c + k] * w[c, k]
# over two loops, in an expression, and the largest of a triangle
top = max(t < T, c < n) x[t, c] * w[c, 0]
low[t < T] = (min(s <= t) sum(c) x[s, c] * w[c, 1]) + 1
# a tensor exponent, its base kept positive
pw[t < T, c] = (1 + x[t, c] * x[t, c]) ^ (w[c, 2] + x[t, c]) + 2 ^ x[t, c]
# nograd where the value does not depend on it (as softmax's max), so that
# finite differences agree (tests/models/ties.mg checks that it stops the gradient)
sh[t < T] = nograd(x[t, 0] * w[0, 3])
ng[t < T] = log(sum(c) exp(x[t, c] - sh[t])) + sh[t]
h[t < T, c < n] = tanh(hi[t, c % 3] + lo[t, c // 2] + pw[t, c] * 0.1 + ng[t] * 0.1 + low[t] * 0.1 + top)
logits[t < T, v < vocab] = sum(c) out[v, c] * h[t, c]
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
