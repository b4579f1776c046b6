"""Embeddings of the training sets kept on disk, so retraining a head takes seconds, not an hour.

Each data set's file maps a digest of each exact model input (the text after `normalize.for_model`,
with the encoder's name and prefix) to its vector. A change to the normalisation or the encoder
recomputes only the texts it changed.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from platformdirs import user_cache_dir

from socialdesk.text import embedding
from socialdesk.text.normalize import for_model


def default_cache_dir() -> Path:
    return Path(user_cache_dir("socialdesk")) / "triage-embeddings"


def key(model_input: str) -> str:
    salt = f"{embedding.MODEL_NAME}|query={embedding.PREFIX_IS_QUERY}|"
    return hashlib.sha1((salt + model_input).encode("utf-8", "surrogatepass")).hexdigest()


def load(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        return {}
    with np.load(path) as stored:
        return dict(zip((str(k) for k in stored["keys"]), stored["vectors"], strict=True))


def save(path: Path, known: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = sorted(known)
    vectors = np.stack([known[k] for k in keys]) if keys else np.zeros((0, embedding.DIM), dtype=np.float32)
    np.savez(path, keys=np.array(keys), vectors=vectors)


def embed_cached(name: str, texts: Sequence[str], cache_dir: Path | None, *, progress: bool = False) -> np.ndarray:
    inputs = [for_model(t) for t in texts]
    keys = [key(i) for i in inputs]
    path = (cache_dir or default_cache_dir()) / f"{name}.npz"
    known = load(path)
    missing = list(dict.fromkeys(i for i, k in zip(inputs, keys, strict=True) if k not in known))
    step = 512
    for start in range(0, len(missing), step):
        chunk = missing[start:start + step]
        for text, vector in zip(chunk, embedding.embed(chunk), strict=True):
            known[key(text)] = vector
        save(path, known)
        if progress:
            print(f"  {name}: {min(start + step, len(missing))}/{len(missing)} new texts embedded", file=sys.stderr,
                  flush=True)
    return np.stack([known[k] for k in keys]) if keys else np.zeros((0, embedding.DIM), dtype=np.float32)
