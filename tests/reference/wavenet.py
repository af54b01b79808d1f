"""makemore part 5's hierarchical model in PyTorch, float64, written with the
lecture's layers (Embedding, FlattenConsecutive, Linear, Tanh) and
nn.LayerNorm where the lecture has BatchNorm1d: the reference for
models/wavenet.mg, run by gradcheck.py on the checkpoints build/wavenet saves.
Each position t reads the 8 tokens idx[t - 7 .. t], BOS (vocab - 1) where
they would come before the start.  Checkpoint names are the .mg file's: emb,
then W1 b1 g1 beta1 (the first level's Linear and LayerNorm) to level 3, Wout bout."""
import torch
import torch.nn as nn
import torch.nn.functional as F

CONTEXT, N_EMBD, N_HIDDEN = 8, 10, 68   # models/wavenet.mg's constants


class FlattenConsecutive(nn.Module):
    """(B, K, C) -> (B, K // n, C * n), squeezing a middle axis of 1, as the lecture's."""
    def __init__(self, n):
        super().__init__()
        self.n = n

    def forward(self, x):
        B, K, C = x.shape
        x = x.view(B, K // self.n, C * self.n)
        return x.squeeze(1) if x.shape[1] == 1 else x


class WaveNet(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.bos = vocab_size - 1
        self.emb = nn.Embedding(vocab_size, N_EMBD)
        layers, fan_in = [], N_EMBD
        for _ in range(3):
            layers += [FlattenConsecutive(2), nn.Linear(2 * fan_in, N_HIDDEN), nn.LayerNorm(N_HIDDEN), nn.Tanh()]
            fan_in = N_HIDDEN
        self.levels = nn.Sequential(*layers)
        self.out = nn.Linear(N_HIDDEN, vocab_size)

    def forward(self, idx, targets):
        B, T = idx.shape
        padded = F.pad(idx, (CONTEXT - 1, 0), value=self.bos)   # BOS before the start
        ctx = padded.unfold(1, CONTEXT, 1)                       # (B, T, CONTEXT): idx[t - 7 .. t]
        x = self.emb(ctx.reshape(B * T, CONTEXT))                # (B * T, 8, N_EMBD)
        logits = self.out(self.levels(x)).view(B, T, -1)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss


def from_checkpoint(tensors, block_size):
    model = WaveNet(tensors['emb'].shape[0])
    names = {'emb': model.emb.weight, 'Wout': model.out.weight, 'bout': model.out.bias}
    for level in range(3):
        linear, norm = model.levels[4 * level + 1], model.levels[4 * level + 2]
        n = level + 1
        names |= {f'W{n}': linear.weight, f'b{n}': linear.bias, f'g{n}': norm.weight, f'beta{n}': norm.bias}
    assert sorted(names) == sorted(tensors), f"checkpoint holds {sorted(tensors)}"
    with torch.no_grad():
        for name, p in names.items():
            p.copy_(tensors[name])
    return model, names
