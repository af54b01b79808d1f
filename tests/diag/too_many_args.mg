const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c]
logits = linear(x, w, w)

# ---- expected (mgc too_many_args.mg -o OUT.c): exit 1, and on stderr: ----
#| too_many_args.mg:7:10: error: 'linear' takes 2 arguments, got 3
#|     7 | logits = linear(x, w, w)
#|       |          ^~~~~~~~~~~~~~~
#| prelude.mg:6:1: note: 'linear' defined here
#|     6 | fn linear(x[I], w[O, I]) -> y[O] {
#|       | ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
