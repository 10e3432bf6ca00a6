"""Small helpers shared by the reference scripts in this folder (plain Python + torch).

safetensors is read and written by hand (an 8-byte little-endian header length, a JSON header
of name -> dtype/shape/data_offsets, then the raw little-endian bytes), so the scripts need
nothing beyond Debian's python3-torch.
"""

import json
import struct

import torch

_DTYPES = {"F32": (torch.float32, 4)}


def read_safetensors(path):
    """name -> float32 tensor (a copy that owns its memory)."""
    with open(path, "rb") as f:
        data = f.read()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_len].decode("utf-8"))
    base = 8 + header_len
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in _DTYPES:
            raise ValueError(f"{path}: {name}: dtype {info['dtype']} not handled")
        dtype, size = _DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        count = (end - begin) // size
        buf = bytearray(data[base + begin:base + end])
        t = torch.frombuffer(buf, dtype=dtype, count=count) if count else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(info["shape"]).clone()
    return out


def write_safetensors(path, tensors):
    """tensors: list of (name, float32 tensor), written in that order, HF-style header."""
    header = {}
    blobs = []
    offset = 0
    for name, t in tensors:
        raw = t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)  # align the data to 8 bytes, as the reference writer does
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def rotate_half(x):
    """HF rotate_half: cat(-x2, x1) of the two halves of the last dimension."""
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rotary_cos_sin(dim, base, positions):
    """HF rotary tables in float32: inv_freq = 1 / base^(arange(0, dim, 2) / dim),
    emb = cat(freqs, freqs). positions [B, T] -> cos, sin [B, 1, T, dim]."""
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    freqs = positions.float().unsqueeze(-1) * inv_freq
    emb = torch.cat((freqs, freqs), dim=-1).unsqueeze(1)
    return emb.cos(), emb.sin()


def max_abs_diff(a, b):
    return float((a.float() - b.float()).abs().max())
