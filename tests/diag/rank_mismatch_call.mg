const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c]
logits = linear(x, w[0])

# ---- expected (mgc rank_mismatch_call.mg -o OUT.c): exit 1, and on stderr: ----
#| rank_mismatch_call.mg:7:20: error: 'w' has 2 axes but is indexed with 1 index
#|     7 | logits = linear(x, w[0])
#|       |                    ^~~~
#| rank_mismatch_call.mg:5:1: note: 'w' defined here
#|     5 | param w[27, 16] ~ gauss(0, 0.08)
#|       | ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
