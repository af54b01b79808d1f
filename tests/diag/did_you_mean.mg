# a misspelt name or function is told the nearest one in scope, a builtin
# element op or a prelude function included ("did you mean 'tanh'?"); a name
# near no other, and a one- or two-letter name, get no suggestion
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param lm_head[vocab, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c]
h = tahn(x)
p = sofmax(x)
logits = linear(x, lm_haed)
z = x * zzzzzz
u = x * hh
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)

# ---- expected (mgc did_you_mean.mg -o OUT.c): exit 1, and on stderr: ----
#| did_you_mean.mg:10:5: error: unknown function 'tahn'; did you mean 'tanh'?
#|    10 | h = tahn(x)
#|       |     ^~~~~~~
#| did_you_mean.mg:11:5: error: unknown function 'sofmax'; did you mean 'softmax'?
#|    11 | p = sofmax(x)
#|       |     ^~~~~~~~~
#| did_you_mean.mg:12:20: error: unknown name 'lm_haed'; did you mean 'lm_head'?
#|    12 | logits = linear(x, lm_haed)
#|       |                    ^~~~~~~
#| did_you_mean.mg:13:9: error: unknown name 'zzzzzz'
#|    13 | z = x * zzzzzz
#|       |         ^~~~~~
#| did_you_mean.mg:14:9: error: unknown name 'hh'
#|    14 | u = x * hh
#|       |         ^~
