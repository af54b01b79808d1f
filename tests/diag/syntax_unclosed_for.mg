const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c]
for l < 3 {
    for m < 3 {
        x = x * 1
    }


# ---- expected (mgc syntax_unclosed_for.mg -o OUT.c): exit 1, and on stderr: ----
#| syntax_unclosed_for.mg:10:6: error: '}' expected (to close '{' at 7:11)
#|    10 |     }
#|       |      ^
#| syntax_unclosed_for.mg:7:11: note: to match this '{'
#|     7 | for l < 3 {
#|       |           ^
