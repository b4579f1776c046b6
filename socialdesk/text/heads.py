"""Small classifiers on top of the shared sentence embedding: softmax regression, or one hidden layer.

Plain numpy, so the shipped weights need no machine-learning framework at run time, and training
stays reproducible (fixed seeds, full-batch steps for the linear case). A head costs microseconds
per text; the embedding is where the time goes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np


@dataclass
class Head:
    labels: tuple[str, ...]
    layers: list[tuple[np.ndarray, np.ndarray]]  # (weights, bias) per layer; ReLU between layers

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        h = x.astype(np.float32, copy=False)
        for i, (w, b) in enumerate(self.layers):
            h = h @ w + b
            if i < len(self.layers) - 1:
                h = np.maximum(h, 0.0)
        return _softmax(h)

    def predict(self, x: np.ndarray) -> list[str]:
        return [self.labels[i] for i in self.probabilities(x).argmax(axis=1)]


@dataclass(frozen=True)
class TrainSettings:
    hidden: int = 0  # 0: softmax regression
    l2: float = 1e-4
    epochs: int = 300
    learning_rate: float = 0.01
    batch_size: int = 0  # 0: the whole set at once
    balanced: bool = True  # weigh classes equally, whatever their share of the data
    seed: int = 20261126


def fit(x: np.ndarray, y: Sequence[str], labels: Sequence[str], settings: TrainSettings,
        sample_weight: np.ndarray | None = None) -> Head:
    """Cross-entropy with L2, optimised by Adam; deterministic for a seed."""
    rng = np.random.default_rng(settings.seed)
    index = {label: i for i, label in enumerate(labels)}
    unknown = sorted(set(y) - index.keys())
    if unknown:
        raise ValueError(f"labels {unknown} are not among {list(labels)}")
    target = np.array([index[label] for label in y])
    n, k = len(target), len(labels)
    onehot = np.zeros((n, k), dtype=np.float32)
    onehot[np.arange(n), target] = 1.0
    weight = np.ones(n, dtype=np.float32) if sample_weight is None else sample_weight.astype(np.float32)
    if settings.balanced:
        counts = np.bincount(target, weights=weight, minlength=k)
        weight = weight * (weight.sum() / (k * np.maximum(counts, 1e-9)))[target]
    sizes = [x.shape[1], *([settings.hidden] if settings.hidden else []), k]
    params: list[np.ndarray] = []
    for fan_in, fan_out in pairwise(sizes):
        params.append((rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)).astype(np.float32)
                      if settings.hidden else np.zeros((fan_in, fan_out), dtype=np.float32))
        params.append(np.zeros(fan_out, dtype=np.float32))
    moments = [np.zeros_like(p) for p in params]
    squares = [np.zeros_like(p) for p in params]
    step = 0
    batch = settings.batch_size or n
    for _ in range(settings.epochs):
        order = rng.permutation(n) if batch < n else np.arange(n)
        for start in range(0, n, batch):
            rows = order[start:start + batch]
            grads = _gradients(params, x[rows], onehot[rows], weight[rows], settings.l2)
            step += 1
            for p, g, m, v in zip(params, grads, moments, squares, strict=True):
                m *= 0.9
                m += 0.1 * g
                v *= 0.999
                v += 0.001 * g * g
                p -= settings.learning_rate * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
    return Head(tuple(labels), [(params[i], params[i + 1]) for i in range(0, len(params), 2)])


def _gradients(params: list[np.ndarray], x: np.ndarray, onehot: np.ndarray, weight: np.ndarray,
               l2: float) -> list[np.ndarray]:
    activations = [x]
    h = x
    layers = len(params) // 2
    for i in range(layers):
        h = h @ params[2 * i] + params[2 * i + 1]
        if i < layers - 1:
            h = np.maximum(h, 0.0)
            activations.append(h)
    delta = (_softmax(h) - onehot) * (weight / weight.sum())[:, None]
    grads: list[np.ndarray] = [np.empty(0)] * len(params)
    for i in reversed(range(layers)):
        grads[2 * i] = activations[i].T @ delta + l2 * params[2 * i]
        grads[2 * i + 1] = delta.sum(axis=0)
        if i > 0:
            delta = (delta @ params[2 * i].T) * (activations[i] > 0)
    return grads


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


# Storage ----------------------------------------------------------------------------------------


def save(path: Path, heads: dict[str, Head], meta: dict[str, Any],
         extra: dict[str, np.ndarray] | None = None) -> None:
    """Heads, their metadata and any other arrays the triage needs (the word model), in one file."""
    arrays: dict[str, np.ndarray] = {"meta": np.array(json.dumps(meta, ensure_ascii=False, sort_keys=True))}
    for name, head in heads.items():
        arrays[f"{name}.labels"] = np.array(json.dumps(list(head.labels)))
        for i, (w, b) in enumerate(head.layers):
            arrays[f"{name}.w{i}"] = w.astype(np.float32)
            arrays[f"{name}.b{i}"] = b.astype(np.float32)
    arrays.update(extra or {})
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)


def load(path: Path) -> tuple[dict[str, Head], dict[str, Any], dict[str, np.ndarray]]:
    """(heads, metadata, the other arrays)."""
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: the package ships it; rebuild it with "
                                "`python -m socialdesk.text.train`")
    with np.load(path, allow_pickle=False) as stored:
        meta = json.loads(str(stored["meta"]))
        names = sorted({key.split(".")[0] for key in stored.files if key.endswith(".w0")})
        heads, used = {}, {"meta"}
        for name in names:
            layers = []
            while f"{name}.w{len(layers)}" in stored.files:
                i = len(layers)
                layers.append((stored[f"{name}.w{i}"], stored[f"{name}.b{i}"]))
                used |= {f"{name}.w{i}", f"{name}.b{i}"}
            heads[name] = Head(tuple(json.loads(str(stored[f"{name}.labels"]))), layers)
            used.add(f"{name}.labels")
        extra = {key: stored[key] for key in stored.files if key not in used}
    return heads, meta, extra
