# a real input is not an index: a label is declared with its range
input x
param w[4] ~ zeros
loss = w[x]

# ---- expected (mgc input_real_as_index.mg -o OUT.c): exit 1, and on stderr: ----
#| input_real_as_index.mg:4:10: error: an index must be an integer expression
#|     4 | loss = w[x]
#|       |          ^
#| input_real_as_index.mg:2:1: note: 'x' is a real input; an integer label is declared with its range, as in 'input x < 10'
#|     2 | input x
#|       | ^~~~~~~
