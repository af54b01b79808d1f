# Differential test model: every elementwise op and builtin, on embeddings.
const vocab = 27, n = 6
dim T <= 5
input tokens[T + 1] < vocab

param emb[vocab, n] ~ gauss(0, 0.5)
param w[n, n] ~ gauss(0, 0.5)
param b[n] ~ gauss(0.5, 0.1)
param out[vocab, n] ~ gauss(0, 0.5)

x[t < T, c] = emb[tokens[t], c]
a[t < T, c] = x[t, c] * b[c] + b[c] - x[t, c] / (2 + b[c] * b[c])
e = exp(a) - exp(-a) * 0.5
l[t < T, c] = log(1 + x[t, c] * x[t, c]) + tanh(a[t, c]) * relu(x[t, c]) + sqrt(2 + x[t, c] * x[t, c]) * 0.5
p[t < T, c] = (1.5 + b[c] ^ 2) ^ -1.5 + (x[t, c] ^ 2 + 1) ^ 0.5 - 3 / (x[t, c] ^ 2 + 2)
pos[t < T, c] = e[t, c] * 0.25 + (t + 1) * 0.1 * l[t, c] - p[t, c] / (T + c)
# the max is subtracted as a plain number (nograd); log-sum-exp does not
# depend on it, so finite differences agree
m = nograd(max(t < T, c < n) pos[t, c])
lse = log(sum(t < T, c < n) exp(pos[t, c] - m)) + m
h[t < T, o < n] = tanh((sum(i) w[o, i] * pos[t, i]) - lse * 0.01) + mean(i < n) x[t, i] * w[i, o]
logits[t < T, v < vocab] = sum(c) out[v, c] * h[t, c]
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
