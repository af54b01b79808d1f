# a misspelt optimizer is told the nearest one
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
optimizer adamm(lr = 0.1)

# ---- expected (mgc bad_optimizer_typo.mg -o OUT.c): exit 1, and on stderr: ----
#| bad_optimizer_typo.mg:7:1: error: unknown optimizer 'adamm'; did you mean 'adam'?
#|     7 | optimizer adamm(lr = 0.1)
#|       | ^~~~~~~~~~~~~~~~~~~~~~~~~
