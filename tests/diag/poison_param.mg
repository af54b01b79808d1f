# a parameter with a bad initializer is poison: its uses report nothing more
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gaus(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c]
logits = linear(x, w)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)

# ---- expected (mgc poison_param.mg -o OUT.c): exit 1, and on stderr: ----
#| poison_param.mg:5:24: error: unknown initializer 'gaus'; did you mean 'gauss'?
#|     5 | param wte[vocab, 16] ~ gaus(0, 0.08)
#|       |                        ^~~~~~~~~~~~~
