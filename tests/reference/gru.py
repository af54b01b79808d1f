"""A character-level GRU in PyTorch, float64: the reference for models/gru.mg,
run by gradcheck.py on the checkpoints build/gru saves.  An nn.Embedding,
PyTorch's GRU cell stepped over the positions (h starting at 0) and an
nn.Linear output.  PyTorch's GRU (nn.GRU and nn.GRUCell alike) is
    r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
    z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
    h' = (1 - z) * n + z * h
as gru.mg writes it.  gru.mg keeps each gate's tensors apart (wr, ur, br for
r; wz, uz, bz; wn, un, bn and bhn, which is b_hn inside r * (...)), so they
are parameters here too, and forward stacks them in PyTorch's (r, z, n) row
order into the cell's weight_ih, weight_hh, bias_ih and bias_hh and runs it
with those (functional_call).  b_hr and b_hz, which only add to b_ir and
b_iz, are 0.  The cell and not nn.GRU: torch 1.13's functional_call leaves
nn.GRU running on its own flattened weights."""
import torch
import torch.nn as nn
import torch.nn.functional as F

try:
    from torch.func import functional_call
except ImportError:                         # torch before 2.0
    from torch.nn.utils.stateless import functional_call

N_EMBD, N_HIDDEN = 16, 64     # models/gru.mg's constants
GATES = 'rzn'                 # nn.GRU's order of the gates in its stacked tensors


class GRU(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, N_EMBD)
        self.gru = nn.GRUCell(N_EMBD, N_HIDDEN)
        self.lm_head = nn.Linear(N_HIDDEN, vocab_size)
        self.gate = nn.ParameterDict()
        for g in GATES:
            self.gate['w' + g] = nn.Parameter(torch.empty(N_HIDDEN, N_EMBD))
            self.gate['u' + g] = nn.Parameter(torch.empty(N_HIDDEN, N_HIDDEN))
            self.gate['b' + g] = nn.Parameter(torch.empty(N_HIDDEN))
        self.gate['bhn'] = nn.Parameter(torch.empty(N_HIDDEN))

    def forward(self, idx, targets):
        stack = lambda kind: torch.cat([self.gate[kind + g] for g in GATES])
        zero = torch.zeros(N_HIDDEN)
        weights = {'weight_ih': stack('w'), 'weight_hh': stack('u'), 'bias_ih': stack('b'),
                   'bias_hh': torch.cat([zero, zero, self.gate['bhn']])}
        x = self.wte(idx)                                                  # (B, T, N_EMBD)
        h, hs = torch.zeros(x.size(0), N_HIDDEN), []
        for t in range(x.size(1)):
            h = functional_call(self.gru, weights, (x[:, t], h))
            hs.append(h)
        logits = self.lm_head(torch.stack(hs, dim=1))
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss


def from_checkpoint(tensors, block_size):
    model = GRU(tensors['wte'].shape[0])
    names = {'wte': model.wte.weight, 'why': model.lm_head.weight, 'by': model.lm_head.bias, **model.gate}
    assert sorted(names) == sorted(tensors), f"checkpoint holds {sorted(tensors)}"
    with torch.no_grad():
        for name, p in names.items():
            p.copy_(tensors[name])
    return model, names
