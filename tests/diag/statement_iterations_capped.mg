# a statement's loops run at most 10^12 times in all (each range is at most
# 10^8, but not their product): the product of its ranges, reductions
# included, at T = its bound, overflow-checked; z is exactly at the cap
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param h[16, 64] ~ gauss(0, 0.08)
logits[t < T, v < vocab] = h[t, v]
loss = sum(t < T) logits[t, tokens[t + 1]]
x = sum(a < 100000000, b < 100000000, c < 100000000) h[0, 0]
y[t < T, c < 64] = h[t, c] * sum(a < 10000, b < 10000, s < 10001) h[0, 0]
u = sum(t < T, a < 100000000, b < 1000) h[0, 0]
z = sum(a < 10000, b < 10000, s < 10000) h[0, 0]

# ---- expected (mgc statement_iterations_capped.mg -o OUT.c): exit 1, and on stderr: ----
#| statement_iterations_capped.mg:10:1: error: this statement would run more than 9223372036854775807 iterations at T = 16 (the product of its loops' ranges); the cap is 10^12
#|    10 | x = sum(a < 100000000, b < 100000000, c < 100000000) h[0, 0]
#|       | ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
#| statement_iterations_capped.mg:11:1: error: this statement would run 1000100000000 iterations at T = 16 (the product of its loops' ranges); the cap is 10^12
#|    11 | y[t < T, c < 64] = h[t, c] * sum(a < 10000, b < 10000, s < 10001) h[0, 0]
#|       | ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
#| statement_iterations_capped.mg:11:30: note: in the loops of this part of it
#|    11 | y[t < T, c < 64] = h[t, c] * sum(a < 10000, b < 10000, s < 10001) h[0, 0]
#|       |                              ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
#| statement_iterations_capped.mg:12:1: error: this statement would run 1600000000000 iterations at T = 16 (the product of its loops' ranges); the cap is 10^12
#|    12 | u = sum(t < T, a < 100000000, b < 1000) h[0, 0]
#|       | ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
