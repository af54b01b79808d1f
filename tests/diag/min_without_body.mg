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
#| min_without_body.mg:7:13: error: 'min' with one argument is neither the call, which takes 2, nor the reduction, which needs its body after the brackets: min(i < n) x[i]
#|     7 | lo[t < T] = min(c < 16)
#|       |             ^~~~~~~~~~~
