"""Held-out-train cross-validation of the encoder path's sentiment head and what could be mixed into it.

    nice -n 19 python bench/triage_heads_cv.py [--seeds 3] [--data ../shared/data]
    python bench/triage_heads_cv.py --quick    # 400 tweets a language, one seed: a check that it runs (~2 CPU min)

The last line is `triage_heads_cv: shipped_mix_f1=X ensemble_words05_f1=X tweets=N seeds=N`.

Issue 18 asks that settings be chosen on held-out *train* folds, never on validation: this reads only the
UMSAB train splits (and the hand-written seed). Folds: every fifth tweet of each language's file (row index
mod 5). For each fold it fits, on the other four, what `train.py` ships (the one-hidden-layer head, 256 units,
+ seed at weight 5; the word model; the fast character-n-gram head) and scores the held-out fifth. The mean
over the eight languages of macro-F1 on the pooled out-of-fold answers is printed for:

- the encoder head alone, one seed (the shipped one) and the mean logits of several seeds (an ensemble, which
  one wider hidden layer represents exactly, so triage.py would read it unchanged);
- the word model and the fast head mixed in as the cascade's encoder path does (probabilities), over a grid of
  weights, and as a log-linear stack (log encoder + a log words + b log fast);
- per-language class offsets on the log-probabilities, chosen on four folds of the out-of-fold answers and
  scored on the fifth (nested: no answer is scored by offsets chosen on it).

The encoder's embeddings come from the training cache (`python -m socialdesk.text.train` fills it; about 36 ms
a text on a free core the first time). No validation or test split is read.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy import sparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from socialdesk.text import datasets, fast, heads, words
from socialdesk.text.datasets import SENTIMENTS, UMSAB_LANGUAGES
from socialdesk.text.embedding_cache import embed_cached
from socialdesk.text.metrics import macro_f1
from socialdesk.text.train import FAST_L2, SEED_WEIGHT, SENTIMENT_GRID, seed

FOLDS = 5
SHIPPED = SENTIMENT_GRID[2]  # the setting train.py chose (weights' metadata: hidden 256, l2 1e-4)
WORD_TEMPERATURE = 3.0  # shipped
OFFSET_GRID = [np.array([low, 0.0, high]) for low in np.arange(-1, 1.01, 0.25) for high in np.arange(-1, 1.01, 0.25)]


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def out_of_fold(data: Path, seeds: int, log, limit: int | None = None) -> tuple[list, dict[int, list], list, list]:
    """(the train sets, encoder log-probabilities per seed, word-model and fast-head probabilities), each
    answer from the fit that did not see its tweet; `limit`: only each language's first tweets."""
    sets = [datasets.umsab(data, lang, "train") for lang in UMSAB_LANGUAGES]
    if limit:
        sets = [replace(s, texts=s.texts[:limit], labels=s.labels[:limit]) for s in sets]
    xs = [embed_cached(s.name, s.texts, None) for s in sets]
    fx = [fast.features(s.texts) for s in sets]
    extra = seed("sentiment")
    extra_x, extra_fx = embed_cached(extra.name, extra.texts, None), fast.features(extra.texts)
    folds = [np.arange(len(s.texts)) % FOLDS for s in sets]
    seed_list = [SHIPPED.seed + k for k in range(seeds)]
    enc = {sd: [np.zeros((len(s.texts), 3), np.float32) for s in sets] for sd in seed_list}
    wrd = [np.zeros((len(s.texts), 3), np.float32) for s in sets]
    fst = [np.zeros((len(s.texts), 3), np.float32) for s in sets]
    for f in range(FOLDS):
        keep = [fo != f for fo in folds]
        y = [label for s, k in zip(sets, keep, strict=True) for label, kk in zip(s.labels, k, strict=True) if kk]
        weight = np.r_[np.ones(len(y)), np.full(len(extra.labels), SEED_WEIGHT)].astype(np.float32)
        texts = [t for s, k in zip(sets, keep, strict=True) for t, kk in zip(s.texts, k, strict=True) if kk]
        word_model = words.fit(texts, y, SENTIMENTS)
        fast_head = fast.fit(sparse.vstack([x[k] for x, k in zip(fx, keep, strict=True)] + [extra_fx]).tocsr(),
                             y + extra.labels, SENTIMENTS, l2=FAST_L2["sentiment"], sample_weight=weight)
        x = np.vstack([x[k] for x, k in zip(xs, keep, strict=True)] + [extra_x])
        for i, (s, fo) in enumerate(zip(sets, folds, strict=True)):
            rows = fo == f
            wrd[i][rows] = word_model.probabilities([t for t, r in zip(s.texts, rows, strict=True) if r],
                                                    WORD_TEMPERATURE)
            fst[i][rows] = fast_head.probabilities(fx[i][rows])
        for sd in seed_list:
            head = heads.fit(x, y + extra.labels, SENTIMENTS, replace(SHIPPED, seed=sd), sample_weight=weight)
            for i, fo in enumerate(folds):
                enc[sd][i][fo == f] = np.log(head.probabilities(xs[i][fo == f]) + 1e-9)
        log(f"fold {f + 1}/{FOLDS} fitted")
    return sets, enc, wrd, fst


def mean_f1(sets: list, probs: list[np.ndarray]) -> float:
    return float(np.mean([macro_f1(s.labels, [SENTIMENTS[j] for j in p.argmax(axis=1)], SENTIMENTS)
                          for s, p in zip(sets, probs, strict=True)]))


def with_offsets(sets: list, probs: list[np.ndarray]) -> list[np.ndarray]:
    """Per-language offsets on the log-probabilities, chosen on four folds and applied to the fifth."""
    out = []
    for s, p in zip(sets, probs, strict=True):
        labels, z, fo = np.array(s.labels), np.log(p + 1e-9), np.arange(len(s.labels)) % FOLDS
        shifted = np.zeros_like(z)
        for f in range(FOLDS):
            fit = fo != f
            best = max(OFFSET_GRID, key=lambda g, fit=fit: macro_f1(
                list(labels[fit]), [SENTIMENTS[j] for j in (z[fit] + g).argmax(axis=1)], SENTIMENTS))
            shifted[fo == f] = z[fo == f] + best
        out.append(shifted)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--seeds", type=int, default=3, help="heads fitted per fold with different seeds")
    parser.add_argument("--quick", action="store_true", help="400 tweets a language, one seed")
    args = parser.parse_args()
    limit, seeds = (400, 1) if args.quick else (None, args.seeds)
    started = time.time()

    def log(line: str) -> None:
        print(f"[{time.time() - started:5.0f} s] {line}", file=sys.stderr, flush=True)

    sets, enc, wrd, fst = out_of_fold(args.data or datasets.default_data_dir(), seeds, log, limit)
    single = [softmax(z) for z in enc[SHIPPED.seed]]
    ensemble = [softmax(np.mean([enc[sd][i] for sd in enc], axis=0)) for i in range(len(sets))]

    def path(base: list[np.ndarray], word_weight: float, fast_weight: float) -> list[np.ndarray]:
        out = []
        for p, w, q in zip(base, wrd, fst, strict=True):
            mixed = p + word_weight * w
            out.append(fast_weight * q + (1 - fast_weight) * mixed / mixed.sum(axis=1, keepdims=True))
        return out

    print(f"held-out UMSAB train, mean macro-F1 over 8 languages ({FOLDS} folds, {len(enc)} seeds)")
    print(f"fast head alone: {mean_f1(sets, fst):.4f}; word model alone: {mean_f1(sets, wrd):.4f}")
    for name, base in (("one head (shipped seed)", single), (f"{len(enc)}-seed ensemble", ensemble)):
        print(f"{name}: alone {mean_f1(sets, base):.4f}")
        for word_weight, fast_weight in itertools.product((0.0, 0.5, 1.0, 1.5), (0.0, 0.25, 0.5)):
            figure = mean_f1(sets, path(base, word_weight, fast_weight))
            shipped = "  <- the shipped mix" if (word_weight, fast_weight) == (1.0, 0.25) else ""
            print(f"  + words {word_weight} + fast {fast_weight}: {figure:.4f}{shipped}")
        for a, b in itertools.product((0.5, 1.0), (0.25, 0.5, 1.0)):
            stacked = [np.log(p) + a * np.log(w + 1e-6) + b * np.log(q + 1e-6)
                       for p, w, q in zip(base, wrd, fst, strict=True)]
            print(f"  log-linear: log encoder + {a} log words + {b} log fast: {mean_f1(sets, stacked):.4f}")
        shipped_mix = path(base, 1.0, 0.25)
        print(f"  shipped mix + per-language offsets (nested): {mean_f1(sets, with_offsets(sets, shipped_mix)):.4f}")
    print(f"triage_heads_cv: shipped_mix_f1={mean_f1(sets, path(single, 1.0, 0.25)):.4f} "
          f"ensemble_words05_f1={mean_f1(sets, path(ensemble, 0.5, 0.25)):.4f} "
          f"tweets={sum(len(s.texts) for s in sets)} seeds={len(enc)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
