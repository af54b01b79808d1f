# The prelude's layernorm, gelu, gelu_tanh, mse, binary_cross_entropy,
# binary_cross_entropy_with_logits and logsumexp, each mapped over T
# (tests/diff/test_diff.c, and against PyTorch by tests/reference/prelude.py).
# d loss / d coef[k] is term k's value, so the gradients check the values too.
const vocab = 27, n = 6
dim T <= 4
input tokens[T + 1] < vocab

param emb[vocab, n] ~ gauss(0, 0.5)
param g[n] ~ gauss(1, 0.1)
param b[n] ~ gauss(0, 0.1)
param out[vocab, n] ~ gauss(0, 0.5)
param coef[7] ~ gauss(1, 0.1)

x[t < T, c] = emb[tokens[t], c]
y[t < T, c] = sigmoid(emb[tokens[t + 1], c])
ln = layernorm(x, g, b)
ge = gelu(ln)
gt = gelu_tanh(x)
m = mse(ge, y)
p[t < T, c] = sigmoid(gt[t, c] + b[c])
bce = binary_cross_entropy(p, y)
bcl = binary_cross_entropy_with_logits(x, y)
lse = logsumexp(x)
logits[t < T, v < vocab] = sum(c) out[v, c] * ge[t, c]
targets[t < T] = tokens[t + 1]
terms[t < T] = coef[0] * m[t] + coef[1] * bce[t] + coef[2] * bcl[t] + coef[3] * lse[t]
l2 = mean(t < T, c < n) ln[t, c] * ln[t, c]
means = coef[4] * l2 + coef[5] * (mean(t < T, c < n) gt[t, c]) + coef[6] * (mean(t < T, c < n) ge[t, c])
loss = cross_entropy(logits, targets) + (sum(t < T) terms[t]) * 0.1 + means
