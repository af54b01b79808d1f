# a label's range is a positive integer constant
input a < 0
input b < 2.5
input c[0]
param w[2] ~ zeros
loss = w[0]

# ---- expected (mgc input_bad_range.mg -o OUT.c): exit 1, and on stderr: ----
#| input_bad_range.mg:2:11: error: the range of an integer input must be between 1 and 100000000, got 0
#|     2 | input a < 0
#|       |           ^
#| input_bad_range.mg:3:11: error: the range of an integer input must be an integer, but 2.5 is a real number
#|     3 | input b < 2.5
#|       |           ^~~
#| input_bad_range.mg:4:9: error: the input's extent must be at least 1
#|     4 | input c[0]
#|       |         ^
