const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
param wte[vocab, 16] ~ gauss(0, 0.08)

# ---- expected (mgc redefined_param.mg -o OUT.c): exit 1, and on stderr: ----
#| redefined_param.mg:6:1: error: redefinition of 'wte'
#|     6 | param wte[vocab, 16] ~ gauss(0, 0.08)
#|       | ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
#| redefined_param.mg:4:1: note: 'wte' was first defined here as a parameter
#|     4 | param wte[vocab, 16] ~ gauss(0, 0.08)
#|       | ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
