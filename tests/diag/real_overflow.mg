const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c] * 1e999

# ---- expected (mgc real_overflow.mg -o OUT.c): exit 1, and on stderr: ----
#| real_overflow.mg:6:35: error: real literal '1e999' is too large
#|     6 | x[t < T, c] = wte[tokens[t], c] * 1e999
#|       |                                   ^~~~~
