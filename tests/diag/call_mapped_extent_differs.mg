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
q = g(x, z)

# ---- expected (mgc call_mapped_extent_differs.mg -o OUT.c): exit 1, and on stderr: ----
#| call_mapped_extent_differs.mg:11:10: error: argument 2 of 'g' is mapped over an axis of extent 8, but argument 1 over T
#|    11 | q = g(x, z)
#|       |          ^
