# only the token sequence may be an integer input with a runtime length
dim T <= 8
input ys[T, 2] < 5
input zs[2, T]
param w[5] ~ zeros
loss = w[ys[0, 0]]

# ---- expected (mgc input_integer_runtime_length.mg -o OUT.c): exit 1, and on stderr: ----
#| input_integer_runtime_length.mg:3:10: error: an integer tensor input has constant extents; only the token sequence, as in 'input tokens[T + 1] < vocab', has a runtime length
#|     3 | input ys[T, 2] < 5
#|       |          ^
#| input_integer_runtime_length.mg:4:13: error: only the first axis of an input may have a runtime length
#|     4 | input zs[2, T]
#|       |             ^
