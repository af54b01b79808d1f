"""makemore's character-level RNN in PyTorch, float64: the reference for
models/rnn.mg, run by gradcheck.py on the checkpoints build/rnn saves.  An
nn.Embedding, one nn.RNN layer (tanh, h starting at 0) and an nn.Linear
output.  nn.RNN adds two biases where rnn.mg has one: bh is bias_ih_l0 and
bias_hh_l0 stays 0 (their sum is what counts).  Checkpoint names: wte, wxh
(weight_ih_l0), whh (weight_hh_l0), bh, why and by (the output's weight and
bias)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

N_EMBD, N_HIDDEN = 16, 64     # models/rnn.mg's constants


class RNN(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, N_EMBD)
        self.rnn = nn.RNN(N_EMBD, N_HIDDEN, nonlinearity='tanh', batch_first=True)
        self.lm_head = nn.Linear(N_HIDDEN, vocab_size)
        self.rnn.bias_hh_l0.requires_grad_(False)
        with torch.no_grad():
            self.rnn.bias_hh_l0.zero_()

    def forward(self, idx, targets):
        h, _ = self.rnn(self.wte(idx))                                     # (B, T, N_HIDDEN)
        logits = self.lm_head(h)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss


def from_checkpoint(tensors, block_size):
    model = RNN(tensors['wte'].shape[0])
    names = {'wte': model.wte.weight, 'wxh': model.rnn.weight_ih_l0, 'whh': model.rnn.weight_hh_l0,
             'bh': model.rnn.bias_ih_l0, 'why': model.lm_head.weight, 'by': model.lm_head.bias}
    assert sorted(names) == sorted(tensors), f"checkpoint holds {sorted(tensors)}"
    with torch.no_grad():
        for name, p in names.items():
            p.copy_(tensors[name])
    return model, names
