const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w8[8, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c]
z[r < 8, c] = w8[r, c]
fn g(a[N], b[N]) -> o[N] {
    o[i] = a[i] + b[i]
}
y[s < 2, t < T, c] = x[t, c]
q = g(y, x)

# ---- expected (mgc call_mapped_axes_differ.mg -o OUT.c): exit 1, and on stderr: ----
#| call_mapped_axes_differ.mg:12:10: error: arguments of 'g' are mapped over different numbers of axes (2 and 1)
#|    12 | q = g(y, x)
#|       |          ^
