# Differential test model: two recurrences stacked by a 'for' loop (the name h
# rebound per layer, each a recur block of its own), and a rank-1 recurrence
# s[t] that starts from 1.0 rather than 0.
const vocab = 27, H = 4, L = 2
dim T <= 6
input tokens[T + 1] < vocab
param wte[vocab, H] ~ gauss(0, 0.5)
for l < L {
    param layer[l].w[H, H] ~ gauss(0, 0.5)
    param layer[l].u[H, H] ~ gauss(0, 0.5)
}
param s0[H] ~ gauss(0, 0.5)
x[t < T, j < H] = wte[tokens[t], j]
for l < L {
    recur t < T {
        h[t, j < H] = tanh((sum(i) layer[l].w[j, i] * x[t, i]) + (sum(k) layer[l].u[j, k] * (h[t - 1, k] else 0.0)))
    }
    x = h
}
s[t < T] = (s[t - 1] else 1.0) * 0.5 + x[t, 0] + s0[0]
logits[t < T, v < vocab] = wte[v, 0] * s[t] + x[t, v % H]
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
