const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
param b[8] ~ zeros
x[t < T, c] = wte[tokens[t], c]
y = x + b
logits = linear(y, w)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)

# ---- expected (mgc shape_mismatch_add.mg -o OUT.c): exit 1, and on stderr: ----
#| shape_mismatch_add.mg:8:9: error: 'b' has shape [8], but this statement's shape has 2 axes
#|     8 | y = x + b
#|       |         ^
#| shape_mismatch_add.mg:6:1: note: 'b' defined here
#|     6 | param b[8] ~ zeros
#|       | ^~~~~~~~~~~~~~~~~~
