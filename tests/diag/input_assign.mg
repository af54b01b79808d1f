# an input is given, not computed
input x[2]
param w[2] ~ zeros
x = w * 2
loss = sum(i) w[i] * x[i]

# ---- expected (mgc input_assign.mg -o OUT.c): exit 1, and on stderr: ----
#| input_assign.mg:4:1: error: cannot assign to 'x': it is a real input
#|     4 | x = w * 2
#|       | ^~~~~~~~~
#| input_assign.mg:2:1: note: 'x' defined here
#|     2 | input x[2]
#|       | ^~~~~~~~~~
