const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
wte = wte * 2

# ---- expected (mgc assign_to_param.mg -o OUT.c): exit 1, and on stderr: ----
#| assign_to_param.mg:6:1: error: cannot assign to 'wte': it is a parameter
#|     6 | wte = wte * 2
#|       | ^~~~~~~~~~~~~
#| assign_to_param.mg:4:1: note: 'wte' defined here
#|     4 | param wte[vocab, 16] ~ gauss(0, 0.08)
#|       | ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
