# Differential test model for sqrt(a), compiled and interpreted to the bit
# (tests/diff/test_diff.c): each gradient element has one path to the loss
# (or two equal ones, from w * w), so no sum of three or more terms can
# round differently in the two orders of accumulation.
const vocab = 27, block_size = 5
dim T <= block_size
input tokens[T + 1] < vocab

param w[block_size, vocab] ~ gauss(1, 0.5)

logits[t < T, v < vocab] = sqrt(w[t, v] * w[t, v] + 0.5)
loss = sum(t < T, v < vocab) sqrt(logits[t, v]) * 0.1
