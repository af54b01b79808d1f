const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t + 2], c]

# ---- expected (mgc token_read_out_of_range.mg -o OUT.c): exit 1, and on stderr: ----
#| token_read_out_of_range.mg:6:26: error: index 1 of 'tokens' is out of range: it reaches 2 but the extent is T + 1 (here 2)
#|     6 | x[t < T, c] = wte[tokens[t + 2], c]
#|       |                          ^~~~~
#| token_read_out_of_range.mg:6:26: note: with T = 1
#|     6 | x[t < T, c] = wte[tokens[t + 2], c]
#|       |                          ^~~~~
#| token_read_out_of_range.mg:3:1: note: 'tokens' defined here
#|     3 | input tokens[T + 1] < vocab
#|       | ^~~~~~~~~~~~~~~~~~~~~~~~~~~
