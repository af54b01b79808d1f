const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t] % 0, c]

# ---- expected (mgc modulo_by_zero.mg -o OUT.c): exit 1, and on stderr: ----
#| modulo_by_zero.mg:6:19: error: the right operand of '%' must be a positive constant
#|     6 | x[t < T, c] = wte[tokens[t] % 0, c]
#|       |                   ^~~~~~~~~~~~~
