# a recurrence reads only earlier steps: h[t + 1] is a later one
const vocab = 27, H = 4
dim T <= 8
input tokens[T + 1] < vocab
param w[H, H] ~ gauss(0, 0.1)
param wte[vocab, H] ~ gauss(0, 0.1)
x[t < T, j < H] = wte[tokens[t], j]
h[t < T, j < H] = tanh(x[t, j] + (sum(k) w[j, k] * (h[t + 1, k] else 0.0)))
logits[t < T, v < vocab] = sum(j) wte[v, j] * h[t, j]
loss = sum(t < T) logits[t, tokens[t + 1]]

# ---- expected (mgc rec_later_step.mg -o OUT.c): exit 1, and on stderr: ----
#| rec_later_step.mg:8:55: error: 'h' is read 1 step ahead, but a recurrence runs forward in 't' and can read only earlier steps ('t - 1')
#|     8 | h[t < T, j < H] = tanh(x[t, j] + (sum(k) w[j, k] * (h[t + 1, k] else 0.0)))
#|       |                                                       ^~~~~
