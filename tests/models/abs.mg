# Differential test model for abs(a), compiled and interpreted to the bit
# (tests/diff/test_diff.c): each gradient element has one path to the loss,
# through two abs, so both signs of its derivative (sign(a), 0 at 0) are
# multiplied in.  w[0, 0] = 0 is the kink: its gradient must be exactly 0.
const vocab = 27, block_size = 5
dim T <= block_size
input tokens[T + 1] < vocab

param w[block_size, vocab] ~ gauss(0, 0.5)

logits[t < T, v < vocab] = abs(w[t, v]) * 2 - 1
loss = sum(t < T, v < vocab) abs(logits[t, v] - 0.5) * 0.1
