#!/usr/bin/env python3
"""Hyperparameter Playground study, reproduced with PyTorch and Optuna.

Exported by the Hyperparameter Playground ("Export -> Python"). Next to this file:
  study.json  the experiment: data spec, network, search space, sampler, pruner, early stopping,
              validation (hold-out or k-fold), repeats and seeds, as the page ran it;
  data.npz    the page's own rows and splits (raw x and y, test rows, train/validation indices).

Each split is standardised with the statistics of its own training rows (population std; a
constant column gets std 1; regression targets too), as the page does. The network (per-layer
units), weight initialisation, optimiser (momentum, Adam's betas), learning-rate schedule
(warm-up; constant, step, exponential or cosine, set per epoch), loss, dropout, L1/L2 penalties and
top-k feature selection (the page's own ranking of each split, shipped in data.npz) follow the
page's TensorFlow.js trainer. On images, the convolution blocks (TensorFlow's 'same'/'valid'
padding, strides, 2x2 max or average pooling, channels-last flattening) and the augmentation of
the training images (flip, rotation, shift, pixel noise, drawn afresh every epoch) do too.
Conditional parameters are suggested only while their parent has a value that uses them
(momentum under optimizer=momentum, units_layer3 when layers >= 3, filters when conv_blocks >= 1,
...), so every trial's params are exactly its active ones. Each epoch's validation metric goes to
trial.report, and the curves (with each epoch's learning rate) are stored as the trial's user
attribute "hpp_curves" so the page can judge the fit.

Runs unchanged with Python 3.8+, PyTorch 1.13 or 2.x and Optuna 3.1 or 4.x.

  python3 study.py                                   # one machine, ./<study-name>.db (SQLite)
  python3 study.py --storage sqlite:///s1.db --n-trials 50
  python3 study.py --storage postgresql://user:pw@host/db --study-name s1 --n-trials 200
                                                     # start it on any number of machines
  python3 study.py --journal s1.log                  # an Optuna JournalStorage file
  python3 study.py --device cuda                     # train on the GPU
  python3 study.py --export-journal results.log      # afterwards: a journal the page can open

--n-trials is the budget of the whole study, shared by every process that joins it.
"""
from __future__ import annotations

import argparse
import contextlib
import copy
import json
import math
import os
import sys
import tempfile
import time
import warnings
import zlib

try:
    import numpy as np
    import optuna
    import torch
    from torch import nn
    import torch.nn.functional as F
except ImportError as _missing:  # pragma: no cover - depends on the machine
    sys.exit(
        f"study.py needs numpy, torch and optuna ({_missing}). Install them with\n"
        "  pip install -r requirements.txt      or on Debian/Ubuntu:\n"
        "  sudo apt install python3-torch python3-optuna"
    )

HERE = os.path.dirname(os.path.abspath(__file__))
MANIFEST_FORMAT = "hyperparameter-playground-python"
MANIFEST_VERSION = 3

# User attribute keys, as the page reads them (src/lib/interop/optuna-attrs.ts).
STUDY_ATTRS = {
    "format": "hpp_format",
    "experiment": "hpp_experiment",
    "metric": "hpp_metric",
    "param_names": "hpp_param_names",
    "dataset": "hpp_dataset",
    "digest": "hpp_digest",
    "sampler": "hpp_sampler",
}
TRIAL_ATTRS = {
    "curves": "hpp_curves",
    "status": "hpp_status",
    "best_epoch": "hpp_best_epoch",
    "stopped_early": "hpp_stopped_early",
    "restored_best": "hpp_restored_best",
    "test": "hpp_test",
    "message": "hpp_message",
    "device": "hpp_device",
    "time_ms": "hpp_time_ms",
    "param_count": "hpp_param_count",
}

warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)


def log(msg: str) -> None:
    print(msg, flush=True)


# --------------------------------------------------------------------------------------------
# The experiment and its data


def load_manifest(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        m = json.load(f)
    if m.get("format") != MANIFEST_FORMAT:
        raise SystemExit(f"{path} is not a Hyperparameter Playground export (no format {MANIFEST_FORMAT!r}).")
    if m.get("version", 0) > MANIFEST_VERSION:
        raise SystemExit(f"{path} was written by a newer app (version {m.get('version')}); export again or update study.py.")
    return m


def standardize(x: np.ndarray, rows: np.ndarray, whole: bool = False):
    """Mean and std (population) of the training rows, per column, or over every value when
    `whole` (images: one mean and std for all pixels); a constant column gets std 1."""
    sub = x[rows].astype(np.float64)
    if whole:
        sub = sub.reshape(-1, 1)
    mean = sub.mean(axis=0)
    std = np.sqrt(((sub - mean) ** 2).mean(axis=0))
    std = np.where(std > 1e-6 * (1 + np.abs(mean)), std, 1.0)
    return mean, std


def apply_standardize(x: np.ndarray, rows: np.ndarray, mean, std) -> np.ndarray:
    return ((x[rows].astype(np.float64) - mean) / std).astype(np.float32)


def prepare_splits(manifest: dict, arrays) -> list:
    """The page's train/validation(/test) arrays of every split, standardised as prepare() does."""
    x = np.asarray(arrays["x"], dtype=np.float32)
    y = np.asarray(arrays["y"], dtype=np.float32)
    test = np.asarray(arrays["test"], dtype=np.int64)
    regression = manifest["task"] == "regression"
    out = []
    for i in range(manifest["validation"]["splits"]):
        train = np.asarray(arrays[f"train_{i}"], dtype=np.int64)
        val = np.asarray(arrays[f"val_{i}"], dtype=np.int64)
        mean, std = standardize(x, train, manifest["data"].get("scaling") == "all")
        split = {
            "rank": np.asarray(arrays[f"rank_{i}"], dtype=np.int64) if f"rank_{i}" in arrays else None,
            # per-column statistics of this split's training rows (length features): augmentation
            # takes an image back to raw pixel units with them, and standardises it again
            "mean": np.broadcast_to(mean, (x.shape[1],)).astype(np.float64),
            "std": np.broadcast_to(std, (x.shape[1],)).astype(np.float64),
            "x_train": apply_standardize(x, train, mean, std),
            "x_val": apply_standardize(x, val, mean, std),
            "x_test": apply_standardize(x, test, mean, std) if len(test) else None,
        }
        if regression:
            ym, ys = standardize(y.reshape(-1, 1), train)
            ys_of = lambda rows: apply_standardize(y.reshape(-1, 1), rows, ym, ys).reshape(-1)  # noqa: E731
            split.update(y_train=ys_of(train), y_val=ys_of(val), y_test=ys_of(test) if len(test) else None)
        else:
            split.update(y_train=y[train].copy(), y_val=y[val].copy(), y_test=y[test].copy() if len(test) else None)
        out.append(split)
    return out


def js_round(x: float) -> int:
    """JavaScript's Math.round (halves round up; Python's round() rounds them to even)."""
    return int(math.floor(float(x) + 0.5))


# The params a trial may set, and how each is written into the model (src/lib/experiment/values.ts).
INT_FIELDS = ("batchSize", "epochs", "lrWarmup", "lrStepSize", "topK", "augShift")
FLOAT_FIELDS = ("learningRate", "dropout", "l1", "l2", "lrDecay", "lrFinal", "momentum", "beta1", "beta2", "augRotate", "augNoise")
TEXT_FIELDS = ("optimizer", "lrSchedule", "augFlip")
LAYER_UNITS = ("units2", "units3", "units4", "units5", "units6")
# the conv block `convBlocks` adds to a model that has none to copy (the page's DEFAULT_CONV_BLOCK;
# study.json's "defaultConvBlock" overrides it)
DEFAULT_CONV_BLOCK = {"filters": 8, "kernel": 3, "stride": 1, "padding": "same", "activation": "relu", "pool": "max"}
# each conv-block param and the block field it sets, on every block
CONV_FIELDS = {"filters": ("filters", int), "kernelSize": ("kernel", int), "pooling": ("pool", str)}


def apply_param(m: dict, name: str, value, conv_default: dict | None = None) -> None:
    """Writes one param into model `m` (in place), as the page's applyParam: `units` applies to
    every hidden layer, `activation` to every hidden layer and conv block, `unitsK` to layer K only
    (when the model has it); `depth` repeats or trims the last layer and `convBlocks` the last conv
    block (a model without one gets `conv_default`, with the first layer's activation);
    `filters`, `kernelSize` and `pooling` apply to every conv block."""
    layers = m["layers"]
    if name == "units":
        for layer in layers:
            layer["units"] = int(value)
    elif name == "activation":
        for block in [*layers, *(m.get("conv") or [])]:
            block["activation"] = value
    elif name == "convBlocks":
        conv = m.get("conv") or []
        default = conv_default or DEFAULT_CONV_BLOCK
        template = dict(conv[-1]) if conv else {**default, "activation": layers[0]["activation"] if layers else default["activation"]}
        while len(conv) < int(value):
            conv.append(dict(template))
        del conv[int(value):]
        m["conv"] = conv
    elif name in CONV_FIELDS:
        field, kind = CONV_FIELDS[name]
        for block in m.get("conv") or []:
            block[field] = kind(value)
    elif name == "depth":
        template = dict(layers[-1]) if layers else {"units": 16, "activation": "relu"}
        while len(layers) < int(value):
            layers.append(dict(template))
        del layers[int(value):]
    elif name in LAYER_UNITS:
        k = int(name[5:]) - 1
        if k < len(layers):
            layers[k]["units"] = int(value)
    elif name in TEXT_FIELDS:
        m[name] = value
    elif name in INT_FIELDS:
        m[name] = int(value)
    elif name in FLOAT_FIELDS:
        m[name] = float(value)
    else:
        raise SystemExit(f"not yet exported: the parameter {name!r} (this study.py does not know it; export the study again).")


def resolve_model(base: dict, params: dict, order=None, conv_default: dict | None = None) -> dict:
    """The network of one trial: the base model with the trial's params (as src/lib/model/spec.ts:
    depth and convBlocks first, then the page's parameter order). A param the trial lacks keeps
    the base value."""
    m = copy.deepcopy(base)
    order = order or ["depth", "convBlocks", "units", *LAYER_UNITS, "filters", "kernelSize", "pooling", "activation"]
    for name in list(order) + [n for n in params if n not in order]:
        if name in params:
            apply_param(m, name, params[name], conv_default)
    return m


def holds(cond: dict, value) -> bool:
    """Whether a parent's value satisfies a condition (src/lib/experiment/conditions.ts); an
    absent parent (itself inactive) satisfies nothing."""
    if value is None:
        return False
    if "oneOf" in cond:
        return any(v == value or str(v) == str(value) for v in cond["oneOf"])
    return float(value) >= cond["atLeast"]


def lr_at(spec: dict, epoch: int, epochs: int) -> float:
    """The learning rate of `epoch` (1-based) of a trial of `epochs` epochs, as the page's lrAt
    (src/lib/train/schedule.ts): warm-up epoch i <= W trains at base * i / (W + 1); after it, with j
    epochs since warm-up and progress p = j / (epochs - W - 1) (0 when one epoch is left, at most 1):
    constant base; step base * decay^floor(j / stepSize); exponential base * final^p; cosine
    base * (final + (1 - final) * (1 + cos(pi p)) / 2)."""
    base = float(spec["learningRate"])
    kind = spec.get("lrSchedule", "constant")
    i = epoch - 1
    w = max(0, min(js_round(spec.get("lrWarmup", 0)), epochs - 1))
    if i < w:
        return (base * (i + 1)) / (w + 1)
    j = i - w
    span = epochs - w - 1
    p = min(1.0, j / span) if span > 0 else 0.0
    if kind == "constant":
        return base
    if kind == "step":
        return base * float(spec.get("lrDecay", 0.5)) ** math.floor(j / max(1, js_round(spec.get("lrStepSize", 10))))
    final = float(spec.get("lrFinal", 0.01))
    if kind == "exponential":
        return base * final ** p
    if kind == "cosine":
        return base * (final + ((1 - final) * (1 + math.cos(math.pi * p))) / 2)
    raise SystemExit(f"not yet exported: the learning-rate schedule {kind!r}.")


def top_k_columns(spec: dict, d: int, ranking) -> list | None:
    """The columns a trial with `topK` trains on: the k best of the split's ranking, in their
    original order (src/lib/data/features.ts topKData); None keeps every column."""
    k = js_round(spec.get("topK", 0) or 0)
    if not (0 < k < d) or ranking is None or len(ranking) == 0:
        return None
    return sorted(int(c) for c in ranking[:k])


# --------------------------------------------------------------------------------------------
# Augmentation of training images, as src/lib/data/augment.ts


def augmentation_of(spec: dict):
    """The augmentation a model asks for ({shift px, rotate degrees, noise fraction of the pixel
    range, flip}), or None when it asks for none."""
    a = {"shift": float(spec.get("augShift", 0) or 0), "rotate": float(spec.get("augRotate", 0) or 0),
         "noise": float(spec.get("augNoise", 0) or 0), "flip": spec.get("augFlip", "off") == "horizontal"}
    return a if a["shift"] > 0 or a["rotate"] > 0 or a["noise"] > 0 or a["flip"] else None


def warp_images(raw: torch.Tensor, flip: torch.Tensor, theta: torch.Tensor, dx: torch.Tensor, dy: torch.Tensor) -> torch.Tensor:
    """Resamples images raw [n, H, W, C] (raw pixel units): output pixel (q, r) of image i reads
    the source point that undoes the shift (dx, dy px), then the rotation by theta (radians,
    about the centre ((W-1)/2, (H-1)/2)), then the horizontal flip, bilinearly, with 0 outside the
    image. align_corners=True puts -1 and +1 on the centres of the first and last pixels: the
    page's pixel-centre coordinates."""
    n, h, w, _ = raw.shape
    dt = torch.float64
    cx, cy = (w - 1) / 2, (h - 1) / 2
    q = torch.arange(w, dtype=dt, device=raw.device).view(1, 1, w)
    r = torch.arange(h, dtype=dt, device=raw.device).view(1, h, 1)
    ux = q - dx.to(dt).view(n, 1, 1) - cx
    uy = r - dy.to(dt).view(n, 1, 1) - cy
    cos, sin = torch.cos(theta.to(dt)).view(n, 1, 1), torch.sin(theta.to(dt)).view(n, 1, 1)
    sx = cos * ux + sin * uy + cx
    sy = -sin * ux + cos * uy + cy
    sx = torch.where(flip.view(n, 1, 1), (w - 1) - sx, sx)
    grid = torch.stack([sx / max(w - 1, 1) * 2 - 1, sy / max(h - 1, 1) * 2 - 1], dim=-1)
    out = F.grid_sample(raw.to(dt).permute(0, 3, 1, 2), grid, mode="bilinear", padding_mode="zeros", align_corners=True)
    return out.permute(0, 2, 3, 1)


def augment_images(x: torch.Tensor, image: dict, a: dict, gen: torch.Generator) -> torch.Tensor:
    """Augmented copies of the standardised image rows x [n, d], new draws from `gen` at every
    call (x is left alone): each image is flipped (half of them, when asked), rotated by
    U(-rotate, rotate) degrees, shifted by U(-shift, shift) px per axis, and gets N(0,
    noise·maxValue) noise on every pixel (see transform_images)."""
    n = x.shape[0]
    u = lambda: torch.rand(n, generator=gen, dtype=torch.float64)  # noqa: E731
    zero = torch.zeros(n, dtype=torch.float64)
    flip = u() < 0.5 if a["flip"] else torch.zeros(n, dtype=torch.bool)
    theta = (u() * 2 - 1) * a["rotate"] * math.pi / 180 if a["rotate"] > 0 else zero
    dx, dy = ((u() * 2 - 1) * a["shift"], (u() * 2 - 1) * a["shift"]) if a["shift"] > 0 else (zero, zero)
    return transform_images(x, image, flip, theta, dx, dy, a["noise"], gen)


def transform_images(x: torch.Tensor, image: dict, flip, theta, dx, dy, noise: float = 0.0, gen: torch.Generator | None = None) -> torch.Tensor:
    """The standardised image rows x [n, d] taken back to raw pixel units (the split's mean and
    std, `image["mean"]`, `image["std"]`), warped (warp_images: per image flip, theta radians,
    dx and dy px), given N(0, noise·maxValue) noise clamped to [0, maxValue] when noise > 0, and
    standardised again: float32 [n, d]."""
    n = x.shape[0]
    dev = x.device
    h, w, c = int(image["height"]), int(image["width"]), int(image["channels"])
    mean = torch.as_tensor(np.asarray(image["mean"], dtype=np.float64), device=dev).view(1, h, w, c)
    std = torch.as_tensor(np.asarray(image["std"], dtype=np.float64), device=dev).view(1, h, w, c)
    raw = x.to(torch.float64).view(n, h, w, c) * std + mean
    f64 = lambda v: torch.as_tensor(v, dtype=torch.float64).to(dev)  # noqa: E731
    v = warp_images(raw, torch.as_tensor(flip, dtype=torch.bool).to(dev), f64(theta), f64(dx), f64(dy))
    if noise > 0:
        top = float(image["maxValue"])
        v = (v + torch.randn(v.shape, generator=gen, dtype=torch.float64).to(dev) * noise * top).clamp(0.0, top)
    return ((v - mean) / std).reshape(n, -1).to(torch.float32)


# --------------------------------------------------------------------------------------------
# The network and its training, as the page's TensorFlow.js trainer does them

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "linear": nn.Identity}


def init_kernel(w: torch.Tensor, kind: str, std_random_normal: float) -> None:
    """tfjs initialisers. A torch dense weight is [out, in] and a conv weight [out, in, k, k], so
    fan_in = in·k·k and fan_out = out·k·k, as for a tfjs kernel [in, out] or [k, k, in, out]."""
    fan_in = int(np.prod(w.shape[1:]))
    if kind == "glorotUniform":
        nn.init.xavier_uniform_(w)
    elif kind in ("heNormal", "leCunNormal"):
        # tfjs VarianceScaling 'normal' draws a normal truncated at 2 std, with std sqrt(scale / fan_in)
        std = math.sqrt((2.0 if kind == "heNormal" else 1.0) / max(1, fan_in))
        nn.init.trunc_normal_(w, mean=0.0, std=std, a=-2 * std, b=2 * std)
    elif kind == "randomNormal":
        nn.init.normal_(w, mean=0.0, std=std_random_normal)
    else:
        raise ValueError(f"unknown initialiser {kind!r}")


def conv_side(side: int, kernel: int, stride: int, padding: str) -> int:
    """Output side of a convolution along one axis (TensorFlow's rule, as model/blocks.ts)."""
    return -(-side // stride) if padding == "same" else (side - kernel) // stride + 1


def same_padding(side: int, kernel: int, stride: int) -> tuple:
    """TensorFlow's 'same' zero padding of one axis, (before, after): max((out - 1)·stride +
    kernel - side, 0) in total, the smaller half before (top/left). PyTorch's own padding='same'
    exists for stride 1 only and puts the odd pixel elsewhere for even kernels."""
    total = max((conv_side(side, kernel, stride, "same") - 1) * stride + kernel - side, 0)
    return total // 2, total - total // 2


class Net(nn.Module):
    """The page's network (src/lib/model/build.ts and blocks.ts): rows of an image, which are
    row-major height × width × channels (NHWC), reshaped and permuted to PyTorch's NCHW; conv
    blocks (convolution with TensorFlow's padding, activation, 2×2 pooling with stride 2); the
    feature maps permuted back to NHWC and flattened, as tfjs flattens them (so the dense weights
    mean the same thing in both); dense layers with dropout after each; a linear output (logits
    for classification). `kernels` are the conv and dense weights, which L1/L2 penalise."""

    def __init__(self, spec: dict, d: int, n_out: int, image: dict | None = None):
        super().__init__()
        conv = spec.get("conv") or []
        self.image = None
        self.convs = nn.ModuleList()
        self.conv_plan = []  # per conv block: (F.pad widths, activation, pool kind)
        flat = d
        if conv:
            if not image or image["width"] * image["height"] * image["channels"] != d:
                raise ValueError("Convolution blocks need image data with every pixel kept: set conv blocks to 0 for this dataset.")
            self.image = (int(image["height"]), int(image["width"]), int(image["channels"]))
            h, w, c = self.image
            for i, b in enumerate(conv):
                k, st, pad = int(b["kernel"]), int(b["stride"]), b["padding"]
                h2, w2 = conv_side(h, k, st, pad), conv_side(w, k, st, pad)
                if h2 < 1 or w2 < 1:
                    raise ValueError(f"Conv block {i + 1}: a {k}×{k} kernel does not fit the {h}×{w} image it receives.")
                (top, bottom), (left, right) = (same_padding(h, k, st), same_padding(w, k, st)) if pad == "same" else ((0, 0), (0, 0))
                self.convs.append(nn.Conv2d(c, int(b["filters"]), k, stride=st))
                h, w, c = h2, w2, int(b["filters"])
                if b["pool"] != "none":
                    if h < 2 or w < 2:
                        raise ValueError(f"Conv block {i + 1}: 2×2 pooling needs at least 2×2 pixels but gets {h}×{w}.")
                    h, w = h // 2, w // 2
                self.conv_plan.append(((left, right, top, bottom), ACTIVATIONS[b["activation"]](), b["pool"]))
            flat = h * w * c
        self.dense = nn.ModuleList()
        self.dense_acts = []
        prev = flat
        for layer in spec["layers"]:
            self.dense.append(nn.Linear(prev, int(layer["units"])))
            self.dense_acts.append(ACTIVATIONS[layer["activation"]]())
            prev = int(layer["units"])
        self.dropout = nn.Dropout(spec["dropout"]) if spec["dropout"] > 0 else None
        self.out = nn.Linear(prev, n_out)
        self.kernels = [m.weight for m in [*self.convs, *self.dense, self.out]]

    def forward(self, x: torch.Tensor, trace: list | None = None) -> torch.Tensor:
        """x: [n, d] rows -> [n, n_out]. `trace`, when given, receives each block's output shape
        per sample, channels last, as model/blocks.ts lists them (conv, pool, flatten, dense,
        dropout, output)."""
        def seen(kind, t):
            if trace is not None:
                trace.append({"kind": kind, "out": list(t.permute(0, 2, 3, 1).shape[1:]) if t.dim() == 4 else list(t.shape[1:])})
        if self.image is not None:
            h, w, c = self.image
            x = x.reshape(-1, h, w, c).permute(0, 3, 1, 2)
            for conv, (pad, act, pool) in zip(self.convs, self.conv_plan):
                if any(pad):
                    x = F.pad(x, pad)
                x = act(conv(x))
                seen("conv", x)
                if pool != "none":
                    x = F.max_pool2d(x, 2) if pool == "max" else F.avg_pool2d(x, 2)
                    seen("pool", x)
            x = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)
            seen("flatten", x)
        for lin, act in zip(self.dense, self.dense_acts):
            x = act(lin(x))
            seen("dense", x)
            if self.dropout is not None:
                x = self.dropout(x)
                seen("dropout", x)
        x = self.out(x)
        seen("output", x)
        return x


def build_model(spec: dict, d: int, n_out: int, training: dict, image: dict | None = None):
    """The page's network for `d` inputs (an image of `image`'s layout when the spec has conv
    blocks), initialised as the page initialises it (biases zero). Returns the model and its
    kernels (the penalised weights)."""
    model = Net(spec, d, n_out, image)
    with torch.no_grad():
        for k in model.kernels:
            init_kernel(k, spec["init"], training["randomNormalStd"])
        for m in [*model.convs, *model.dense, model.out]:
            m.bias.zero_()
    return model, model.kernels


class TfjsRMSprop(torch.optim.Optimizer):
    """tfjs RMSprop (decay 0.9, no momentum): ms = d*ms + (1-d)*g^2; w -= lr * g / sqrt(ms + eps).
    torch's RMSprop adds eps outside the square root, which differs while ms is tiny."""

    def __init__(self, params, lr: float, decay: float, eps: float):
        super().__init__(params, dict(lr=lr, decay=decay, eps=eps))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if "ms" not in state:
                    state["ms"] = torch.zeros_like(p)
                ms = state["ms"]
                ms.mul_(group["decay"]).addcmul_(p.grad, p.grad, value=1 - group["decay"])
                p.addcdiv_(p.grad, (ms + group["eps"]).sqrt(), value=-group["lr"])
        return None


def make_optimizer(spec: dict, params, training: dict):
    """The page's optimiser at the spec's base learning rate, with its momentum and Adam betas
    (`training` holds the defaults of a spec without them, and tfjs' constants)."""
    lr, name = spec["learningRate"], spec["optimizer"]
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=float(spec.get("momentum", training["momentum"])))
    if name == "adam":
        betas = (float(spec.get("beta1", training["adamBeta1"])), float(spec.get("beta2", training["adamBeta2"])))
        return torch.optim.Adam(params, lr=lr, betas=betas, eps=training["epsilon"])
    if name == "rmsprop":
        return TfjsRMSprop(params, lr=lr, decay=training["rmspropDecay"], eps=training["epsilon"])
    raise ValueError(f"unknown optimizer {name!r}")


class EarlyStopper:
    """Keras-style early stopping on the validation loss (src/lib/search/early-stopping.ts)."""

    def __init__(self, patience: float, min_delta: float = 0.0):
        self.patience = max(1, math.floor(patience)) if math.isfinite(patience) else math.inf
        self.min_delta = max(0.0, min_delta)
        self.epoch, self.best_epoch, self.best_value = 0, None, math.nan
        self.reference, self.wait, self.stopped = math.inf, 0, False

    def update(self, value: float) -> str:
        if self.stopped:
            return "stop"
        self.epoch += 1
        finite = math.isfinite(value)
        if finite and (self.best_epoch is None or value < self.best_value):
            self.best_epoch, self.best_value = self.epoch, value
        if finite and value < self.reference - self.min_delta:
            self.reference, self.wait = value, 0
        else:
            self.wait += 1
        if self.wait >= self.patience:
            self.stopped = True
            return "stop"
        return "continue"


def train_run(split: dict, spec: dict, ctx: dict, seed: int, shuffle_seed: int, report=None) -> dict:
    """One training run on one split. `report(epoch, metrics)` returns True to prune.
    Trains on the split's top-k feature columns when the spec sets topK, at the schedule's rate
    of each epoch; on image rows (every pixel kept) the conv blocks see images, and the training
    images are augmented afresh every epoch when the spec asks (validation and test rows never
    are). Returns {status, epochs, best_epoch, stopped_early, restored_best, test, message,
    param_count}."""
    device, classification = ctx["device"], ctx["classification"]
    cols = top_k_columns(spec, ctx["d"], split.get("rank"))
    pick = (lambda x: x) if cols is None else (lambda x: np.ascontiguousarray(x[:, cols]))  # noqa: E731
    # a few kept pixels are no longer an image (as the page's topKData)
    image = {**ctx["image"], "mean": split["mean"], "std": split["std"]} if ctx.get("image") and cols is None else None
    augment = augmentation_of(spec) if image else None
    aug_gen = torch.Generator().manual_seed((seed * 7919 + 104729) % (2 ** 63))
    torch.manual_seed(seed)
    model, kernels = build_model(spec, ctx["d"] if cols is None else len(cols), ctx["n_out"], ctx["training"], image)
    model.to(device)
    param_count = sum(p.numel() for p in model.parameters())
    opt = make_optimizer(spec, model.parameters(), ctx["training"])
    xt = torch.from_numpy(pick(split["x_train"])).to(device)
    xv = torch.from_numpy(pick(split["x_val"])).to(device)
    if classification:
        yt = torch.from_numpy(split["y_train"].astype(np.int64)).to(device)
        yv = torch.from_numpy(split["y_val"].astype(np.int64)).to(device)
    else:
        yt = torch.from_numpy(split["y_train"]).view(-1, 1).to(device)
        yv = torch.from_numpy(split["y_val"]).view(-1, 1).to(device)
    loss_of = F.cross_entropy if classification else F.mse_loss
    n = len(yt)
    batch = max(1, min(int(spec["batchSize"]), n))
    rng = np.random.default_rng(shuffle_seed)
    es_cfg = ctx["early_stopping"]
    stopper = EarlyStopper(es_cfg["patience"] if es_cfg["enabled"] else math.inf, es_cfg["minDelta"] if es_cfg["enabled"] else 0.0)
    restore = es_cfg["enabled"] and es_cfg["restoreBest"]
    best_state, epochs, status, message, stopped_early = None, [], "complete", None, False
    start = time.perf_counter()
    n_epochs = int(spec["epochs"])
    for epoch in range(1, n_epochs + 1):
        lr = lr_at(spec, epoch, n_epochs)
        for group in opt.param_groups:
            group["lr"] = lr
        model.train()
        perm = torch.from_numpy(rng.permutation(n)).to(device)
        xe = augment_images(xt, image, augment, aug_gen) if augment else xt
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), device=device)
        for s in range(0, n, batch):
            idx = perm[s:s + batch]
            xb, yb = xe[idx], yt[idx]
            out = model(xb)
            loss = loss_of(out, yb)
            total = loss
            for k in kernels:
                if spec["l1"] > 0:
                    total = total + spec["l1"] * k.abs().sum()
                if spec["l2"] > 0:
                    total = total + spec["l2"] * k.pow(2).sum()
            opt.zero_grad()
            total.backward()
            opt.step()
            loss_sum += loss.detach() * len(idx)
            if classification:
                correct += (out.detach().argmax(1) == yb).sum()
        model.eval()
        with torch.no_grad():
            out = model(xv)
            val_loss = float(loss_of(out, yv))
            val_acc = float((out.argmax(1) == yv).float().mean()) if classification else None
        m = {"epoch": epoch, "trainLoss": float(loss_sum) / n, "valLoss": val_loss, "elapsedMs": (time.perf_counter() - start) * 1000, "lr": lr}
        if classification:
            m["trainAcc"], m["valAcc"] = float(correct) / n, val_acc
        epochs.append(m)
        if not (math.isfinite(m["trainLoss"]) and math.isfinite(val_loss)):
            status = "diverged"
            message = f"The loss became {'NaN' if math.isnan(m['trainLoss']) or math.isnan(val_loss) else 'infinite'} at epoch {epoch}: the weights blew up (learning rate {spec['learningRate']} is probably too high)."
            break
        verdict = stopper.update(val_loss)
        if restore and stopper.best_epoch == epoch:
            best_state = copy.deepcopy(model.state_dict())
        if report is not None and report(epoch, m):
            status = "pruned"
            break
        if es_cfg["enabled"] and verdict == "stop" and epoch < int(spec["epochs"]):
            stopped_early = True
            break
    restored = False
    if best_state is not None and status != "diverged":
        model.load_state_dict(best_state)
        restored = stopper.best_epoch != epochs[-1]["epoch"]
    test = None
    if status != "diverged" and split.get("x_test") is not None and len(split["x_test"]):
        model.eval()
        with torch.no_grad():
            out = model(torch.from_numpy(pick(split["x_test"])).to(device))
            if classification:
                ys = torch.from_numpy(split["y_test"].astype(np.int64)).to(device)
                test = {"loss": float(loss_of(out, ys)), "acc": float((out.argmax(1) == ys).float().mean())}
            else:
                ys = torch.from_numpy(split["y_test"]).view(-1, 1).to(device)
                test = {"loss": float(loss_of(out, ys))}
    return {"status": status, "epochs": epochs, "best_epoch": stopper.best_epoch, "stopped_early": stopped_early,
            "restored_best": restored, "test": test, "message": message, "param_count": param_count}


SEVERITY = ["complete", "pruned", "cancelled", "diverged", "failed"]


def combine_runs(runs: list) -> dict:
    """Per-epoch mean over the runs that reached each epoch; the worst status (train/aggregate.ts)."""
    longest = max(len(r["epochs"]) for r in runs)
    epochs = []
    for i in range(longest):
        at = [r["epochs"][i] for r in runs if i < len(r["epochs"])]
        m = {k: sum(e[k] for e in at) / len(at) for k in ("trainLoss", "valLoss")}
        m["epoch"], m["elapsedMs"] = i + 1, max(e["elapsedMs"] for e in at)
        if all("lr" in e for e in at):  # the same schedule in every run
            m["lr"] = at[0]["lr"]
        if all("valAcc" in e for e in at):
            m["trainAcc"] = sum(e["trainAcc"] for e in at) / len(at)
            m["valAcc"] = sum(e["valAcc"] for e in at) / len(at)
        epochs.append(m)
    tests = [r["test"] for r in runs if r["test"] is not None]
    test = None
    if tests and len(tests) == len(runs):
        test = {"loss": sum(t["loss"] for t in tests) / len(tests)}
        if all("acc" in t for t in tests):
            test["acc"] = sum(t["acc"] for t in tests) / len(tests)
    return {
        "status": max((r["status"] for r in runs), key=SEVERITY.index),
        "epochs": epochs,
        "best_epoch": runs[0]["best_epoch"],
        "stopped_early": any(r["stopped_early"] for r in runs),
        "restored_best": any(r["restored_best"] for r in runs),
        "test": test,
        "message": next((r["message"] for r in runs if r["message"]), None),
        "param_count": runs[0].get("param_count"),
    }


def end_value(run: dict, key: str) -> float:
    """A run's metric at its end: the best epoch when restore-best applied, else the last."""
    e = run["epochs"][run["best_epoch"] - 1] if run["restored_best"] and run["best_epoch"] else (run["epochs"][-1] if run["epochs"] else None)
    return float(e[key]) if e is not None and e.get(key) is not None else math.nan


def curves_attr(epochs: list) -> dict:
    fin = lambda v: v if v is not None and math.isfinite(v) else None  # noqa: E731
    out = {"epoch": [e["epoch"] for e in epochs],
           "trainLoss": [fin(e["trainLoss"]) for e in epochs],
           "valLoss": [fin(e["valLoss"]) for e in epochs]}
    if epochs and all("valAcc" in e for e in epochs):
        out["trainAcc"] = [fin(e["trainAcc"]) for e in epochs]
        out["valAcc"] = [fin(e["valAcc"]) for e in epochs]
    out["elapsedMs"] = [fin(round(e["elapsedMs"], 1)) for e in epochs]
    if epochs and all("lr" in e for e in epochs):
        out["lr"] = [fin(e["lr"]) for e in epochs]
    return out


# --------------------------------------------------------------------------------------------
# Optuna: sampler, pruner, storage, the trial loop


def suggest_params(trial, params: list) -> dict:
    """Define-by-run: suggests each searched param in order, a conditional one only while its
    parent (suggested before it) satisfies its condition. Returns {app name: value} of the active ones."""
    values = {}
    for p in params:
        when = p.get("when")
        if when is None or holds(when, values.get(when["parent"])):
            values[p["app"]] = suggest(trial, p)
    return values


def suggest(trial, p: dict):
    if p["type"] == "float":
        return trial.suggest_float(p["name"], p["low"], p["high"], log=p["log"])
    if p["type"] == "int":
        return trial.suggest_int(p["name"], int(p["low"]), int(p["high"]), log=p["log"])
    return trial.suggest_categorical(p["name"], p["choices"])


def _has_module(name: str) -> bool:
    try:
        __import__(name)
        return True
    except ImportError:
        return False


class _BudgetGridSampler(optuna.samplers.GridSampler):
    """GridSampler without its `study.stop()` after the last point: this script's own loop stops at
    the budget (capped to the grid size), and stop() only works inside study.optimize."""

    def after_trial(self, study, trial, state, values):  # noqa: D102
        return None


class _ConfigGridSampler(optuna.samplers.BaseSampler):
    """The page's grid over a conditional space: each trial takes one of the grid's configurations
    (study.json lists them, active parameters only), unvisited ones first, in random order.
    GridSampler's Cartesian product would repeat the configurations that differ only in
    parameters a trial does not have. The configuration is chosen when the trial is asked (under
    the budget lock, so parallel processes do not take the same one) and kept in the trial's
    system attribute "hpp_grid_config"."""

    ATTR = "hpp_grid_config"

    def __init__(self, configs: list, seed):
        self._configs = configs
        self._rng = np.random.RandomState(seed)
        self._fallback = optuna.samplers.RandomSampler(seed=seed)
        self._mine = {}

    def reseed_rng(self) -> None:  # noqa: D102
        self._rng = np.random.RandomState()
        self._fallback.reseed_rng()

    def infer_relative_search_space(self, study, trial):  # noqa: D102
        return {}

    def sample_relative(self, study, trial, search_space):  # noqa: D102
        return {}

    def assign(self, study, trial) -> None:
        """Gives the new `trial` an unvisited configuration (any, once all were visited)."""
        used = {t.system_attrs.get(self.ATTR) for t in study.get_trials(deepcopy=False)}
        free = [k for k in range(len(self._configs)) if k not in used] or list(range(len(self._configs)))
        k = int(free[self._rng.randint(len(free))])
        study._storage.set_trial_system_attr(trial._trial_id, self.ATTR, k)
        self._mine[trial._trial_id] = k

    def sample_independent(self, study, trial, param_name, param_distribution):  # noqa: D102
        k = self._mine.get(trial._trial_id, trial.system_attrs.get(self.ATTR))
        config = self._configs[k] if k is not None else {}
        if param_name in config:
            return config[param_name]
        return self._fallback.sample_independent(study, trial, param_name, param_distribution)


def make_sampler(manifest: dict):
    """The Optuna sampler nearest to the page's strategy, and a sentence saying which and why."""
    s, params = manifest["sampler"], manifest["params"]
    kind, seed = s["kind"], s["seed"]
    samplers = optuna.samplers
    if kind == "grid":
        space = {p["name"]: p["grid"] for p in params}
        if not space:
            return samplers.RandomSampler(seed=seed), "GridSampler needs a searched parameter; RandomSampler (every trial is the same configuration)."
        if s.get("configs"):
            return (_ConfigGridSampler(s["configs"], seed),
                    f"the page's grid over conditional parameters ({s['gridSize']} configurations, visited in random order); "
                    "GridSampler would repeat configurations that differ only in parameters a trial does not have.")
        return _BudgetGridSampler(space, seed=seed), f"GridSampler over the page's grid ({s['gridSize']} points, visited in random order)."
    if kind == "quasirandom":
        if hasattr(samplers, "QMCSampler") and _has_module("scipy.stats"):
            return (samplers.QMCSampler(qmc_type="halton", scramble=True, seed=seed, warn_independent_sampling=False),
                    "QMCSampler (scrambled Halton), the page's quasi-random search; categorical parameters are sampled at random.")
        return samplers.RandomSampler(seed=seed), "RandomSampler: the page searched quasi-randomly (Halton), but QMCSampler needs SciPy, which is not installed."
    if kind == "tpe":
        kw = {"seed": seed, "n_startup_trials": s["nStartup"]}
        try:
            return samplers.TPESampler(constant_liar=True, **kw), f"TPESampler ({s['nStartup']} random start-up trials; constant liar for parallel workers), as the page's TPE."
        except TypeError:
            return samplers.TPESampler(**kw), f"TPESampler ({s['nStartup']} random start-up trials), as the page's TPE."
    if kind == "gp":
        gp = getattr(samplers, "GPSampler", None)
        if gp is not None and _has_module("scipy.optimize"):
            return gp(seed=seed, n_startup_trials=s["nStartup"]), f"GPSampler (Gaussian process, {s['nStartup']} random start-up trials), as the page's GP search."
        why = "this Optuna has no GPSampler (added in 3.6)" if gp is None else "GPSampler needs SciPy, which is not installed"
        return (samplers.TPESampler(seed=seed, n_startup_trials=s["nStartup"]),
                f"TPESampler: the page searched with a Gaussian process, but {why}; TPE is the other model-based sampler.")
    if kind == "evolution":
        return (samplers.NSGAIISampler(population_size=s["populationSize"], seed=seed),
                f"NSGAIISampler with a population of {s['populationSize']}: a genetic algorithm (crossover, mutation, elitist selection) "
                "like the page's evolution. CMA-ES is not used: it needs the cmaes package and cannot search categorical parameters.")
    if kind == "manual":
        return samplers.RandomSampler(seed=seed), "RandomSampler: the page's search was manual; queue your own trials with study.enqueue_trial()."
    return samplers.RandomSampler(seed=seed), "RandomSampler, as the page's random search."


def make_pruner(manifest: dict):
    """The Optuna pruner of the page's pruner (steps are 1-based epochs), and a sentence."""
    p, pruners = manifest["pruner"], optuna.pruners
    if p["kind"] == "median":
        # the page never prunes at or before epoch warmupEpochs; Optuna prunes from step n_warmup_steps
        return (pruners.MedianPruner(n_startup_trials=p["warmupTrials"], n_warmup_steps=p["warmupEpochs"] + 1, interval_steps=1),
                f"MedianPruner (after {p['warmupTrials']} finished trials, from epoch {p['warmupEpochs'] + 1}).")
    if p["kind"] == "asha":
        return (pruners.SuccessiveHalvingPruner(min_resource=p["minEpochs"], reduction_factor=p["eta"], min_early_stopping_rate=0),
                f"SuccessiveHalvingPruner (rungs at {p['minEpochs']}·{p['eta']}^k epochs).")
    if p["kind"] == "hyperband":
        return (pruners.HyperbandPruner(min_resource=p["minEpochs"], max_resource=p["maxEpochs"], reduction_factor=p["eta"]),
                f"HyperbandPruner (epochs {p['minEpochs']}..{p['maxEpochs']}, reduction factor {p['eta']}).")
    return pruners.NopPruner(), "no pruning."


def journal_storage(path: str):
    """JournalStorage on a file: JournalFileBackend in Optuna 4, JournalFileStorage in Optuna 3."""
    try:
        from optuna.storages.journal import JournalFileBackend as backend
    except ImportError:
        from optuna.storages import JournalFileStorage as backend
    return optuna.storages.JournalStorage(backend(path))


class FileLock:
    """An exclusive lock on `path` for processes of one machine (SQLite, journal files)."""

    def __init__(self, path: str):
        self.path, self.f = path, None

    def __enter__(self):
        self.f = open(self.path, "a+b")
        try:
            import fcntl
            fcntl.flock(self.f.fileno(), fcntl.LOCK_EX)
        except ImportError:  # Windows
            import msvcrt
            while True:
                try:
                    msvcrt.locking(self.f.fileno(), msvcrt.LK_LOCK, 1)
                    break
                except OSError:
                    time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        try:
            import fcntl
            fcntl.flock(self.f.fileno(), fcntl.LOCK_UN)
        except ImportError:
            import msvcrt
            self.f.seek(0)
            msvcrt.locking(self.f.fileno(), msvcrt.LK_UNLCK, 1)
        self.f.close()
        return False


class DatabaseLock:
    """A database-wide lock (PostgreSQL advisory lock, MySQL GET_LOCK) shared by every machine."""

    def __init__(self, url: str, name: str):
        import sqlalchemy
        self.sa = sqlalchemy
        self.engine = sqlalchemy.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sqlalchemy.pool.NullPool)
        self.mysql = url.startswith("mysql")
        self.key = zlib.crc32(f"hpp:{name}".encode())
        self.name = f"hpp:{name}"[:64]
        self.conn = None

    def __enter__(self):
        self.conn = self.engine.connect()
        if self.mysql:
            while self.conn.execute(self.sa.text("SELECT GET_LOCK(:n, 60)"), {"n": self.name}).scalar() != 1:
                pass
        else:
            self.conn.execute(self.sa.text("SELECT pg_advisory_lock(:k)"), {"k": self.key})
        return self

    def __exit__(self, *exc):
        try:
            if self.mysql:
                self.conn.execute(self.sa.text("SELECT RELEASE_LOCK(:n)"), {"n": self.name})
            else:
                self.conn.execute(self.sa.text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
        finally:
            self.conn.close()
        return False


def postgres_driver(url: str) -> str:
    """A postgresql:// URL with the driver that is installed: SQLAlchemy 1.4 and 2.0 take psycopg2
    by default, 2.1 takes psycopg (3); either works with whichever is there."""
    import importlib.util
    have = lambda m: importlib.util.find_spec(m) is not None
    if have("psycopg2") and not have("psycopg"):
        return "postgresql+psycopg2://" + url[len("postgresql://"):]
    if have("psycopg") and not have("psycopg2"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def make_storage(args):
    """(storage, lock, description). The lock makes 'count the trials, then create one' atomic
    across processes, so that together they run exactly --n-trials trials."""
    if args.journal:
        # not <path>.lock: Optuna 3's journal uses that name for its own lock
        return journal_storage(args.journal), FileLock(args.journal + ".budget.lock"), f"journal file {args.journal}"
    url = args.storage or f"sqlite:///{args.study_name}.db"
    if url.startswith("postgres://"):  # Heroku-style; SQLAlchemy only knows postgresql://
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = postgres_driver(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        lock = FileLock(path + ".budget.lock") if path and path != ":memory:" else contextlib.nullcontext()
        return optuna.storages.RDBStorage(url), lock, url
    if url.startswith(("postgresql", "mysql")):
        lock = DatabaseLock(url, args.study_name)
        with lock:  # the first processes of a fresh database would race to create Optuna's tables
            storage = optuna.storages.RDBStorage(url, engine_kwargs={"pool_pre_ping": True})
        return storage, lock, url.split("@")[-1]
    log(f"warning: no cross-process lock for {url.split(':')[0]}; parallel processes may run a few trials over the budget.")
    return optuna.storages.RDBStorage(url), contextlib.nullcontext(), url


def pick_device(want: str) -> str:
    if want == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if want.startswith("cuda") and not torch.cuda.is_available():
        raise SystemExit("--device cuda: PyTorch sees no CUDA GPU here (torch.cuda.is_available() is False).")
    return want


def make_objective(manifest: dict, splits: list, device: str):
    """The trial: suggest the searched params, train every run (folds x repeats), report epochs of
    the first run to the pruner, store the mean curves as user attributes. Returns the value (the
    mean over runs of each run's end metric), None when a run diverged, or raises TrialPruned."""
    key = manifest["metric"]
    seeds = manifest["seeds"]
    ctx = {
        "device": device,
        "classification": manifest["task"] == "classification",
        "d": int(manifest["data"]["features"]),
        "n_out": int(manifest["nClasses"]),
        "training": manifest["training"],
        "early_stopping": manifest["earlyStopping"],
        "image": manifest["data"].get("image"),
    }
    TrialPruned = optuna.TrialPruned

    def objective(trial):
        app_params = suggest_params(trial, manifest["params"])
        spec = resolve_model(manifest["model"], app_params, manifest.get("applyOrder"), manifest.get("defaultConvBlock"))
        runs, started = [], time.perf_counter()

        def report(epoch, m):
            trial.report(m[key], epoch)
            return trial.should_prune()

        for repeat in range(max(1, int(manifest["repeats"]))):
            for fold, split in enumerate(splits):
                offset = repeat * seeds["repeatStride"] + fold * seeds["foldStride"]
                run = train_run(split, spec, ctx, seeds["trialBase"] + trial.number + offset, seeds["shuffle"] + offset,
                                report if not runs else None)
                runs.append(run)
                if run["status"] != "complete":
                    break
            if runs[-1]["status"] != "complete":
                break
        result = combine_runs(runs)
        ends = [end_value(r, key) for r in runs]
        value = sum(ends) / len(ends)
        attrs = {
            TRIAL_ATTRS["curves"]: curves_attr(result["epochs"]),
            TRIAL_ATTRS["status"]: result["status"],
            TRIAL_ATTRS["stopped_early"]: result["stopped_early"],
            TRIAL_ATTRS["restored_best"]: result["restored_best"],
            TRIAL_ATTRS["device"]: f"pytorch:{device}",
            TRIAL_ATTRS["time_ms"]: round((time.perf_counter() - started) * 1000, 1),
        }
        if result["best_epoch"] is not None:
            attrs[TRIAL_ATTRS["best_epoch"]] = result["best_epoch"]
        if result["param_count"] is not None:
            attrs[TRIAL_ATTRS["param_count"]] = int(result["param_count"])
        if result["test"] is not None:
            attrs[TRIAL_ATTRS["test"]] = result["test"]
        if result["message"]:
            attrs[TRIAL_ATTRS["message"]] = result["message"]
        for k, v in attrs.items():  # before the trial ends: a finished trial's attributes cannot change
            trial.set_user_attr(k, v)
        if result["status"] == "pruned":
            raise TrialPruned()
        if result["status"] != "complete" or not math.isfinite(value):
            return None
        return value

    return objective


def open_study(args, manifest: dict, storage, lock, sampler, pruner, sampler_note: str, pruner_note: str):
    """Creates the study or joins it (load_if_exists), refusing one made from another experiment."""
    with lock:
        study = optuna.create_study(storage=storage, study_name=args.study_name, direction=manifest["direction"],
                                    sampler=sampler, pruner=pruner, load_if_exists=True)
        attrs = study.user_attrs
        if STUDY_ATTRS["digest"] not in attrs:
            study.set_user_attr(STUDY_ATTRS["format"], manifest["optunaFormat"])
            study.set_user_attr(STUDY_ATTRS["experiment"], manifest["experiment"])
            study.set_user_attr(STUDY_ATTRS["metric"], manifest["metric"])
            study.set_user_attr(STUDY_ATTRS["param_names"], {p["name"]: p["app"] for p in manifest["params"]})
            ds = manifest["dataset"]
            study.set_user_attr(STUDY_ATTRS["dataset"], {k: ds[k] for k in ("id", "name", "task", "rows", "features", "classes", "dataHash") if k in ds})
            study.set_user_attr(STUDY_ATTRS["sampler"], {"sampler": sampler_note, "pruner": pruner_note, "optuna": optuna.__version__})
            study.set_user_attr(STUDY_ATTRS["digest"], manifest["digest"])
        elif attrs[STUDY_ATTRS["digest"]] != manifest["digest"]:
            raise SystemExit(f"Study {args.study_name!r} in this storage was made from another experiment or other data "
                             f"({attrs[STUDY_ATTRS['digest']]} != {manifest['digest']}): choose another --study-name.")
        else:
            # Joining a study another process made: with the same seed this sampler would propose
            # the same parameters as that process. The one that made the study keeps the seed.
            study.sampler.reseed_rng()
            log("joined an existing study: this process's sampler was re-seeded so it proposes its own trials.")
    return study


def tell(study, trial, value=None, state=None) -> None:
    if state is None:
        study.tell(trial, value)
    else:
        study.tell(trial, state=state)


def run_loop(study, storage, lock, objective, budget: int, key: str, quiet: bool, timeout: float) -> list:
    """Asks and trains trials until the study holds `budget` trials (whoever ran them)."""
    TrialState = optuna.trial.TrialState
    study_id = storage.get_study_id_from_name(study.study_name)
    mine, t0 = [], time.time()
    while timeout <= 0 or time.time() - t0 < timeout:
        with lock:
            if storage.get_n_trials(study_id) >= budget:
                break
            trial = study.ask()
            assign = getattr(study.sampler, "assign", None)
            if assign is not None:
                assign(study, trial)
        started = time.perf_counter()
        try:
            value = objective(trial)
        except optuna.TrialPruned:
            tell(study, trial, state=TrialState.PRUNED)
            state, value = "pruned", None
        except KeyboardInterrupt:
            trial.set_user_attr(TRIAL_ATTRS["status"], "cancelled")
            tell(study, trial, state=TrialState.FAIL)
            raise
        except Exception as e:  # a broken trial does not end the study
            trial.set_user_attr(TRIAL_ATTRS["status"], "failed")
            trial.set_user_attr(TRIAL_ATTRS["message"], f"{type(e).__name__}: {e}"[:2000])
            tell(study, trial, state=TrialState.FAIL)
            state, value = "failed", None
            log(f"trial {trial.number} failed: {type(e).__name__}: {e}")
        else:
            if value is None:
                tell(study, trial, state=TrialState.FAIL)
                state = "diverged"
            else:
                tell(study, trial, value=value)
                state = "complete"
        mine.append(trial.number)
        if not quiet:
            shown = f"{key}={value:.4f}" if value is not None else ""
            params = " ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in trial.params.items())
            log(f"trial {trial.number:>4} {state:<9} {shown:<16} {params}  ({time.perf_counter() - started:.1f} s)")
    return mine


def export_journal(study_name: str, storage, path: str) -> None:
    """Copies the study into a new Optuna journal file at `path` (the page's "Open Optuna journal")."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".hpp-journal-", dir=folder)
    os.close(fd)
    os.remove(tmp)
    try:
        optuna.copy_study(from_study_name=study_name, from_storage=storage, to_storage=journal_storage(tmp), to_study_name=study_name)
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, tmp + ".lock"):
            if os.path.exists(leftover):
                os.remove(leftover)


def parse_args(argv, manifest_default: str):
    p = argparse.ArgumentParser(description="Run the exported Hyperparameter Playground study with PyTorch and Optuna.")
    p.add_argument("--storage", help="Optuna RDB URL shared by every process: sqlite:///s1.db (one machine) or postgresql://user:pw@host/db (default: sqlite:///<study-name>.db)")
    p.add_argument("--journal", metavar="PATH", help="use an Optuna JournalStorage file instead of --storage")
    p.add_argument("--study-name", help="Optuna study name (default from study.json)")
    p.add_argument("--n-trials", type=int, help="trial budget of the whole study, over every process (default: the page's budget)")
    p.add_argument("--device", default="auto", help="auto (CUDA when PyTorch sees a GPU), cpu, cuda, cuda:1, ...")
    p.add_argument("--threads", type=int, default=0, help="PyTorch CPU threads (default: PyTorch's choice)")
    p.add_argument("--timeout", type=float, default=0, help="stop starting trials after this many seconds (0 = no limit)")
    p.add_argument("--export-journal", metavar="PATH", help="afterwards, write the whole study to a new journal file the page can open")
    p.add_argument("--config", default=manifest_default, help="study.json (default: next to this script)")
    p.add_argument("--data", help="data.npz (default: next to study.json)")
    p.add_argument("--dry-run", action="store_true", help="print the plan (sampler, pruner, data) and exit")
    p.add_argument("--quiet", action="store_true", help="no line per trial")
    p.add_argument("--verbose", action="store_true", help="Optuna's own log messages too")
    args = p.parse_args(argv)
    if args.storage and args.journal:
        p.error("give --storage or --journal, not both")
    return args


def main(argv=None) -> int:
    args = parse_args(argv, os.path.join(HERE, "study.json"))
    manifest = load_manifest(args.config)
    args.study_name = args.study_name or manifest["studyName"]
    budget = args.n_trials if args.n_trials is not None else int(manifest["budget"])
    if manifest["sampler"]["kind"] == "grid" and manifest["params"] and budget > manifest["sampler"]["gridSize"]:
        log(f"note: the grid has {manifest['sampler']['gridSize']} points; the budget is capped to it.")
        budget = manifest["sampler"]["gridSize"]
    optuna.logging.set_verbosity(optuna.logging.INFO if args.verbose else optuna.logging.WARNING)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    device = pick_device(args.device)
    data_path = args.data or os.path.join(os.path.dirname(os.path.abspath(args.config)), manifest["data"]["file"])
    with np.load(data_path, allow_pickle=False) as arrays:
        splits = prepare_splits(manifest, arrays)
    sampler, sampler_note = make_sampler(manifest)
    pruner, pruner_note = make_pruner(manifest)
    log(f"study {args.study_name!r}: {manifest['dataset']['name']} ({manifest['task']}), {manifest['validation']['splits']} split(s) x {manifest['repeats']} repeat(s), "
        f"{len(manifest['params'])} searched parameter(s), budget {budget}, device {device}, Optuna {optuna.__version__}, PyTorch {torch.__version__}")
    log(f"sampler: {sampler_note}")
    log(f"pruner: {pruner_note}")
    if args.dry_run:
        return 0
    storage, lock, where = make_storage(args)
    study = open_study(args, manifest, storage, lock, sampler, pruner, sampler_note, pruner_note)
    log(f"storage: {where}")
    objective = make_objective(manifest, splits, device)
    mine = run_loop(study, storage, lock, objective, budget, manifest["metric"], args.quiet, args.timeout)
    done = [t for t in study.get_trials(deepcopy=False) if t.state.is_finished()]
    log(f"this process ran {len(mine)} trial(s); the study has {len(done)} finished of {budget}.")
    try:
        best = study.best_trial
        log(f"best trial {best.number}: {manifest['metric']}={best.value:.4f} {best.params}")
    except ValueError:
        log("no trial completed.")
    if args.export_journal:
        export_journal(args.study_name, storage, args.export_journal)
        log(f"journal written: {args.export_journal}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
