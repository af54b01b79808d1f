# a recurrence starts from one value: every read of it gives the same fallback
const vocab = 27, H = 4
dim T <= 8
input tokens[T + 1] < vocab
param w[H, H] ~ gauss(0, 0.1)
param wte[vocab, H] ~ gauss(0, 0.1)
x[t < T, j < H] = wte[tokens[t], j]
h[t < T, j < H] = tanh(x[t, j] + (sum(k) w[j, k] * (h[t - 1, k] else 0.0)) + (sum(k) w[k, j] * (h[t - 2, k] else 1.0)))
logits[t < T, v < vocab] = sum(j) wte[v, j] * h[t, j]
loss = sum(t < T) logits[t, tokens[t + 1]]

# ---- expected (mgc rec_two_starts.mg -o OUT.c): exit 1, and on stderr: ----
#| rec_two_starts.mg:8:114: error: 'h' starts from one value, but this fallback differs from that of an earlier read of it; give every read of 'h' the same one
#|     8 | h[t < T, j < H] = tanh(x[t, j] + (sum(k) w[j, k] * (h[t - 1, k] else 0.0)) + (sum(k) w[k, j] * (h[t - 2, k] else 1.0)))
#|       |                                                                                                                  ^~~
