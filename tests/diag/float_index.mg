const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c < 16] = wte[tokens[t], c * 0.5]

# ---- expected (mgc float_index.mg -o OUT.c): exit 1, and on stderr: ----
#| float_index.mg:6:35: error: an index must be an integer expression
#|     6 | x[t < T, c < 16] = wte[tokens[t], c * 0.5]
#|       |                                   ^~~~~~~
