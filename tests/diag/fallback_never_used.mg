const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
const BOS = vocab - 1
x[t < T, c] = wte[tokens[t] else BOS, c]
y[t < T, c < 16] = x[t, c] else 0.0
logits = linear(y, w)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)

# ---- expected (mgc fallback_never_used.mg -o OUT.c): exit 0, and on stderr: ----
#| fallback_never_used.mg:7:19: warning: the index of 'tokens' never leaves its axis, so this fallback is never used
#|     7 | x[t < T, c] = wte[tokens[t] else BOS, c]
#|       |                   ^~~~~~~~~
#| fallback_never_used.mg:8:20: warning: the indices of 'x' never leave their axes, so this fallback is never used
#|     8 | y[t < T, c < 16] = x[t, c] else 0.0
#|       |                    ^~~~~~~
