# a causal range broadcasts only against the same range: [T, T] is not [T, s <= t]
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c]
att[h < 2, t < T, s <= t] = sum(c) x[t, c] * x[s, c]
full[t < T, s < T] = (t - s) * 0.1
a = att + full
logits = linear(x, w)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)

# ---- expected (mgc broadcast_causal_mismatch.mg -o OUT.c): exit 1, and on stderr: ----
#| broadcast_causal_mismatch.mg:10:5: error: shape mismatch in '+': [2, T, axis1 + 1] and [T, T]: axis 3 is axis1 + 1 against T
#|    10 | a = att + full
#|       |     ^~~~~~~~~~
