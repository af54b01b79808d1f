const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c]
y = linear(x, w)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(y, targets)

# ---- expected (mgc missing_logits.mg -o OUT.c): exit 1, and on stderr: ----
#| missing_logits.mg:1:1: error: the model must define 'logits', the next-token scores of shape [T, 27]
#|     1 | const vocab = 27
#|       | ^
