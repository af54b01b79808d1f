# a declared extent is an integer expression in shape variables, T and
# constants with + - * // %: '/' is refused, and so is a product of two shape
# variables that are not constants at the call
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
fn halve(x[K, C]) -> y[K / 2, C] {
    y[k < K // 2, c] = x[2 * k, c]
}
fn first(x[K, C], z[K * C]) -> y[K] {
    y[k] = x[k, 0] * z[k]
}
x[t < T, c] = wte[tokens[t], c]
e[t < T, k < 8, c] = x[t, c]
sq[t < T, s < T] = x[t, s % 16]
a = halve(e)
b = first(sq, sq)
logits = linear(x, w)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)

# ---- expected (mgc extent_expression_errors.mg -o OUT.c): exit 1, and on stderr: ----
#| extent_expression_errors.mg:9:24: error: an extent cannot use '/'; use '//' for floor division
#|     9 | fn halve(x[K, C]) -> y[K / 2, C] {
#|       |                        ^~~~~
#| extent_expression_errors.mg:18:5: note: in this call of halve(x[T, 8, 16])
#|    18 | a = halve(e)
#|       |     ^~~~~~~~
#| extent_expression_errors.mg:12:21: error: an extent can only be multiplied by a constant
#|    12 | fn first(x[K, C], z[K * C]) -> y[K] {
#|       |                     ^~~~~
#| extent_expression_errors.mg:19:5: note: in this call of first(x[T, T], z[T, T])
#|    19 | b = first(sq, sq)
#|       |     ^~~~~~~~~~~~~
