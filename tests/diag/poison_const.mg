# a constant whose expression fails is poison: its uses report nothing more
const vocab = 27
const scale = 1.0 / heads
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, scale)
x[t < T, c] = wte[tokens[t], c] * scale
logits = linear(x, w)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)

# ---- expected (mgc poison_const.mg -o OUT.c): exit 1, and on stderr: ----
#| poison_const.mg:3:21: error: unknown name 'heads'
#|     3 | const scale = 1.0 / heads
#|       |                     ^~~~~
