const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c]
m[t < T] = nograde(max(c) x[t, c])
logits = linear(x, w)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)

# ---- expected (mgc nograd_misspelt.mg -o OUT.c): exit 1, and on stderr: ----
#| nograd_misspelt.mg:7:12: error: unknown function 'nograde'; did you mean 'nograd'?
#|     7 | m[t < T] = nograde(max(c) x[t, c])
#|       |            ^~~~~~~~~~~~~~~~~~~~~~~
