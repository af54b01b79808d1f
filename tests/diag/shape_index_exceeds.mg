const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c]
logits[t < T, v < vocab] = x[t, v]

# ---- expected (mgc shape_index_exceeds.mg -o OUT.c): exit 1, and on stderr: ----
#| shape_index_exceeds.mg:6:33: error: index 2 of 'x' is out of range: it reaches 26 but the extent is 16
#|     6 | logits[t < T, v < vocab] = x[t, v]
#|       |                                 ^
#| shape_index_exceeds.mg:6:33: note: with T = 1
#|     6 | logits[t < T, v < vocab] = x[t, v]
#|       |                                 ^
#| shape_index_exceeds.mg:5:1: note: 'x' defined here
#|     5 | x[t < T, c] = wte[tokens[t], c]
#|       | ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
