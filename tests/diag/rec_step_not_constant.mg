# the step back of a recurrence must be a constant
const vocab = 27, H = 4
dim T <= 8
input tokens[T + 1] < vocab
param w[H, H] ~ gauss(0, 0.1)
param wte[vocab, H] ~ gauss(0, 0.1)
x[t < T, j < H] = wte[tokens[t], j]
h[t < T, j < H] = tanh(x[t, j] + (sum(k) w[j, k] * (h[t // 2, k] else 0.0)))
logits[t < T, v < vocab] = sum(j) wte[v, j] * h[t, j]
loss = sum(t < T) logits[t, tokens[t + 1]]

# ---- expected (mgc rec_step_not_constant.mg -o OUT.c): exit 1, and on stderr: ----
#| rec_step_not_constant.mg:8:55: error: a recurrence reads 'h' at its step 't' or a constant number of steps back ('t - 1'); this index is neither
#|     8 | h[t < T, j < H] = tanh(x[t, j] + (sum(k) w[j, k] * (h[t // 2, k] else 0.0)))
#|       |                                                       ^~~~~~
