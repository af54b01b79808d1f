const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c]
logits = linear(x, w)
loss = logits

# ---- expected (mgc loss_not_scalar.mg -o OUT.c): exit 1, and on stderr: ----
#| loss_not_scalar.mg:8:1: error: 'loss' must be a scalar, but it has shape [T, 27]
#|     8 | loss = logits
#|       | ^~~~~~~~~~~~~
