const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c]
logits = x
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)

# ---- expected (mgc logits_wrong_shape.mg -o OUT.c): exit 1, and on stderr: ----
#| logits_wrong_shape.mg:9:8: error: in this call of cross_entropy(logits[T, 16], targets[T]): index 2 of 'p' is out of range: it reaches 26 but the extent is 16
#|     9 | loss = cross_entropy(logits, targets)
#|       |        ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
#| prelude.mg:28:30: note: inside 'cross_entropy', here
#|    28 |     loss = mean(t) -log(p[t, targets[t]])
#|       |                              ^~~~~~~~~~
#| prelude.mg:28:30: note: with T = 1
#|    28 |     loss = mean(t) -log(p[t, targets[t]])
#|       |                              ^~~~~~~~~~
#| prelude.mg:27:5: note: 'p' defined here
#|    27 |     p = softmax(logits)
#|       |     ^~~~~~~~~~~~~~~~~~~
