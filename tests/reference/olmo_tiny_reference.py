#!/usr/bin/python3
"""Reference checkpoint and logits for OLMo (model_type "olmo"), which the shared data lacks.

Writes tests/data/models/olmo_tiny/{config.json, model.safetensors, ref/input_ids.json,
ref/logits.f32} in the layout of ../shared/data/models/*/ (Hugging Face names and config keys;
logits float32 little-endian [1, T, V], raw). tst_causal_lm's referenceLogits checks ckptlab
against it.

Plain torch only (Debian's python3-torch 1.13; no transformers). The forward is written after
Hugging Face's models/olmo/modeling_olmo.py (OlmoForCausalLM, the first OLMo: allenai/OLMo-1B-hf):
- OlmoLayerNorm: F.layer_norm in float32 without weight or bias, eps hard-coded to 1e-5
  (config has no eps key), before attention, before the MLP, and at the end;
- attention: separate q/k/v/o projections without bias (attention_bias false); with clip_qkv the
  projections are clamped to [-clip_qkv, clip_qkv] right after projecting, before the heads are
  split and before rotary; rotary over the whole head (rotate_half, inv_freq
  1/theta^(arange(0, d, 2)/d)); grouped-query attention: query head h reads key/value head
  h // (heads / kv_heads) (repeat_kv); scale 1/sqrt(head_dim); causal softmax in float32;
- MLP: down(silu(gate(x)) * up(x)); sequential residual;
- lm_head untied (tie_word_embeddings false).

The model is random (seed 2468, weights N(0, 0.1), like the shared references) and tiny:
vocab 512, hidden 64, 2 layers, 4 heads, 2 kv heads, intermediate 176, clip_qkv 1.0: the
projections of a layer-normed stream through N(0, 0.1) weights have a standard deviation of
about 0.8, so clipping changes a sizeable share of the q/k/v activations (counted and stored in
input_ids.json as clip_qkv_clipped_share).

Run: /usr/bin/python3 tests/reference/olmo_tiny_reference.py  (from the project root)
"""

import json
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_io import max_abs_diff, read_safetensors, rotate_half, rotary_cos_sin, write_safetensors  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(ROOT, "tests", "data", "models", "olmo_tiny")
SEED = 2468
INIT_STD = 0.1

CONFIG = {
    "architectures": ["OlmoForCausalLM"],
    "model_type": "olmo",
    "vocab_size": 512,
    "hidden_size": 64,
    "intermediate_size": 176,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "hidden_act": "silu",
    "max_position_embeddings": 128,
    "initializer_range": 0.02,
    "rope_theta": 10000.0,
    "rope_scaling": None,
    "attention_bias": False,
    "attention_dropout": 0.0,
    "clip_qkv": 1.0,
    "tie_word_embeddings": False,
    "use_cache": True,
    "pad_token_id": 1,
    "bos_token_id": None,
    "eos_token_id": 2,
    "torch_dtype": "float32",
}


def make_weights(c):
    g = torch.Generator().manual_seed(SEED)
    h, inner = c["hidden_size"], c["intermediate_size"]
    head_dim = h // c["num_attention_heads"]
    kv = c["num_key_value_heads"] * head_dim

    def rnd(*shape):
        return torch.randn(*shape, generator=g) * INIT_STD

    w = {"model.embed_tokens.weight": rnd(c["vocab_size"], h)}
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        w[p + "self_attn.q_proj.weight"] = rnd(h, h)
        w[p + "self_attn.k_proj.weight"] = rnd(kv, h)
        w[p + "self_attn.v_proj.weight"] = rnd(kv, h)
        w[p + "self_attn.o_proj.weight"] = rnd(h, h)
        w[p + "mlp.gate_proj.weight"] = rnd(inner, h)
        w[p + "mlp.up_proj.weight"] = rnd(inner, h)
        w[p + "mlp.down_proj.weight"] = rnd(h, inner)
    w["lm_head.weight"] = rnd(c["vocab_size"], h)
    return w


class Olmo:
    """HF OlmoForCausalLM forward; `bug` names one deliberate mistake (for bug sensitivity)."""

    def __init__(self, c, w, bug=None):
        self.c, self.w, self.bug = c, w, bug
        self.heads = c["num_attention_heads"]
        self.kv_heads = c["num_key_value_heads"]
        self.head_dim = c["hidden_size"] // self.heads
        self.clipped = 0
        self.clip_candidates = 0

    def norm(self, x):
        if self.bug == "rms_instead_of_layernorm":
            xf = x.float()
            return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + 1e-5)).to(x.dtype)
        eps = 1e-6 if self.bug == "eps_1e-6" else 1e-5
        return F.layer_norm(x.float(), (x.shape[-1],), None, None, eps=eps).to(x.dtype)

    def clip(self, t):
        clip = self.c["clip_qkv"]
        if clip is None or self.bug == "no_clip_qkv":
            return t
        self.clipped += int((t.abs() > clip).sum())
        self.clip_candidates += t.numel()
        return t.clamp(min=-clip, max=clip)

    def attention(self, x, p, cos, sin):
        b, t, _ = x.shape
        q = F.linear(x, self.w[p + "q_proj.weight"])
        k = F.linear(x, self.w[p + "k_proj.weight"])
        v = F.linear(x, self.w[p + "v_proj.weight"])
        if self.bug != "clip_after_rope":
            q, k, v = self.clip(q), self.clip(k), self.clip(v)
        q = q.view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = k.view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = v.view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        if self.bug == "rope_interleaved":
            def rot(x):
                x1, x2 = x[..., 0::2], x[..., 1::2]
                return torch.stack((-x2, x1), dim=-1).flatten(-2)
            cos_i = cos[..., : self.head_dim // 2].repeat_interleave(2, -1)
            sin_i = sin[..., : self.head_dim // 2].repeat_interleave(2, -1)
            q, k = q * cos_i + rot(q) * sin_i, k * cos_i + rot(k) * sin_i
        elif self.bug != "no_rope":
            q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        if self.bug == "clip_after_rope":
            q, k, v = self.clip(q), self.clip(k), self.clip(v)
        n_rep = self.heads // self.kv_heads
        if self.bug == "gqa_tile":
            k, v = k.repeat(1, n_rep, 1, 1), v.repeat(1, n_rep, 1, 1)
        else:  # HF repeat_kv: query head h uses kv head h // n_rep
            k, v = k.repeat_interleave(n_rep, dim=1), v.repeat_interleave(n_rep, dim=1)
        scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.head_dim)
        causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
        scores = scores.masked_fill(~causal, torch.finfo(scores.dtype).min)
        probs = torch.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
        out = torch.matmul(probs, v).transpose(1, 2).reshape(b, t, self.heads * self.head_dim)
        return F.linear(out, self.w[p + "o_proj.weight"])

    def mlp(self, x, p):
        gate, up = self.w[p + "gate_proj.weight"], self.w[p + "up_proj.weight"]
        if self.bug == "swap_gate_up":
            gate, up = up, gate
        return F.linear(F.silu(F.linear(x, gate)) * F.linear(x, up), self.w[p + "down_proj.weight"])

    def __call__(self, ids):
        b, t = ids.shape
        theta = 5e5 if self.bug == "theta_5e5" else self.c["rope_theta"]
        cos, sin = rotary_cos_sin(self.head_dim, theta, torch.arange(t).unsqueeze(0).expand(b, t))
        x = F.embedding(ids, self.w["model.embed_tokens.weight"])
        for i in range(self.c["num_hidden_layers"]):
            p = f"model.layers.{i}."
            x = x + self.attention(self.norm(x), p + "self_attn.", cos, sin)
            x = x + self.mlp(self.norm(x), p + "mlp.")
        x = self.norm(x)
        head = self.w["model.embed_tokens.weight"] if self.bug == "tied_head" else self.w["lm_head.weight"]
        return F.linear(x, head)


class LlamaCheck(Olmo):
    """The same attention, rotary, GQA and MLP code with Llama's RMSNorm (weights, rms_norm_eps)
    and no clip: checked against the shared llama_tiny_gqa reference, which an independent
    implementation wrote, before the OLMo reference is trusted."""

    def __init__(self, c, w):
        super().__init__(dict(c, clip_qkv=None), w)
        self.layer_norms = []

    def norm_with(self, x, weight):
        xf = x.float()
        return weight * (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.c["rms_norm_eps"])).to(x.dtype)

    def __call__(self, ids):
        b, t = ids.shape
        cos, sin = rotary_cos_sin(self.head_dim, self.c["rope_theta"], torch.arange(t).unsqueeze(0).expand(b, t))
        x = F.embedding(ids, self.w["model.embed_tokens.weight"])
        for i in range(self.c["num_hidden_layers"]):
            p = f"model.layers.{i}."
            x = x + self.attention(self.norm_with(x, self.w[p + "input_layernorm.weight"]), p + "self_attn.", cos, sin)
            x = x + self.mlp(self.norm_with(x, self.w[p + "post_attention_layernorm.weight"]), p + "mlp.")
        x = self.norm_with(x, self.w["model.norm.weight"])
        return F.linear(x, self.w["lm_head.weight"])


def check_against_shared_llama_reference():
    shared = os.path.join(ROOT, "..", "shared", "data", "models", "llama_tiny_gqa")
    with open(os.path.join(shared, "config.json")) as f:
        c = json.load(f)
    with open(os.path.join(shared, "ref", "input_ids.json")) as f:
        ref = json.load(f)
    with open(os.path.join(shared, "ref", "logits.f32"), "rb") as f:
        expected = torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(ref["logits_shape"])
    with torch.no_grad():
        logits = LlamaCheck(c, read_safetensors(os.path.join(shared, "model.safetensors")))(
            torch.tensor([ref["input_ids"]]))
    diff = max_abs_diff(logits, expected)
    print(f"shared llama_tiny_gqa through this file's attention/MLP code: max |diff| = {diff:.3g}")
    assert diff < 1e-5, diff


def greedy(model, ids, count):
    ids = list(ids)
    out, gaps = [], []
    for _ in range(count):
        logits = model(torch.tensor([ids]))[0, -1]
        top = torch.topk(logits, 2).values
        gaps.append(float(top[0] - top[1]))
        nxt = int(logits.argmax())
        out.append(nxt)
        ids.append(nxt)
    return out, min(gaps)


def main():
    torch.set_num_threads(1)
    check_against_shared_llama_reference()
    c = CONFIG
    w = make_weights(c)
    ids = torch.randint(0, c["vocab_size"], (24,), generator=torch.Generator().manual_seed(SEED + 1)).tolist()

    model = Olmo(c, w)
    with torch.no_grad():
        logits = model(torch.tensor([ids]))
        clipped_share = model.clipped / model.clip_candidates
        loss = float(F.cross_entropy(logits[0, :-1], torch.tensor(ids[1:])))
        continuation, min_gap = greedy(Olmo(c, w), ids, 8)
        sensitivity = {}
        for bug in ["no_clip_qkv", "clip_after_rope", "eps_1e-6", "rms_instead_of_layernorm", "gqa_tile",
                    "rope_interleaved", "no_rope", "swap_gate_up", "theta_5e5", "tied_head"]:
            sensitivity[bug] = max_abs_diff(Olmo(c, w, bug)(torch.tensor([ids])), logits)
    print(f"clip_qkv {c['clip_qkv']} clips {100 * clipped_share:.1f}% of the q/k/v activations")
    print(f"loss {loss:.6f}; greedy {continuation}, smallest top-1/top-2 logit gap {min_gap:.3g}")
    for k, v in sensitivity.items():
        print(f"{k:>26}: max |dlogit| {v:.3g}")
    assert clipped_share > 0.01, "clip_qkv clips (almost) nothing: lower it"
    assert min(sensitivity.values()) > 1e-3, "a mistake moves the logits by less than 1e-3"
    assert min_gap > 1e-3, "greedy decoding has a near tie: choose other ids"

    os.makedirs(os.path.join(OUT_DIR, "ref"), exist_ok=True)
    with open(os.path.join(OUT_DIR, "config.json"), "w") as f:
        json.dump(c, f, indent=2)
        f.write("\n")
    path = os.path.join(OUT_DIR, "model.safetensors")
    write_safetensors(path, sorted(w.items()))
    back = read_safetensors(path)
    roundtrip = sorted(back) == sorted(w) and all(torch.equal(back[n], w[n]) for n in w)
    assert roundtrip
    with open(os.path.join(OUT_DIR, "ref", "logits.f32"), "wb") as f:
        f.write(logits.contiguous().numpy().astype("<f4").tobytes())
    ref = {
        "input_ids": ids,
        "logits_shape": list(logits.shape),
        "logits_dtype": "float32 little-endian",
        "loss": loss,
        "loss_definition": "mean CE(logits[0,:-1], input_ids[1:]) == HF labels=input_ids",
        "greedy_continuation": continuation,
        "greedy_min_top2_gap": min_gap,
        "roundtrip_bit_exact": roundtrip,
        "logits_std": float(logits.std()),
        "clip_qkv_clipped_share": clipped_share,
        "bug_sensitivity_max_abs_dlogit": sensitivity,
        "torch": torch.__version__,
        "tensor_names": sorted(w),
        "n_params": sum(t.numel() for t in w.values()),
        "arch": "olmo",
        "seed": SEED,
        "init_std": INIT_STD,
        "notes": "written by tests/reference/olmo_tiny_reference.py (plain torch after HF modeling_olmo.py)",
    }
    with open(os.path.join(OUT_DIR, "ref", "input_ids.json"), "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(d, n)) for d, _, ns in os.walk(OUT_DIR) for n in ns)
    print(f"wrote {os.path.relpath(OUT_DIR, ROOT)} ({total} bytes)")


if __name__ == "__main__":
    main()
