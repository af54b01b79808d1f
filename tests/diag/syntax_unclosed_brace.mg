const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
fn f(a[N]) -> b[N] {
    b[i] = a[i] * 2
x[t < T, c] = wte[tokens[t], c]

# ---- expected (mgc syntax_unclosed_brace.mg -o OUT.c): exit 1, and on stderr: ----
#| syntax_unclosed_brace.mg:8:32: error: '}' expected (to close '{' at 6:20)
#|     8 | x[t < T, c] = wte[tokens[t], c]
#|       |                                ^
#| syntax_unclosed_brace.mg:6:20: note: to match this '{'
#|     6 | fn f(a[N]) -> b[N] {
#|       |                    ^
