"""A character-level LSTM in PyTorch, float64: the reference for
models/lstm.mg, run by gradcheck.py on the checkpoints build/lstm saves.  An
nn.Embedding, PyTorch's LSTM cell stepped over the positions (h and c
starting at 0) and an nn.Linear output.  PyTorch's LSTM (nn.LSTM and
nn.LSTMCell alike) is
    i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)     f, g (tanh) and o alike
    c' = f * c + i * g
    h' = o * tanh(c')
as lstm.mg writes it.  lstm.mg keeps each gate's tensors apart (wi, ui, bi
for i, and so on for f, g, o), so they are parameters here too, and forward
stacks them in PyTorch's (i, f, g, o) row order into the cell's weight_ih,
weight_hh and bias_ih and runs it with those (functional_call).  bias_hh,
which only adds to bias_ih, is 0.  The cell and not nn.LSTM: torch 1.13's
functional_call leaves nn.LSTM running on its own flattened weights."""
import torch
import torch.nn as nn
import torch.nn.functional as F

try:
    from torch.func import functional_call
except ImportError:                         # torch before 2.0
    from torch.nn.utils.stateless import functional_call

N_EMBD, N_HIDDEN = 16, 64     # models/lstm.mg's constants
GATES = 'ifgo'                # nn.LSTM's order of the gates in its stacked tensors


class LSTM(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, N_EMBD)
        self.lstm = nn.LSTMCell(N_EMBD, N_HIDDEN)
        self.lm_head = nn.Linear(N_HIDDEN, vocab_size)
        self.gate = nn.ParameterDict()
        for g in GATES:
            self.gate['w' + g] = nn.Parameter(torch.empty(N_HIDDEN, N_EMBD))
            self.gate['u' + g] = nn.Parameter(torch.empty(N_HIDDEN, N_HIDDEN))
            self.gate['b' + g] = nn.Parameter(torch.empty(N_HIDDEN))

    def forward(self, idx, targets):
        stack = lambda kind: torch.cat([self.gate[kind + g] for g in GATES])
        weights = {'weight_ih': stack('w'), 'weight_hh': stack('u'), 'bias_ih': stack('b'),
                   'bias_hh': torch.zeros(len(GATES) * N_HIDDEN)}
        x = self.wte(idx)                                                  # (B, T, N_EMBD)
        h = c = torch.zeros(x.size(0), N_HIDDEN)
        hs = []
        for t in range(x.size(1)):
            h, c = functional_call(self.lstm, weights, (x[:, t], (h, c)))
            hs.append(h)
        logits = self.lm_head(torch.stack(hs, dim=1))
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss


def from_checkpoint(tensors, block_size):
    model = LSTM(tensors['wte'].shape[0])
    names = {'wte': model.wte.weight, 'why': model.lm_head.weight, 'by': model.lm_head.bias, **model.gate}
    assert sorted(names) == sorted(tensors), f"checkpoint holds {sorted(tensors)}"
    with torch.no_grad():
        for name, p in names.items():
            p.copy_(tensors[name])
    return model, names
