const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = (wte[tokens[t], c] + 1.0) else 0.0
logits = linear(x, w)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)

# ---- expected (mgc fallback_on_non_read.mg -o OUT.c): exit 1, and on stderr: ----
#| fallback_on_non_read.mg:6:16: error: 'else' gives the value of a read outside its axes, so it must follow a read such as 'x[t - 1]'
#|     6 | x[t < T, c] = (wte[tokens[t], c] + 1.0) else 0.0
#|       |                ^~~~~~~~~~~~~~~~~~~~~~~
