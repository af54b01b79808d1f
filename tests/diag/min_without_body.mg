const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c]
lo[t < T] = min(c < 16)
logits = linear(x, w)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)

# ---- expected (mgc min_without_body.mg -o OUT.c): exit 1, and on stderr: ----
#| min_without_body.mg:7:24: error: unexpected end of line, expected expression
#|     7 | lo[t < T] = min(c < 16)
#|       |                        ^
