const vocab = 27
const n_embd = 16, n_head = 3
const head_dim = n_embd / n_head
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, n_embd] ~ gauss(0, 0.08)
param wq[n_embd, head_dim] ~ gauss(0, 0.08)

# ---- expected (mgc dim_does_not_divide.mg -o OUT.c): exit 1, and on stderr: ----
#| dim_does_not_divide.mg:7:18: error: a parameter's extent must be an integer, but 5.33333 is a real number
#|     7 | param wq[n_embd, head_dim] ~ gauss(0, 0.08)
#|       |                  ^~~~~~~~
