const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c]
logits = linaer(x, w)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)

# ---- expected (mgc unknown_function.mg -o OUT.c): exit 1, and on stderr: ----
#| unknown_function.mg:7:10: error: unknown function 'linaer'; did you mean 'linear'?
#|     7 | logits = linaer(x, w)
#|       |          ^~~~~~~~~~~~
