"""The fast path of the triage: linear models on hashed character and word n-grams.

Character 1-5-grams of the normalised, case-folded text (with a space at each end, so word starts
and ends are features of their own) and word unigrams and bigrams are hashed into 2**18 buckets; a
text becomes a sparse vector of log-counts with unit length. Each head is a softmax regression on
that vector (L2-regularised, fitted by L-BFGS: deterministic, no random start). Featurising a batch
is a handful of numpy operations over all its characters at once, so the whole fast path costs well
under a millisecond a text; the sentence encoder (embedding.py) costs about 55 ms a text per core.

Character n-grams are what tells Croatian, Serbian and Bosnian apart (`tjedan`/`nedelja`/`sedmica`,
`uvijek`/`uvek`, `što`/`šta`) and what carries sentiment in languages whose words inflect heavily,
which is why they decide those languages' sentiment here (see triage.py for the cascade).

The weights ship in `weights/fast.npz` (float16), written by `python -m socialdesk.text.train`.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import regex
from scipy import sparse

from socialdesk.text.normalize import for_model

WEIGHTS = "weights/fast.npz"
BITS = 18
BUCKETS = 1 << BITS
NGRAMS = (1, 2, 3, 4, 5)
_PRIME = np.uint64(1_000_003)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_WORD_RE = regex.compile(r"[\p{L}\p{N}_#']+|\p{Extended_Pictographic}")
_DIGIT_RE = regex.compile(r"\d")


def prepare(text: str) -> str:
    """What the fast models read: the models' normalised text, case-folded, digits as 0."""
    return _DIGIT_RE.sub("0", for_model(text).casefold())


def features(texts: Sequence[str]) -> sparse.csr_matrix:
    """One row per text: hashed char 1-5-grams and word 1-2-grams, log(1 + count), unit length."""
    prepared = [prepare(t) for t in texts]
    n = len(prepared)
    rows_parts: list[np.ndarray] = []
    cols_parts: list[np.ndarray] = []
    # Characters: every text padded with spaces, texts separated by a NUL that no n-gram may cross.
    padded = [f" {t} " for t in prepared]
    joined = "\x00".join(padded)
    if joined:
        codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
        lengths = np.array([len(p) + 1 for p in padded], dtype=np.int64)
        doc = np.repeat(np.arange(n), lengths)[: len(codes)]
        breaks = np.concatenate([[0], np.cumsum(codes == 0)])
        h = np.zeros(len(codes), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for size in range(1, max(NGRAMS) + 1):
                count = len(codes) - size + 1
                if count <= 0:
                    break
                h = h[:count] * _PRIME + codes[size - 1: size - 1 + count]
                if size not in NGRAMS:
                    continue
                ok = breaks[size: size + count] == breaks[:count]
                bucket = ((h[ok] + np.uint64(size)) * _MIX) >> np.uint64(64 - BITS)
                rows_parts.append(doc[:count][ok])
                cols_parts.append(bucket.astype(np.int64))
    # Words and word pairs (hashed with CRC-32: the same on every machine and every run).
    word_rows, word_cols = [], []
    for row, text in enumerate(prepared):
        words = _WORD_RE.findall(text)
        for token in [*(f"w {w}" for w in words), *(f"b {a} {b}" for a, b in pairwise(words))]:
            word_rows.append(row)
            word_cols.append(zlib.crc32(token.encode("utf-8", "surrogatepass")) & (BUCKETS - 1))
    rows_parts.append(np.array(word_rows, dtype=np.int64))
    cols_parts.append(np.array(word_cols, dtype=np.int64))
    rows = np.concatenate(rows_parts)
    cols = np.concatenate(cols_parts)
    x = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, BUCKETS))
    x.sum_duplicates()
    x.data = np.log1p(x.data)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms.astype(np.float32)) @ x)


@dataclass
class LinearHead:
    labels: tuple[str, ...]
    weights: np.ndarray  # (BUCKETS, labels)
    bias: np.ndarray  # (labels,)

    def probabilities(self, x: sparse.csr_matrix) -> np.ndarray:
        z = np.asarray(x @ self.weights, dtype=np.float32) + self.bias
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, x: sparse.csr_matrix) -> list[str]:
        return [self.labels[i] for i in self.probabilities(x).argmax(axis=1)]


def fit(x: sparse.csr_matrix, y: Sequence[str], labels: Sequence[str], *, l2: float = 1e-4,
        balanced: bool = True, sample_weight: np.ndarray | None = None, iterations: int = 300) -> LinearHead:
    """Softmax regression with L2 (mean loss + l2/2 |W|^2), by L-BFGS from zero: deterministic."""
    index = {label: i for i, label in enumerate(labels)}
    target = np.array([index[label] for label in y])
    n, k = len(target), len(labels)
    weight = np.ones(n) if sample_weight is None else sample_weight.astype(np.float64)
    if balanced:
        counts = np.bincount(target, weights=weight, minlength=k)
        weight = weight * (weight.sum() / (k * np.maximum(counts, 1e-9)))[target]
    weight = weight / weight.sum()
    onehot = np.zeros((n, k))
    onehot[np.arange(n), target] = 1.0
    x = x.astype(np.float64).tocsr()
    xt = x.T.tocsr()
    dim = x.shape[1]

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w = theta[: dim * k].reshape(dim, k)
        b = theta[dim * k:]
        z = x @ w + b
        z -= z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        value = -float((weight[:, None] * onehot * logp).sum()) + 0.5 * l2 * float((w * w).sum())
        delta = (np.exp(logp) - onehot) * weight[:, None]
        grad_w = xt @ delta + l2 * w
        return value, np.concatenate([grad_w.ravel(), delta.sum(axis=0)])

    from scipy import optimize  # training only: scipy.optimize costs most of a second to import

    found = optimize.minimize(loss, np.zeros(dim * k + k), jac=True, method="L-BFGS-B",
                              options={"maxiter": iterations})
    w = found.x[: dim * k].reshape(dim, k).astype(np.float32)
    return LinearHead(tuple(labels), w, found.x[dim * k:].astype(np.float32))


def fit_naive_bayes(x: sparse.csr_matrix, y: Sequence[str], labels: Sequence[str], *, alpha: float = 0.01,
                    sample_weight: np.ndarray | None = None) -> LinearHead:
    """A multinomial naive Bayes on the same features, as a LinearHead with no prior (callers choose a
    cut-off or a mix on held-out data). Column c holds log P(feature | c) - log P(feature | first label):
    the same softmax, and a two-class head's first column is zero (it compresses to nothing). Closed form:
    deterministic, and a second to fit."""
    index = {label: i for i, label in enumerate(labels)}
    target = np.array([index[label] for label in y])
    weight = np.ones(len(target)) if sample_weight is None else sample_weight.astype(np.float64)
    onehot = sparse.csr_matrix((weight, (target, np.arange(len(target)))), shape=(len(labels), len(target)))
    counts = np.asarray((onehot @ x).todense(), dtype=np.float64).T + alpha  # (features, labels)
    logp = np.log(counts / counts.sum(axis=0))
    return LinearHead(tuple(labels), (logp - logp[:, :1]).astype(np.float32), np.zeros(len(labels), dtype=np.float32))


# Storage -------------------------------------------------------------------------------------------


def save(path: Path, heads: dict[str, LinearHead], meta: dict[str, Any]) -> None:
    arrays: dict[str, np.ndarray] = {"meta": np.array(json.dumps(meta, ensure_ascii=False, sort_keys=True))}
    for name, head in heads.items():
        arrays[f"{name}.labels"] = np.array(json.dumps(list(head.labels)))
        arrays[f"{name}.weights"] = head.weights.astype(np.float16)
        arrays[f"{name}.bias"] = head.bias.astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)


def load(path: Path) -> tuple[dict[str, LinearHead], dict[str, Any]]:
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: the package ships it; rebuild it with "
                                "`python -m socialdesk.text.train`")
    with np.load(path, allow_pickle=False) as stored:
        meta = json.loads(str(stored["meta"]))
        names = sorted({key.split(".")[0] for key in stored.files if key.endswith(".weights")})
        heads = {name: LinearHead(tuple(json.loads(str(stored[f"{name}.labels"]))),
                                  stored[f"{name}.weights"].astype(np.float32), stored[f"{name}.bias"])
                 for name in names}
    return heads, meta


def weights_path() -> Path:
    return Path(str(resources.files("socialdesk.text").joinpath(WEIGHTS)))


@dataclass(frozen=True)
class FastModel:
    heads: dict[str, LinearHead]
    meta: dict[str, Any]


@lru_cache(maxsize=1)
def model() -> FastModel | None:
    """The shipped fast heads, or None when the package has none (older weights)."""
    path = weights_path()
    if not path.exists():
        return None
    loaded, meta = load(path)
    return FastModel(loaded, meta)
