const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c] @ 2

# ---- expected (mgc syntax_bad_character.mg -o OUT.c): exit 1, and on stderr: ----
#| syntax_bad_character.mg:6:33: error: unexpected character '@'
#|     6 | x[t < T, c] = wte[tokens[t], c] @ 2
#|       |                                 ^
