# the first index of a statement in a recur block is the step
const vocab = 27, H = 4
dim T <= 8
input tokens[T + 1] < vocab
param w[H, H] ~ gauss(0, 0.1)
param wte[vocab, H] ~ gauss(0, 0.1)
x[t < T, j < H] = wte[tokens[t], j]
recur t < T {
    h[j < H, t] = tanh(x[t, j] + (h[j, t - 1] else 0.0))
}
logits[t < T, v < vocab] = sum(j) wte[v, j] * h[t, j]
loss = sum(t < T) logits[t, tokens[t + 1]]

# ---- expected (mgc rec_step_first.mg -o OUT.c): exit 1, and on stderr: ----
#| rec_step_first.mg:9:7: error: the first index of a statement in a 'recur' block is its step 't' alone, as in 'h[t, j < H]'
#|     9 |     h[j < H, t] = tanh(x[t, j] + (h[j, t - 1] else 0.0))
#|       |       ^~~~~
