const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[30, c]

# ---- expected (mgc const_index_out_of_range.mg -o OUT.c): exit 1, and on stderr: ----
#| const_index_out_of_range.mg:6:19: error: index 1 of 'wte' is out of range: it reaches 30 but the extent is 27
#|     6 | x[t < T, c] = wte[30, c]
#|       |                   ^~
#| const_index_out_of_range.mg:4:1: note: 'wte' defined here
#|     4 | param wte[vocab, 16] ~ gauss(0, 0.08)
#|       | ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
