# in a recur block, a tensor is read at the step only after the statement that defines it
const vocab = 27, H = 4
dim T <= 8
input tokens[T + 1] < vocab
param w[H, H] ~ gauss(0, 0.1)
param wte[vocab, H] ~ gauss(0, 0.1)
x[t < T, j < H] = wte[tokens[t], j]
recur t < T {
    z[t, j < H] = x[t, j] * (h[t, j] else 0.0)
    h[t, j < H] = tanh(z[t, j])
}
logits[t < T, v < vocab] = sum(j) wte[v, j] * h[t, j]
loss = sum(t < T) logits[t, tokens[t + 1]]

# ---- expected (mgc rec_read_before_defined.mg -o OUT.c): exit 1, and on stderr: ----
#| rec_read_before_defined.mg:9:32: error: 'h' is read at step 't' before the statement that defines it; move that statement up, or read an earlier step ('t - 1')
#|     9 |     z[t, j < H] = x[t, j] * (h[t, j] else 0.0)
#|       |                                ^
#| rec_read_before_defined.mg:10:5: note: 'h' defined here
#|    10 |     h[t, j < H] = tanh(z[t, j])
#|       |     ^~~~~~~~~~~
