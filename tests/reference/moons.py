"""models/moons.mg in PyTorch (float64): micrograd's demo, MLP(2, [16, 16, 1]),
ReLU, the max-margin loss with y in {-1, +1} and alpha = 1e-4 times the sum of
every parameter squared.  Run by examples.py."""
import torch

OPTIMIZER = ('sgd', {})


def loss(p, d):
    h1 = torch.relu(d['x'] @ p['w1'].T + p['b1'])
    h2 = torch.relu(h1 @ p['w2'].T + p['b2'])
    score = (h2 @ p['w3'].T + p['b3'])[:, 0]
    sign = 2 * d['y'] - 1
    data_loss = torch.relu(1 - sign * score).mean()
    reg = sum((v * v).sum() for k, v in p.items())
    return data_loss + 1e-4 * reg
