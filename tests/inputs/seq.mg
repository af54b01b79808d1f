# a runtime-length real input and a label (tests/inputs)
dim T <= 5
input xs[T, 3]
input y < 2
param w[2, 3] ~ gauss(0, 1)
s[c < 2] = sum(t < T, i < 3) w[c, i] * xs[t, i]
loss = log(exp(s[0]) + exp(s[1])) - s[y]
