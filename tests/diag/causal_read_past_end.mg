const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c]
y[t < T, c < 16] = x[t + 1, c]

# ---- expected (mgc causal_read_past_end.mg -o OUT.c): exit 1, and on stderr: ----
#| causal_read_past_end.mg:7:22: error: index 1 of 'x' is out of range: it reaches 1 but the extent is T (here 1)
#|     7 | y[t < T, c < 16] = x[t + 1, c]
#|       |                      ^~~~~
#| causal_read_past_end.mg:7:22: note: with T = 1
#|     7 | y[t < T, c < 16] = x[t + 1, c]
#|       |                      ^~~~~
#| causal_read_past_end.mg:6:1: note: 'x' defined here
#|     6 | x[t < T, c] = wte[tokens[t], c]
#|       | ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
