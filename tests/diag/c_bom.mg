# A UTF-8 byte order mark comes first: mgc skips it
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
param extra[4] ~ zeros
x[t < T, c] = wte[tokens[t], c]
logits = linear(x, w)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)

# ---- expected (mgc c_bom.mg -o OUT.c): exit 0, and on stderr: ----
#| c_bom.mg:7:1: warning: parameter 'extra' is never used
#|     7 | param extra[4] ~ zeros
#|       | ^~~~~~~~~~~~~~~~~~~~~~
