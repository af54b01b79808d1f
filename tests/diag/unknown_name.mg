const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c] * scale
logits = linear(x, w)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)

# ---- expected (mgc unknown_name.mg -o OUT.c): exit 1, and on stderr: ----
#| unknown_name.mg:6:35: error: unknown name 'scale'
#|     6 | x[t < T, c] = wte[tokens[t], c] * scale
#|       |                                   ^~~~~
