const n = 3
const n = 4
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)

# ---- expected (mgc redefined_const.mg -o OUT.c): exit 1, and on stderr: ----
#| redefined_const.mg:2:7: error: redefinition of 'n'
#|     2 | const n = 4
#|       |       ^~~~~
#| redefined_const.mg:1:7: note: 'n' was first defined here as a constant
#|     1 | const n = 3
#|       |       ^~~~~
