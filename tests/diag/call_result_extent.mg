const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w8[8, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c]
z[r < 8, c] = w8[r, c]
fn h(a[N]) -> o[8] {
    o[i] = a[i]
}
q = h(x)

# ---- expected (mgc call_result_extent.mg -o OUT.c): exit 1, and on stderr: ----
#| call_result_extent.mg:8:15: error: result 'o' of 'h' has extent 16 on axis 1, but 8 is declared
#|     8 | fn h(a[N]) -> o[8] {
#|       |               ^~~~
#| call_result_extent.mg:11:5: note: in this call of h(a[T, 16])
#|    11 | q = h(x)
#|       |     ^~~~
