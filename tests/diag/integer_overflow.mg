const big = 99999999999999999999999
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)

# ---- expected (mgc integer_overflow.mg -o OUT.c): exit 1, and on stderr: ----
#| integer_overflow.mg:1:13: error: integer literal '99999999999999999999999' is too large
#|     1 | const big = 99999999999999999999999
#|       |             ^~~~~~~~~~~~~~~~~~~~~~~
