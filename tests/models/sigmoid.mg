# Differential test model for sigmoid(a) = 1 / (1 + exp(-a)), compiled and
# interpreted to the bit (tests/diff/test_diff.c): each gradient element has
# one path to the loss, through two sigmoids (derivative s * (1 - s)), with
# arguments from about -18 to 18 (w * 4), where exp(-a) is large or tiny.
const vocab = 27, block_size = 5
dim T <= block_size
input tokens[T + 1] < vocab

param w[block_size, vocab] ~ gauss(0, 1.5)

logits[t < T, v < vocab] = sigmoid(w[t, v] * 4) * 3
loss = sum(t < T, v < vocab) sigmoid(logits[t, v] - 1.5) * 0.1
