# mgfuzz-seed: 102489
# Found by mgfuzz (seed 102489, shrunk): not a compiler bug but a flaw in the
# check.  Every logit of a row is the same x * x, so d(loss)/d(logits) sums to
# zero over the row and dwpe is a sum of terms that cancel: the compiled code
# gets exactly 0, the interpreter (adding in another order) a rounding residue
# (-2.8e73 in the unshrunk program, where the terms were about 1e73).  The
# driver now judges each gradient relative to the sum of the magnitudes of its
# chain-rule terms (the interpreter's absolute mode), so this passes, while
# scaling any backward term by 1 + 1e-9 still fails.
const vocab = 5
const block_size = 2
const n0 = 1
dim T <= block_size
input tokens[T + 1] < vocab
param wpe[block_size, n0] ~ gauss(0, 0.5)
x[t < T, c < n0] = (1 + wpe[t, c])
logits[t < T, v < vocab] = (x[t, (t + 1) % n0] * x[t, (t + 1) % n0])
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
