# the range of an index read from a poisoned tensor is not asked for again
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c] + bias[c]
y[t, c] = x[t, c] * 2
logits = linear(y, w)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)

# ---- expected (mgc poison_inferred_range.mg -o OUT.c): exit 1, and on stderr: ----
#| poison_inferred_range.mg:7:35: error: unknown name 'bias'
#|     7 | x[t < T, c] = wte[tokens[t], c] + bias[c]
#|       |                                   ^~~~
