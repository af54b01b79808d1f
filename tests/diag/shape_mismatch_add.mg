# broadcasting aligns trailing axes: 16 against 8 names the axis and both shapes
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
#| shape_mismatch_add.mg:9:5: error: shape mismatch in '+': [T, 16] and [8]: axis 2 is 16 against 8
#|     9 | y = x + b
#|       |     ^~~~~
