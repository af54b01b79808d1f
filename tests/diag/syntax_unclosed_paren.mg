const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = (wte[tokens[t], c] * 2
logits = linear(x, w)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)

# ---- expected (mgc syntax_unclosed_paren.mg -o OUT.c): exit 1, and on stderr: ----
#| syntax_unclosed_paren.mg:6:37: error: ')' expected (to close '(' at 6:15)
#|     6 | x[t < T, c] = (wte[tokens[t], c] * 2
#|       |                                     ^
#| syntax_unclosed_paren.mg:6:15: note: to match this '('
#|     6 | x[t < T, c] = (wte[tokens[t], c] * 2
#|       |               ^
