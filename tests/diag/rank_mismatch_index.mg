const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c, 0]

# ---- expected (mgc rank_mismatch_index.mg -o OUT.c): exit 1, and on stderr: ----
#| rank_mismatch_index.mg:6:15: error: 'wte' has 2 axes but is indexed with 3 indexes
#|     6 | x[t < T, c] = wte[tokens[t], c, 0]
#|       |               ^~~~~~~~~~~~~~~~~~~~
#| rank_mismatch_index.mg:4:1: note: 'wte' defined here
#|     4 | param wte[vocab, 16] ~ gauss(0, 0.08)
#|       | ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
