"""What the reference scripts read from mgc's files, and how they run it:
one safetensors reader (mgc writes F64 tensors only) and one command runner.
Imported by the scripts beside it (Python puts a script's folder first on
sys.path); needs only the standard library."""
import json
import struct
import subprocess
import sys


def read_safetensors(path):
    """({name: (shape, flat tuple of floats)}, metadata) of a safetensors file of
    F64 tensors; an empty tensor has an empty tuple."""
    with open(path, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop('__metadata__', {})
    body = raw[8 + n:]
    tensors = {}
    for name, t in header.items():
        assert t['dtype'] == 'F64', f"{path}: {name} is {t['dtype']}, not F64"
        lo, hi = t['data_offsets']
        tensors[name] = (t['shape'], struct.unpack('<%dd' % ((hi - lo) // 8), body[lo:hi]))
    return tensors, meta


def read_torch(path):
    """(tensors by name as float64 torch tensors, metadata) of a safetensors file."""
    import torch
    tensors, meta = read_safetensors(path)
    return {k: torch.tensor(flat, dtype=torch.float64).reshape(shape) for k, (shape, flat) in tensors.items()}, meta


def run(cmd):
    """cmd's standard output; exits with its standard error if it fails."""
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {r.returncode}:\n{r.stderr}")
    return r.stdout
