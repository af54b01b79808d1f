# a recurrence's start depends on the indices of its other axes only, not on the step
const vocab = 27, H = 4
dim T <= 8
input tokens[T + 1] < vocab
param w[H, H] ~ gauss(0, 0.1)
param wte[vocab, H] ~ gauss(0, 0.1)
x[t < T, j < H] = wte[tokens[t], j]
h[t < T, j < H] = tanh(x[t, j] + (sum(k) w[j, k] * (h[t - 1, k] else x[t, k])))
logits[t < T, v < vocab] = sum(j) wte[v, j] * h[t, j]
loss = sum(t < T) logits[t, tokens[t + 1]]

# ---- expected (mgc rec_fallback_reads_step.mg -o OUT.c): exit 1, and on stderr: ----
#| rec_fallback_reads_step.mg:8:70: error: the value of 'h' before the start may depend only on the plain indices the read gives its other axes; this one uses 't'
#|     8 | h[t < T, j < H] = tanh(x[t, j] + (sum(k) w[j, k] * (h[t - 1, k] else x[t, k])))
#|       |                                                                      ^~~~~~~
