# a recurrence runs along one axis: reading h at the same t and an earlier j is a second one
const vocab = 27, H = 4
dim T <= 8
input tokens[T + 1] < vocab
param w[H, H] ~ gauss(0, 0.1)
param wte[vocab, H] ~ gauss(0, 0.1)
x[t < T, j < H] = wte[tokens[t], j]
h[t < T, j < H] = tanh(x[t, j] + (h[t - 1, j] else 0.0) + (h[t, j - 1] else 0.0))
logits[t < T, v < vocab] = sum(j) wte[v, j] * h[t, j]
loss = sum(t < T) logits[t, tokens[t + 1]]

# ---- expected (mgc rec_two_axes.mg -o OUT.c): exit 1, and on stderr: ----
#| rec_two_axes.mg:8:62: error: 'h' reads itself at the step being computed; it can read only earlier steps ('t - 1'), and a recurrence along a second axis is not supported
#|     8 | h[t < T, j < H] = tanh(x[t, j] + (h[t - 1, j] else 0.0) + (h[t, j - 1] else 0.0))
#|       |                                                              ^
