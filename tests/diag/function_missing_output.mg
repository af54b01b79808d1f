const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
fn f(a[N]) -> b[N] {
    c[i] = a[i]
}
x[t < T, c] = wte[tokens[t], c]
y = f(x)

# ---- expected (mgc function_missing_output.mg -o OUT.c): exit 1, and on stderr: ----
#| function_missing_output.mg:6:15: error: 'f' never assigns its result 'b'
#|     6 | fn f(a[N]) -> b[N] {
#|       |               ^~~~
