# a computed result extent is checked exactly, with the call that bound K
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
fn merge(x[K, C]) -> y[K // 2 + 1, 2 * C] {
    y[k < K // 2, j < 2 * C] = x[2 * k + j // C, j % C]
}
x[t < T, c] = wte[tokens[t], c]
e[t < T, k < 7, c] = x[t, c]
m = merge(e)
logits = linear(x, w)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)

# ---- expected (mgc result_extent_expression.mg -o OUT.c): exit 1, and on stderr: ----
#| result_extent_expression.mg:7:22: error: result 'y' of 'merge' has extent 3 on axis 1, but 4 is declared
#|     7 | fn merge(x[K, C]) -> y[K // 2 + 1, 2 * C] {
#|       |                      ^~~~~~~~~~~~~~~~~~~~
#| result_extent_expression.mg:12:5: note: in this call of merge(x[T, 7, 16])
#|    12 | m = merge(e)
#|       |     ^~~~~~~~
