# Differential test model for broadcasting in `y = expr` (tests/diff/test_diff.c):
# a bias over [T, vocab] and a [1, vocab] row, a scalar against [T, n_embd],
# a causal [T, s <= t] against [2, T, s <= t], and inside a function mapped
# over a leading axis a [C] gain against its [N, C] argument.  Each broadcast
# operand's gradient sums over the axes it is broadcast along.
const vocab = 27, block_size = 5, n_embd = 8
dim T <= block_size
input tokens[T + 1] < vocab

param wte[vocab, n_embd] ~ gauss(0, 0.5)
param u[2, n_embd] ~ gauss(0, 0.5)
param g[n_embd] ~ gauss(1, 0.5)
param w[vocab, n_embd] ~ gauss(0, 0.5)
param b[vocab] ~ gauss(0, 0.5)
param r[1, vocab] ~ gauss(0, 0.5)

fn scale_rows(x[N, C], gain[C]) -> y[N, C] {
    y = x * gain + 0.5                       # [N, C] * [C], once per mapped k
}

x[t < T, c] = wte[tokens[t], c]
m = mean(t < T, c < n_embd) x[t, c]          # a scalar
xc = x - m                                   # [T, n_embd] - []
h[k < 2, t < T, c] = xc[t, c] * u[k, c]
s = scale_rows(h, g)                         # mapped over k
att[k < 2, t < T, j <= t] = (sum(c) s[k, t, c] * s[k, j, c]) * 0.3
near[t < T, j <= t] = (t - j) * -0.2
p = softmax(att + near)                      # [2, T, j <= t] + [T, j <= t]
o[t < T, c] = sum(k < 2, j <= t) p[k, t, j] * x[j, c]
logits = linear(tanh(o + x), w) + b + r * 0.5
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
