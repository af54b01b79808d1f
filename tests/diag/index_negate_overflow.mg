# -low in an index expression: the negation itself overflows
const p = (2147483647 + 1) * (2147483647 + 1)    # 2^62
const low = -p - p                              # -2^63, INT64_MIN
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param h[16, 64] ~ gauss(0, 0.08)
logits[t < T, v < vocab] = h[t, v]
loss = sum(t < T) logits[t, tokens[t + 1]]
x[t < T] = h[t, -low - 1]

# ---- expected (mgc index_negate_overflow.mg -o OUT.c): exit 1, and on stderr: ----
#| index_negate_overflow.mg:10:17: error: integer overflow in '-': it can exceed the range of a 64-bit integer
#|    10 | x[t < T] = h[t, -low - 1]
#|       |                 ^~~~
