# a broadcast that fails inside a function names the call that gave the shapes
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
param g[8] ~ ones
fn scale(x[N, C], gain[G]) -> y[N, C] {
    y = x * gain
}
x[t < T, c] = wte[tokens[t], c]
h = scale(x, g)
logits = linear(h, w)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)

# ---- expected (mgc broadcast_in_function_call.mg -o OUT.c): exit 1, and on stderr: ----
#| broadcast_in_function_call.mg:9:9: error: shape mismatch in '*': [T, 16] and [8]: axis 2 is 16 against 8
#|     9 |     y = x * gain
#|       |         ^~~~~~~~
#| broadcast_in_function_call.mg:12:5: note: in this call of scale(x[T, 16], gain[8])
#|    12 | h = scale(x, g)
#|       |     ^~~~~~~~~~~
