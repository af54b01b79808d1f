# (t + big) + 1: the folded constant of a sum overflows
const p = (2147483647 + 1) * (2147483647 + 1)    # 2^62
const big = p - 1 + p                           # 2^63 - 1, INT64_MAX
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param h[16, 64] ~ gauss(0, 0.08)
logits[t < T, v < vocab] = h[t, v]
loss = sum(t < T) logits[t, tokens[t + 1]]
x[t < T] = h[t, t + big + 2]

# ---- expected (mgc index_sum_overflow.mg -o OUT.c): exit 1, and on stderr: ----
#| index_sum_overflow.mg:10:17: error: integer overflow in '+': it can exceed the range of a 64-bit integer
#|    10 | x[t < T] = h[t, t + big + 2]
#|       |                 ^~~~~~~
