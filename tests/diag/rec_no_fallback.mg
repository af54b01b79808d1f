# a read of an earlier step needs the value before the start: 'else'
const vocab = 27, H = 4
dim T <= 8
input tokens[T + 1] < vocab
param w[H, H] ~ gauss(0, 0.1)
param wte[vocab, H] ~ gauss(0, 0.1)
x[t < T, j < H] = wte[tokens[t], j]
h[t < T, j < H] = tanh(x[t, j] + (sum(k) w[j, k] * h[t - 1, k]))
logits[t < T, v < vocab] = sum(j) wte[v, j] * h[t, j]
loss = sum(t < T) logits[t, tokens[t + 1]]

# ---- expected (mgc rec_no_fallback.mg -o OUT.c): exit 1, and on stderr: ----
#| rec_no_fallback.mg:8:54: error: 'h' is read 1 step back, before the start when t < 1; give its value there with 'else', as in 'h[t - 1, ...] else 0.0'
#|     8 | h[t < T, j < H] = tanh(x[t, j] + (sum(k) w[j, k] * h[t - 1, k]))
#|       |                                                      ^~~~~
