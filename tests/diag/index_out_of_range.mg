const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c < 16] = wte[tokens[t], c + 1]

# ---- expected (mgc index_out_of_range.mg -o OUT.c): exit 1, and on stderr: ----
#| index_out_of_range.mg:6:35: error: index 2 of 'wte' is out of range: it reaches 16 but the extent is 16
#|     6 | x[t < T, c < 16] = wte[tokens[t], c + 1]
#|       |                                   ^~~~~
#| index_out_of_range.mg:6:35: note: with T = 1
#|     6 | x[t < T, c < 16] = wte[tokens[t], c + 1]
#|       |                                   ^~~~~
#| index_out_of_range.mg:4:1: note: 'wte' defined here
#|     4 | param wte[vocab, 16] ~ gauss(0, 0.08)
#|       | ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
