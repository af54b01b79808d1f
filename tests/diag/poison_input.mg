# an input that fails is poison: the statements that read it report nothing more
const vocab = 27
dim T <= 16
input tokens[T + 1, 2] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c]
logits = linear(x, w)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)

# ---- expected (mgc poison_input.mg -o OUT.c): exit 1, and on stderr: ----
#| poison_input.mg:4:14: error: an integer tensor input has constant extents; only the token sequence, as in 'input tokens[T + 1] < vocab', has a runtime length
#|     4 | input tokens[T + 1, 2] < vocab
#|       |              ^~~~~
