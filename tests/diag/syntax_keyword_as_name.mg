const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
param = 3

# ---- expected (mgc syntax_keyword_as_name.mg -o OUT.c): exit 1, and on stderr: ----
#| syntax_keyword_as_name.mg:6:7: error: unexpected '=', expected identifier
#|     6 | param = 3
#|       |       ^
