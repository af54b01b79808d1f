# a recurrence inside a function (mapped over the caller's axes or not) is not supported
const vocab = 27, H = 4
dim T <= 8
input tokens[T + 1] < vocab
param w[H, H] ~ gauss(0, 0.1)
param wte[vocab, H] ~ gauss(0, 0.1)
x[t < T, j < H] = wte[tokens[t], j]
fn rnn(a[S, C]) -> y[S, C] {
    y[s < S, c < C] = tanh(a[s, c] + (y[s - 1, c] else 0.0))
}
h = rnn(x)
logits[t < T, v < vocab] = sum(j) wte[v, j] * h[t, j]
loss = sum(t < T) logits[t, tokens[t + 1]]

# ---- expected (mgc rec_in_function.mg -o OUT.c): exit 1, and on stderr: ----
#| rec_in_function.mg:9:5: error: a recurrence inside a function is not supported; write it at the top level
#|     9 |     y[s < S, c < C] = tanh(a[s, c] + (y[s - 1, c] else 0.0))
#|       |     ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
