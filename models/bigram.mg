# makemore's bigram model (part 1): a [vocab, vocab] table whose row for the
# current character holds the logits of the next one.  No embedding, no
# hidden layer: training it recovers the bigram counts' log-probabilities.

const vocab = 27            # 26 letters and BOS

dim T <= 16                 # positions per document (BOS + letters)
input tokens[T + 1] < vocab # BOS, the letters, BOS

param W[vocab, vocab] ~ gauss(0, 1)     # torch.randn((27, 27))

optimizer sgd(lr = 10.0, steps = 1000)

logits[t < T, j] = W[tokens[t], j]      # one-hot(tokens[t]) @ W: a row read
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
