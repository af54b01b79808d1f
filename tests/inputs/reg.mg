# a linear regression with the squared error (tests/inputs)
input x
input t
param a[1] ~ gauss(0, 1)
param b[1] ~ zeros
loss = (a[0] * x + b[0] - t) ^ 2
