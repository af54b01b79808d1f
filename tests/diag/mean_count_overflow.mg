# each range is within the cap, but the number of terms of the mean is not:
# the statement would run more iterations than a statement may, one error
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param h[16, 64] ~ gauss(0, 0.08)
logits[t < T, v < vocab] = h[t, v]
loss = sum(t < T) logits[t, tokens[t + 1]]
x = mean(a < 100000000, b < 100000000, c < 100000000) h[0, 0]

# ---- expected (mgc mean_count_overflow.mg -o OUT.c): exit 1, and on stderr: ----
#| mean_count_overflow.mg:9:1: error: this statement would run more than 9223372036854775807 iterations at T = 16 (the product of its loops' ranges); the cap is 10^12
#|     9 | x = mean(a < 100000000, b < 100000000, c < 100000000) h[0, 0]
#|       | ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
#| mean_count_overflow.mg:9:5: note: in the loops of this part of it
#|     9 | x = mean(a < 100000000, b < 100000000, c < 100000000) h[0, 0]
#|       |     ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
