const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c] * alpha + beta
logits = linear(x, omega)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)

# ---- expected (mgc unknown_names_all_reported.mg -o OUT.c): exit 1, and on stderr: ----
#| unknown_names_all_reported.mg:6:35: error: unknown name 'alpha'
#|     6 | x[t < T, c] = wte[tokens[t], c] * alpha + beta
#|       |                                   ^~~~~
#| unknown_names_all_reported.mg:6:43: error: unknown name 'beta'
#|     6 | x[t < T, c] = wte[tokens[t], c] * alpha + beta
#|       |                                           ^~~~
#| unknown_names_all_reported.mg:7:20: error: unknown name 'omega'
#|     7 | logits = linear(x, omega)
#|       |                    ^~~~~
