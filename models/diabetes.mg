# A regression: sklearn's diabetes data (442 patients, 10 measurements, a
# measure of the disease a year later; from Debian's python3-sklearn), a
# linear model and the squared error.  The converter standardises the
# features and the target:
#   build/mgc-sklearn diabetes -o diabetes.csv && build/diabetes train --data diabetes.csv --batch 442
input x[10]                     # age, sex, bmi, bp, s1 .. s6
input t                         # the target

param w[10] ~ zeros
param b[1] ~ zeros

logits[k < 1] = (sum(i < 10) w[i] * x[i]) + b[k]   # the prediction (what predict reports)
loss = (logits[0] - t) * (logits[0] - t)           # the mean over a batch is PyTorch's mse_loss

optimizer sgd(lr = 0.1, steps = 200, decay = none)
