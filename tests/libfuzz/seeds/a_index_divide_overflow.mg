# INT64_MIN / -1 in an element expression (folded by trace, not const_eval)
const p = (2147483647 + 1) * (2147483647 + 1)    # 2^62
const low = -p - p                              # -2^63, INT64_MIN
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
logits[t < T, v < vocab] = wte[tokens[t], 0] * (low / -1)
