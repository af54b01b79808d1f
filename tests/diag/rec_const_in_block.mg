# a recur block holds only tensor statements
const vocab = 27, H = 4
dim T <= 8
input tokens[T + 1] < vocab
param w[H, H] ~ gauss(0, 0.1)
param wte[vocab, H] ~ gauss(0, 0.1)
x[t < T, j < H] = wte[tokens[t], j]
recur t < T {
    const c = 2
    h[t, j < H] = tanh(x[t, j] + (h[t - 1, j] else 0.0))
}
logits[t < T, v < vocab] = sum(j) wte[v, j] * h[t, j]
loss = sum(t < T) logits[t, tokens[t + 1]]

# ---- expected (mgc rec_const_in_block.mg -o OUT.c): exit 1, and on stderr: ----
#| rec_const_in_block.mg:9:11: error: 'const' is not allowed inside a 'recur' block
#|     9 |     const c = 2
#|       |           ^~~~~
