"""makemore's bigram model (part 1) in PyTorch, float64: the reference for
models/bigram.mg, run by gradcheck.py on the checkpoints build/bigram saves.
Its one tensor W is the checkpoint's W (27 x 27): row a holds the logits of
the character after a."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Bigram(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.W = nn.Parameter(torch.randn(vocab_size, vocab_size, dtype=torch.float64))

    def forward(self, idx, targets):
        xenc = F.one_hot(idx, num_classes=self.W.shape[0]).double()  # (B, T, vocab)
        logits = xenc @ self.W                                       # (B, T, vocab)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss


def from_checkpoint(tensors, block_size):
    model = Bigram(tensors['W'].shape[0])
    model.load_state_dict(tensors)
    return model, dict(model.named_parameters())
