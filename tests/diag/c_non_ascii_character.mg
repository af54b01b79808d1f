const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c] é 2

# ---- expected (mgc c_non_ascii_character.mg -o OUT.c): exit 1, and on stderr: ----
#| c_non_ascii_character.mg:6:33: error: unexpected character 'é' (U+00E9)
#|     6 | x[t < T, c] = wte[tokens[t], c] é 2
#|       |                                 ^
