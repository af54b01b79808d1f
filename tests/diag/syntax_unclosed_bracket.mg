const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c
logits = linear(x, w)

# ---- expected (mgc syntax_unclosed_bracket.mg -o OUT.c): exit 1, and on stderr: ----
#| syntax_unclosed_bracket.mg:6:31: error: ']' expected (to close '[' at 6:18)
#|     6 | x[t < T, c] = wte[tokens[t], c
#|       |                               ^
#| syntax_unclosed_bracket.mg:6:18: note: to match this '['
#|     6 | x[t < T, c] = wte[tokens[t], c
#|       |                  ^
