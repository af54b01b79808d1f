"""The tutorial's Step-2 MLP (REFERENCE.md), printing full-precision losses.
usage: python3 mlp.py NAMES.txt > mlp_names_seed42.txt"""
import random
import sys

from value import Value, softmax, linear, load_docs

random.seed(42)
docs = load_docs(sys.argv[1])
random.shuffle(docs)
uchars = sorted(set(''.join(docs)))
BOS = len(uchars)
vocab_size = len(uchars) + 1
n_embd, n_hidden = 16, 64
matrix = lambda nout, nin, std=0.08: [[Value(random.gauss(0, std)) for _ in range(nin)] for _ in range(nout)]
state_dict = {'wte': matrix(vocab_size, n_embd), 'mlp_fc1': matrix(n_hidden, n_embd),
              'mlp_fc2': matrix(vocab_size, n_hidden)}
params = [p for mat in state_dict.values() for row in mat for p in row]


def mlp(token_id):
    x = state_dict['wte'][token_id]
    h = [hi.relu() for hi in linear(x, state_dict['mlp_fc1'])]
    return linear(h, state_dict['mlp_fc2'])


num_steps = 1000
learning_rate = 1.0
for step in range(num_steps):
    doc = docs[step % len(docs)]
    tokens = [BOS] + [uchars.index(ch) for ch in doc] + [BOS]
    n = len(tokens) - 1
    losses = []
    for pos_id in range(n):
        probs = softmax(mlp(tokens[pos_id]))
        losses.append(-probs[tokens[pos_id + 1]].log())
    loss = (1 / n) * sum(losses)
    loss.backward()
    lr_t = learning_rate * (1 - step / num_steps)
    for p in params:
        p.data -= lr_t * p.grad
        p.grad = 0
    print(f"step {step+1:4d} / {num_steps:4d} | loss {loss.data:.4f} | {loss.data!r}", flush=True)

temperature = 0.5
for sample_idx in range(20):
    token_id = BOS
    sample = []
    for pos_id in range(16):
        probs = softmax([l / temperature for l in mlp(token_id)])
        token_id = random.choices(range(vocab_size), weights=[p.data for p in probs])[0]
        if token_id == BOS:
            break
        sample.append(uchars[token_id])
    print(f"sample {sample_idx+1:2d}: {''.join(sample)}")
