# a label's range is known: reading a row past the end of 'w' is refused
input x[2]
input y < 3
param w[2, 2] ~ gauss(0, 0.1)
loss = -w[y, 0] * x[0]

# ---- expected (mgc input_label_index_out_of_range.mg -o OUT.c): exit 1, and on stderr: ----
#| input_label_index_out_of_range.mg:5:11: error: index 1 of 'w' is out of range: it reaches 2 but the extent is 2
#|     5 | loss = -w[y, 0] * x[0]
#|       |           ^
#| input_label_index_out_of_range.mg:4:1: note: 'w' defined here
#|     4 | param w[2, 2] ~ gauss(0, 0.1)
#|       | ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~
