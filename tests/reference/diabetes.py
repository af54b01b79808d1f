"""models/diabetes.mg in PyTorch (float64): a linear model and the mean
squared error, SGD.  Run by examples.py."""
import torch.nn.functional as F

OPTIMIZER = ('sgd', {})


def loss(p, d):
    return F.mse_loss(d['x'] @ p['w'] + p['b'][0], d['t'])
