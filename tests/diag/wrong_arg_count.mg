const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c]
logits = linear(x)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)

# ---- expected (mgc wrong_arg_count.mg -o OUT.c): exit 1, and on stderr: ----
#| wrong_arg_count.mg:7:10: error: 'linear' takes 2 arguments, got 1
#|     7 | logits = linear(x)
#|       |          ^~~~~~~~~
#| prelude.mg:6:1: note: 'linear' defined here
#|     6 | fn linear(x[I], w[O, I]) -> y[O] {
#|       | ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
