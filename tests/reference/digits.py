"""models/digits.mg in PyTorch (float64): the 8x8 image flattened row by row,
64 -> 32 (ReLU) -> 10, cross-entropy, Adam.  Run by examples.py."""
import torch
import torch.nn.functional as F

OPTIMIZER = ('adam', {'betas': (0.9, 0.999), 'eps': 1e-8})


def loss(p, d):
    h = torch.relu(d['img'] @ p['w1'].T + p['b1'])
    return F.cross_entropy(h @ p['w2'].T + p['b2'], d['y'].long())
