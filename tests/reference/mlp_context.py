"""makemore's MLP (part 2, Bengio et al. 2003) in PyTorch, float64: the
reference for models/mlp_context.mg, run by gradcheck.py on the checkpoints
build/mlp_context saves.  Each position reads the three tokens up to it, BOS
where they would come before the start (F.pad), embeds them with the
nn.Embedding C, and a tanh layer and an output layer, both nn.Linear, score
the next character.  Checkpoint names: C, W1 and b1 (the hidden layer's
weight and bias), W2 and b2 (the output layer's)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

CONTEXT, N_EMBD, N_HIDDEN = 3, 10, 200     # models/mlp_context.mg's constants


class MLP(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.C = nn.Embedding(vocab_size, N_EMBD)
        self.hidden = nn.Linear(CONTEXT * N_EMBD, N_HIDDEN)
        self.out = nn.Linear(N_HIDDEN, vocab_size)
        self.bos = vocab_size - 1

    def forward(self, idx, targets):
        B, T = idx.shape
        padded = F.pad(idx, (CONTEXT - 1, 0), value=self.bos)             # (B, CONTEXT - 1 + T)
        ctx = padded.unfold(1, CONTEXT, 1)                                 # (B, T, CONTEXT): oldest first
        x = self.C(ctx).view(B, T, CONTEXT * N_EMBD)
        logits = self.out(torch.tanh(self.hidden(x)))
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss


def from_checkpoint(tensors, block_size):
    model = MLP(tensors['C'].shape[0])
    names = {'C': model.C.weight, 'W1': model.hidden.weight, 'b1': model.hidden.bias,
             'W2': model.out.weight, 'b2': model.out.bias}
    assert sorted(names) == sorted(tensors), f"checkpoint holds {sorted(tensors)}"
    with torch.no_grad():
        for name, p in names.items():
            p.copy_(tensors[name])
    return model, names
