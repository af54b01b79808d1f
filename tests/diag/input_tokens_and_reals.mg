# a model reads one token sequence or inputs of other kinds, not both
const vocab = 27
dim T <= 8
input tokens[T + 1] < vocab
input x[2]
param w[27, 2] ~ gauss(0, 0.1)
loss = w[tokens[0], 0] * x[0]

# ---- expected (mgc input_tokens_and_reals.mg -o OUT.c): exit 1, and on stderr: ----
#| input_tokens_and_reals.mg:5:1: error: a model reads either one token sequence or inputs of other kinds (reals, labels), not both
#|     5 | input x[2]
#|       | ^~~~~~~~~~
#| input_tokens_and_reals.mg:4:1: note: 'tokens' declared here
#|     4 | input tokens[T + 1] < vocab
#|       | ^~~~~~~~~~~~~~~~~~~~~~~~~~~
