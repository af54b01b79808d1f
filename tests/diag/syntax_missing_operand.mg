const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c] +
logits = linear(x, w)

# ---- expected (mgc syntax_missing_operand.mg -o OUT.c): exit 1, and on stderr: ----
#| syntax_missing_operand.mg:6:34: error: unexpected end of line, expected expression
#|     6 | x[t < T, c] = wte[tokens[t], c] +
#|       |                                  ^
