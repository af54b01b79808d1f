const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w8[8, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c]
z[r < 8, c] = w8[r, c]
fn h(a[N], a[N]) -> o[N] {
    o[i] = a[i]
}
q = h(x, x)

# ---- expected (mgc call_param_twice.mg -o OUT.c): exit 1, and on stderr: ----
#| call_param_twice.mg:8:12: error: parameter 'a' is declared twice
#|     8 | fn h(a[N], a[N]) -> o[N] {
#|       |            ^~~~
