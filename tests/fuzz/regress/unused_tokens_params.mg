# mgfuzz-seed: 5
# Found by mgfuzz (seed 5, and many more): when the logits (or the loss) read
# neither the parameters nor the tokens, the emitted fz_forward had an unused
# parameter 'tokens'/'params', a warning, so -Werror builds failed.  Fixed in
# emit_c.c: each function body says (void)params; / (void)tokens; when its code
# never names them.
const vocab = 3
const block_size = 3
dim T <= block_size
input tokens[T + 1] < vocab
param w[2] ~ gauss(0, 1)
logits[t < T, v < vocab] = ((t + v) * 0.5)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets) + 0 * w[0]
