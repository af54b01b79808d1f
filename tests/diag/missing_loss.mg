const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c]
logits = linear(x, w)

# ---- expected (mgc missing_loss.mg -o OUT.c): exit 1, and on stderr: ----
#| missing_loss.mg:1:1: error: the model must define 'loss', the scalar to minimise
#|     1 | const vocab = 27
#|       | ^
