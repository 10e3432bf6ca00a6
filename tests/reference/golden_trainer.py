#!/usr/bin/python3
"""Golden reference for ckptlab's fine-tuning trainer (core/engine/Trainer.cpp, TrainerStep.cpp).

Loads the shared tiny GPT-NeoX checkpoint (../shared/data/models/neox_tiny), fine-tunes it for
exactly 5 AdamW optimizer steps the way ckptlab's trainer does, and writes
tests/data/golden/neox_tiny_5_steps.json: the settings, the examples (fixed token ids; no
tokenizer), the data order, and per step the loss, learning rate and gradient norm, then the sum
and absolute sum (float64) of every weight tensor after the 5 steps. tst_golden_trainer checks
ckptlab against it.

Plain torch only (Debian's python3-torch 1.13; no transformers): the GPT-NeoX forward below is
written after Hugging Face's modeling_gpt_neox.py (fused per-head qkv, partial rotary with
rotary_pct, parallel residual, exact GELU, untied embed_out) and is first checked against the
shared reference logits (max |diff| < 1e-5).

The training side follows Hugging Face / PyTorch semantics, which ckptlab's trainer documents:
- every example is prompt + completion (EOS already appended); the loss of an optimizer step is
  the mean cross-entropy over the completion tokens of all its examples (labels -100 on prompt
  and padding; the first token of a sequence has no label); micro-batches are right-padded
  (id 0, attention mask 0) and each micro-batch's summed loss / (all loss tokens of the step) is
  back-propagated, so accumulation gives the gradient of the whole step;
- sequences longer than max_length lose prompt tokens on the left, then the completion's end;
- torch.optim.AdamW with two groups: tensors of dim >= 2 decay, vectors (biases, norm weights)
  do not;
- Hugging Face's get_linear_schedule_with_warmup (LambdaLR), warm-up steps
  ceil(warmup_ratio x total steps) as TrainingArguments.get_warmup_steps computes them;
- torch.nn.utils.clip_grad_norm_ to max_grad_norm before every step;
- the data order: one epoch in the order ckptlab's epochOrder(n, seed, 0) gives (splitmix64
  Fisher-Yates, reproduced below bit for bit and stored in the JSON; the C++ test checks that the
  engine still gives that order before comparing numbers).

Settings: 13 examples, 1 epoch, effective batch 3 run as micro-batches of 2 (padding) + 1
(accumulation) -> ceil(13 / 3) = 5 optimizer steps, the last holding 1 example; warm-up ratio
0.3 -> ceil(1.5) = 2 warm-up steps (lr 0, lr/2, then lr, 2/3 lr, 1/3 lr); lr 1e-3; weight
decay 0.1; max_grad_norm 6.0: the gradient norms are 4.97, 5.43, 6.17, 6.60, 15.8, so steps 0
and 1 run unclipped and steps 2-4 are clipped (both branches; the script asserts that some step
clips and some does not); max_length 24 (one example is cut); one example has an empty prompt;
AdamW eps 1e-5 rather than the usual 1e-8, see below.

Why eps 1e-5: GPT-NeoX's key bias in the non-rotary dimensions gets a gradient that is exactly
zero in exact arithmetic (adding the same number to every score of a query does not change the
softmax), so in float32 it is pure rounding noise (~1e-10 here). Adam divides by sqrt(v) + eps,
which turns that noise into updates of up to ~lr x noise / (noise + eps): with eps 1e-8 two
equally correct computations (the same steps run as micro-batches of 1 or of 3) already differ
by ~4e-4 of a tensor's absolute sum, far more than the test's 1e-5. With eps 1e-5 the noise moves
the checksums by ~2e-7 (bug_sensitivity.rounding_only_* in the JSON) while the real gradients
(median ~2e-3 per element) are barely damped, and a wrong eps (1e-8) is still caught.

Run: /usr/bin/python3 tests/reference/golden_trainer.py  (from the project root)
"""

import json
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_io import max_abs_diff, read_safetensors, rotate_half, rotary_cos_sin  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODEL_DIR = os.path.join(ROOT, "..", "shared", "data", "models", "neox_tiny")
OUT = os.path.join(ROOT, "tests", "data", "golden", "neox_tiny_5_steps.json")

SETTINGS = {
    "epochs": 1,
    "learning_rate": 1e-3,
    "effective_batch": 3,
    "micro_batch": 2,
    "warmup_ratio": 0.3,
    "weight_decay": 0.1,
    "beta1": 0.9,
    "beta2": 0.999,
    "adam_eps": 1e-5,
    "max_grad_norm": 6.0,
    "max_length": 24,
    "seed": 42,
}
EOS = 0  # neox_tiny's eos_token_id


# --- GPT-NeoX (Hugging Face modeling_gpt_neox.py, float32) ---------------------------------

class NeoX(torch.nn.Module):
    def __init__(self, config, weights):
        super().__init__()
        self.c = config
        self.heads = config["num_attention_heads"]
        self.head_size = config["hidden_size"] // self.heads
        self.rotary_ndims = int(self.head_size * config["rotary_pct"])
        self.eps = config["layer_norm_eps"]
        self.parallel = config["use_parallel_residual"]
        # HF names kept as the parameter names ('.' is not allowed in a Module attribute).
        self.names = sorted(weights)
        self.params = torch.nn.ParameterDict(
            {n.replace(".", "/"): torch.nn.Parameter(w.clone()) for n, w in weights.items()})

    def w(self, name):
        return self.params[name.replace(".", "/")]

    def named_hf_parameters(self):
        return [(n, self.w(n)) for n in self.names]

    def ln(self, x, prefix):
        return F.layer_norm(x, (x.shape[-1],), self.w(prefix + ".weight"), self.w(prefix + ".bias"), self.eps)

    def linear(self, x, prefix):
        return F.linear(x, self.w(prefix + ".weight"), self.w(prefix + ".bias"))

    def attention(self, x, prefix, cos, sin, mask_value_mask):
        b, t, _ = x.shape
        hs = self.head_size
        qkv = self.linear(x, prefix + ".query_key_value").view(b, t, self.heads, 3 * hs)
        q = qkv[..., :hs].permute(0, 2, 1, 3)
        k = qkv[..., hs:2 * hs].permute(0, 2, 1, 3)
        v = qkv[..., 2 * hs:].permute(0, 2, 1, 3)
        r = self.rotary_ndims
        q_rot, q_pass = q[..., :r], q[..., r:]
        k_rot, k_pass = k[..., :r], k[..., r:]
        q = torch.cat((q_rot * cos + rotate_half(q_rot) * sin, q_pass), dim=-1)
        k = torch.cat((k_rot * cos + rotate_half(k_rot) * sin, k_pass), dim=-1)
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(hs)
        scores = scores.masked_fill(~mask_value_mask, torch.finfo(scores.dtype).min)
        probs = torch.softmax(scores, dim=-1)
        out = torch.matmul(probs, v).permute(0, 2, 1, 3).reshape(b, t, self.heads * hs)
        return self.linear(out, prefix + ".dense")

    def mlp(self, x, prefix):
        return self.linear(F.gelu(self.linear(x, prefix + ".dense_h_to_4h")), prefix + ".dense_4h_to_h")

    def forward(self, ids, attention_mask=None):
        b, t = ids.shape
        if attention_mask is None:
            attention_mask = torch.ones(b, t, dtype=torch.long)
        keep = attention_mask.bool()
        # right padding only: real tokens sit at positions 0..n-1 (HF's default position ids)
        positions = torch.arange(t).unsqueeze(0).expand(b, t)
        cos, sin = rotary_cos_sin(self.rotary_ndims, self.c["rotary_emb_base"], positions)
        causal = torch.tril(torch.ones(t, t, dtype=torch.bool)).view(1, 1, t, t)
        allowed = causal & keep.view(b, 1, 1, t)
        x = F.embedding(ids, self.w("gpt_neox.embed_in.weight"))
        for i in range(self.c["num_hidden_layers"]):
            p = f"gpt_neox.layers.{i}"
            attn = self.attention(self.ln(x, p + ".input_layernorm"), p + ".attention", cos, sin, allowed)
            if self.parallel:
                x = x + attn + self.mlp(self.ln(x, p + ".post_attention_layernorm"), p + ".mlp")
            else:
                x = x + attn
                x = x + self.mlp(self.ln(x, p + ".post_attention_layernorm"), p + ".mlp")
        x = self.ln(x, "gpt_neox.final_layer_norm")
        return F.linear(x, self.w("embed_out.weight"))


def load_model():
    with open(os.path.join(MODEL_DIR, "config.json")) as f:
        config = json.load(f)
    weights = read_safetensors(os.path.join(MODEL_DIR, "model.safetensors"))
    return config, NeoX(config, weights)


def check_against_shared_reference(model):
    with open(os.path.join(MODEL_DIR, "ref", "input_ids.json")) as f:
        ref = json.load(f)
    shape = ref["logits_shape"]
    with open(os.path.join(MODEL_DIR, "ref", "logits.f32"), "rb") as f:
        expected = torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(shape)
    with torch.no_grad():
        logits = model(torch.tensor([ref["input_ids"]]))
    diff = max_abs_diff(logits, expected)
    print(f"neox_tiny forward vs shared reference logits: max |diff| = {diff:.3g}")
    assert diff < 1e-5, diff
    n_params = sum(p.numel() for p in model.parameters())
    assert n_params == ref["n_params"], (n_params, ref["n_params"])


# --- ckptlab's data order (engine/SeededRandom.h, Trainer.cpp epochOrder) -------------------

M64 = (1 << 64) - 1


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & M64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return state, z ^ (z >> 31)


def bounded_random(state, bound):
    limit = M64 - M64 % bound
    while True:
        state, r = splitmix64(state)
        if r < limit:
            return state, r % bound


def epoch_order(n, seed, epoch):
    order = list(range(n))
    state = (seed ^ ((0xA24BAED4963EE407 * (epoch + 1)) & M64)) & M64
    for i in range(n, 1, -1):
        state, j = bounded_random(state, i)
        order[i - 1], order[j] = order[j], order[i - 1]
    return order


# --- the training data: fixed token ids ------------------------------------------------------

def make_examples():
    """13 examples, prompt ids + completion ids with EOS appended; lengths 3..27 tokens."""
    g = torch.Generator().manual_seed(2024)
    prompt_lengths = [5, 3, 9, 0, 12, 4, 7, 21, 2, 6, 10, 1, 8]
    completion_lengths = [2, 4, 1, 5, 3, 2, 6, 5, 3, 1, 4, 2, 3]  # before EOS
    examples = []
    for lp, lc in zip(prompt_lengths, completion_lengths):
        prompt = torch.randint(1, 512, (lp,), generator=g).tolist()
        completion = torch.randint(1, 512, (lc,), generator=g).tolist() + [EOS]
        examples.append({"prompt": prompt, "completion": completion})
    return examples


def fit_to_length(example, max_length):
    """TrainerStep.cpp fitToLength: drop prompt tokens from the left, then the completion's end."""
    prompt, completion = list(example["prompt"]), list(example["completion"])
    excess = len(prompt) + len(completion) - max_length
    cut = excess > 0
    if cut:
        from_prompt = min(excess, len(prompt))
        prompt = prompt[from_prompt:]
        excess -= from_prompt
        if excess > 0:
            completion = completion[:len(completion) - excess]
    return {"prompt": prompt, "completion": completion}, cut


def completion_loss_sum(model, batch):
    """Summed CE over the completion tokens of a right-padded micro-batch, and their count."""
    width = max(len(e["prompt"]) + len(e["completion"]) for e in batch)
    ids = torch.zeros(len(batch), width, dtype=torch.long)
    mask = torch.zeros(len(batch), width, dtype=torch.long)
    labels = torch.full((len(batch), width), -100, dtype=torch.long)
    count = 0
    for i, e in enumerate(batch):
        seq = e["prompt"] + e["completion"]
        ids[i, :len(seq)] = torch.tensor(seq)
        mask[i, :len(seq)] = 1
        for j in range(len(e["prompt"]), len(seq)):
            if j > 0:
                labels[i, j] = seq[j]
                count += 1
    logits = model(ids, mask)
    loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1),
                           ignore_index=-100, reduction="sum")
    return loss, count


# --- training ---------------------------------------------------------------------------------

def train(model, examples, s, order, modify=None):
    """Returns per-step losses, learning rates, grad norms (before clipping). `modify` lets the
    bug-sensitivity runs change one setting."""
    s = dict(s)
    if modify:
        s.update(modify)
    fitted = [fit_to_length(e, s["max_length"])[0] for e in examples]
    batch_size = s["effective_batch"]
    total = math.ceil(len(fitted) / batch_size) * s["epochs"]
    warmup = math.ceil(total * s["warmup_ratio"])

    decay = [p for _, p in model.named_hf_parameters() if p.dim() >= 2]
    no_decay = [p for _, p in model.named_hf_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": s["weight_decay"]},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=s["learning_rate"], betas=(s["beta1"], s["beta2"]), eps=s["adam_eps"])

    def lr_lambda(step):  # transformers.get_linear_schedule_with_warmup
        if step < warmup:
            return float(step) / float(max(1, warmup))
        return max(0.0, float(total - step) / float(max(1, total - warmup)))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)
    model.train()
    losses, lrs, norms = [], [], []
    for begin in range(0, len(order), batch_size):
        batch = [fitted[i] for i in order[begin:begin + batch_size]]
        lrs.append(opt.param_groups[0]["lr"])
        opt.zero_grad(set_to_none=True)
        loss_tokens = sum(max(0, len(e["completion"]) - (1 if not e["prompt"] else 0)) for e in batch)
        total_loss = 0.0
        for mb in range(0, len(batch), s["micro_batch"]):
            loss_sum, count = completion_loss_sum(model, batch[mb:mb + s["micro_batch"]])
            if count == 0:
                continue
            (loss_sum / loss_tokens).backward()
            total_loss += float(loss_sum)
        losses.append(total_loss / loss_tokens)
        max_norm = s["max_grad_norm"] if s["max_grad_norm"] > 0 else float("inf")
        norms.append(float(torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)))
        opt.step()
        sched.step()
    assert len(losses) == total
    return losses, lrs, norms, total, warmup


def checksums(model):
    out = {}
    for name, p in model.named_hf_parameters():
        w = p.detach().double()
        out[name] = {"sum": float(w.sum()), "abs_sum": float(w.abs().sum()), "numel": p.numel()}
    return out


def max_rel_checksum_change(a, b):
    """The measure tst_golden_trainer bounds by 1e-5: |difference| / sum of |w| of the tensor,
    for both the sum and the absolute sum."""
    worst = 0.0
    for name in a:
        for key in ("sum", "abs_sum"):
            worst = max(worst, abs(a[name][key] - b[name][key]) / a[name]["abs_sum"])
    return worst


def main():
    torch.set_num_threads(1)
    torch.manual_seed(SETTINGS["seed"])
    config, model = load_model()
    check_against_shared_reference(model)
    initial = checksums(model)

    examples = make_examples()
    order = epoch_order(len(examples), SETTINGS["seed"], 0)
    truncated = sum(fit_to_length(e, SETTINGS["max_length"])[1] for e in examples)
    losses, lrs, norms, total, warmup = train(model, examples, SETTINGS, order)
    final = checksums(model)
    clipped_steps = [i for i, n in enumerate(norms) if n > SETTINGS["max_grad_norm"]]
    assert total == 5 and warmup == 2, (total, warmup)
    assert clipped_steps, "max_grad_norm never clips: choose a smaller one"
    assert len(clipped_steps) < len(norms), "max_grad_norm clips every step: choose a larger one"
    assert truncated == 1
    moved = max(abs(final[n]["abs_sum"] - initial[n]["abs_sum"]) / initial[n]["abs_sum"] for n in final)
    print("losses", losses)
    print("lrs", lrs)
    print("grad norms", norms, "clipped at steps", clipped_steps)
    print(f"largest relative abs-sum change of a tensor over training: {moved:.3g}")

    # How far typical trainer mistakes move the results (the C++ test's tolerance is 1e-5).
    sensitivity = {}
    for label, modify in [("lr_x1.01", {"learning_rate": 1.01e-3}), ("no_weight_decay", {"weight_decay": 0.0}),
                          ("no_clipping", {"max_grad_norm": 0.0}), ("adam_eps_1e-8", {"adam_eps": 1e-8}),
                          ("rounding_only_micro_batch_1", {"micro_batch": 1}),
                          ("rounding_only_micro_batch_3", {"micro_batch": 3})]:
        _, m = load_model()
        l2, _, _, _, _ = train(m, examples, SETTINGS, order, modify)
        sensitivity[label] = {
            "max_rel_loss_change": max(abs(x - y) / abs(y) for x, y in zip(l2, losses)),
            "max_rel_checksum_change": max_rel_checksum_change(final, checksums(m)),
        }
    for label, order2 in [("reversed_order", order[::-1])]:
        _, m = load_model()
        l2, _, _, _, _ = train(m, examples, SETTINGS, order2)
        sensitivity[label] = {
            "max_rel_loss_change": max(abs(x - y) / abs(y) for x, y in zip(l2, losses)),
            "max_rel_checksum_change": max_rel_checksum_change(final, checksums(m)),
        }
    for k, v in sensitivity.items():
        print(f"{k:>16}: loss {v['max_rel_loss_change']:.3g}, checksums {v['max_rel_checksum_change']:.3g}")

    doc = {
        "description": "ckptlab golden trainer reference: neox_tiny fine-tuned for 5 AdamW steps by "
                       "tests/reference/golden_trainer.py (plain torch, HF GPT-NeoX forward, torch.optim.AdamW, "
                       "HF linear warm-up schedule, clip_grad_norm_). Regenerate with that script.",
        "model": "models/neox_tiny (shared data)",
        "torch": torch.__version__,
        "settings": SETTINGS,
        "eos_token_id": EOS,
        "examples": examples,
        "data_order": order,
        "data_order_note": "epochOrder(13, seed, 0) of engine/Trainer.cpp (splitmix64 Fisher-Yates), reproduced "
                           "in Python; one epoch, so this is the whole order",
        "total_steps": total,
        "warmup_steps": warmup,
        "truncated_examples": truncated,
        "losses": losses,
        "learning_rates": lrs,
        "grad_norms_before_clipping": norms,
        "clipped_steps": clipped_steps,
        "checksums_note": "float64 sum and sum of |w| of every weight tensor after the 5 steps",
        "checksums": final,
        "initial_checksums": initial,
        "bug_sensitivity": sensitivity,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("wrote", os.path.relpath(OUT, ROOT))


if __name__ == "__main__":
    main()
