const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c] * 1e

# ---- expected (mgc syntax_unterminated_number.mg -o OUT.c): exit 1, and on stderr: ----
#| syntax_unterminated_number.mg:6:35: error: exponent has no digits in number '1e'
#|     6 | x[t < T, c] = wte[tokens[t], c] * 1e
#|       |                                   ^~
