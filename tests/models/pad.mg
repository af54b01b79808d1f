# Differential test model for reads past the edge, x[idx] else fallback
# (tests/diff/test_diff.c): makemore's context of three tokens with BOS before
# the start; real reads one step back and one step ahead in time, whose
# fallbacks are a parameter read and an expression of the index; a padded read
# inside a sum over a window of three; a padded read of an integer view; one
# in a function mapped over rows (a batch axis before the padded one); and one
# of a causal triangle, whose second axis's extent depends on the first index.
const vocab = 27, block_size = 6
const E = 3, H = 4
const BOS = vocab - 1
dim T <= block_size
input tokens[T + 1] < vocab

param C[vocab, E] ~ gauss(0, 0.5)
param W1[H, 3 * E] ~ gauss(0, 0.3)
param h0[H] ~ gauss(0, 0.5)
param k[3] ~ gauss(0, 0.5)
param P[vocab, H] ~ gauss(0, 0.3)
param W2[vocab, H] ~ gauss(0, 0.3)

x[t < T, j < 3 * E] = C[tokens[t - 2 + j // E] else BOS, j % E]
h[t < T, i < H] = tanh(sum(j) W1[i, j] * x[t, j])
back[t < T, i < H] = h[t - 1, i] else h0[i]
ahead[t < T, i < H] = h[t + 1, i] else (t * 0.25)
win[t < T, i < H] = sum(s < 3) k[s] * h[t - s, i] else 0.0
prev[t < T] = tokens[t]
p[t < T, i < H] = P[prev[t - 1] else BOS, i]
fn shift(x[N]) -> y[N] {
    y[n < N] = x[n - 1] else 0.5
}
hT[i < H, t < T] = h[t, i]
sh = shift(hT)
tri[t < T, s <= t] = h[s, 0] * h[t, 1]
c[t < T] = sum(s <= t) tri[t - 1, s] else 0.1
y[t < T, i < H] = back[t, i] * ahead[t, i] + win[t, i] + p[t, i] + sh[i, t] * c[t]
logits[t < T, v < vocab] = sum(i) W2[v, i] * y[t, i]
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
