# constants that fold to inf or NaN are errors, as 4 / 0 is
const inv = 1.0 / 0.0
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param h[16, 27] ~ gauss(0, 0.08)
logits[t < T, v < vocab] = h[t, v]
loss = sum(t < T) logits[t, tokens[t + 1]] * log(0.0)
z = h[0, 0] * 0 ^ -1
w = h[0, 0] * exp(1000)

# ---- expected (mgc nonfinite_constants.mg -o OUT.c): exit 1, and on stderr: ----
#| nonfinite_constants.mg:2:13: error: this constant is inf; a constant must be a finite number
#|     2 | const inv = 1.0 / 0.0
#|       |             ^~~~~~~~~
#| nonfinite_constants.mg:8:46: error: this constant is -inf; a constant must be a finite number
#|     8 | loss = sum(t < T) logits[t, tokens[t + 1]] * log(0.0)
#|       |                                              ^~~~~~~~
#| nonfinite_constants.mg:9:15: error: this constant is inf; a constant must be a finite number
#|     9 | z = h[0, 0] * 0 ^ -1
#|       |               ^~~~~~
#| nonfinite_constants.mg:10:15: error: this constant is inf; a constant must be a finite number
#|    10 | w = h[0, 0] * exp(1000)
#|       |               ^~~~~~~~~
