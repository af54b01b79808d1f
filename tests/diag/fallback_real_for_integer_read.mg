const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t - 1] else 0.5, c]
logits = linear(x, w)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)

# ---- expected (mgc fallback_real_for_integer_read.mg -o OUT.c): exit 1, and on stderr: ----
#| fallback_real_for_integer_read.mg:6:38: error: the fallback of a read of the integer tensor 'tokens' must be an integer expression, as its elements are
#|     6 | x[t < T, c] = wte[tokens[t - 1] else 0.5, c]
#|       |                                      ^~~
