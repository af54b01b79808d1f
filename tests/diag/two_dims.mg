const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
dim S <= 4

# ---- expected (mgc two_dims.mg -o OUT.c): exit 1, and on stderr: ----
#| two_dims.mg:6:1: error: only one runtime length is supported; 'T' was declared already
#|     6 | dim S <= 4
#|       | ^~~~~~~~~~
#| two_dims.mg:2:1: note: declared here
#|     2 | dim T <= 16
#|       | ^~~~~~~~~~~
