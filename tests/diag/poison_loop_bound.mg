# a loop whose bound fails does not run: what its body defines is poison
const vocab = 27
const n_layer = 2.5
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c]
for l < n_layer {
    h = rmsnorm(x)
}
logits = linear(h, w)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)

# ---- expected (mgc poison_loop_bound.mg -o OUT.c): exit 1, and on stderr: ----
#| poison_loop_bound.mg:9:9: error: a loop bound must be an integer, but 2.5 is a real number
#|     9 | for l < n_layer {
#|       |         ^~~~~~~
