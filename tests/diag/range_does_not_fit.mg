const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < 20, c] = wte[tokens[t], c]

# ---- expected (mgc range_does_not_fit.mg -o OUT.c): exit 1, and on stderr: ----
#| range_does_not_fit.mg:6:27: error: index 1 of 'tokens' is out of range: it reaches 19 but the extent is T + 1 (here 2)
#|     6 | x[t < 20, c] = wte[tokens[t], c]
#|       |                           ^
#| range_does_not_fit.mg:6:27: note: with T = 1
#|     6 | x[t < 20, c] = wte[tokens[t], c]
#|       |                           ^
#| range_does_not_fit.mg:3:1: note: 'tokens' defined here
#|     3 | input tokens[T + 1] < vocab
#|       | ^~~~~~~~~~~~~~~~~~~~~~~~~~~
