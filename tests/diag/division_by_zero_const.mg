const a = 4 / 0
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)

# ---- expected (mgc division_by_zero_const.mg -o OUT.c): exit 1, and on stderr: ----
#| division_by_zero_const.mg:1:11: error: division by zero
#|     1 | const a = 4 / 0
#|       |           ^~~~~
