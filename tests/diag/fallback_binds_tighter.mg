const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t - 1] else vocab - 1, c]
logits = linear(x, w)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)

# ---- expected (mgc fallback_binds_tighter.mg -o OUT.c): exit 1, and on stderr: ----
#| fallback_binds_tighter.mg:6:19: error: index 1 of 'wte' can be negative (as low as -1)
#|     6 | x[t < T, c] = wte[tokens[t - 1] else vocab - 1, c]
#|       |                   ^~~~~~~~~~~~~~~~~~~~~~~~~~~~
#| fallback_binds_tighter.mg:6:19: note: with T = 1
#|     6 | x[t < T, c] = wte[tokens[t - 1] else vocab - 1, c]
#|       |                   ^~~~~~~~~~~~~~~~~~~~~~~~~~~~
#| fallback_binds_tighter.mg:4:1: note: 'wte' defined here
#|     4 | param wte[vocab, 16] ~ gauss(0, 0.08)
#|       | ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
#| fallback_binds_tighter.mg:6:19: note: 'else' binds tighter than '-', so the fallback is 'vocab' and '- 1' applies to the read as well; write 'else (vocab - 1)'
#|     6 | x[t < T, c] = wte[tokens[t - 1] else vocab - 1, c]
#|       |                   ^~~~~~~~~~~~~~~~~~~~~~~~~~~~
