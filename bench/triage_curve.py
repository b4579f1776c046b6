"""The cascade's accuracy against the share of texts the encoder reads, for choosing the shipped point.

    python bench/triage_curve.py [--quick] [--data ../shared/data]

Sweeps the routing settings of the cascade (socialdesk/text/triage.py: how sure the fast sentiment head must be
to answer alone, the non-English offensive floor, the English offensive band) with the shipped heads, and for
each prints the share of UMSAB validation tweets the encoder reads, UMSAB mean macro-F1, OLID F1 (and its
share), the challenge set (all rows right, and non-English offensive right) and the texts/s that share implies
on two free cores from CPU ms a text (FAST_MS, ENCODER_MS: measured by `bench/triage.py`; timing here would only
measure the neighbours on a shared machine). Validation splits only; the embeddings come from the training cache
(`python -m socialdesk.text.train` or `bench/triage.py` fills it), the challenge set's from the encoder.
`--quick`: 60 tweets a language, 300 OLID tweets.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from triage import challenge, challenge_scores, sample  # bench/triage.py

from socialdesk.text import datasets
from socialdesk.text import triage as models
from socialdesk.text.datasets import SENTIMENTS, Labelled
from socialdesk.text.embedding_cache import embed_cached
from socialdesk.text.metrics import f1, macro_f1

FAST_MS, ENCODER_MS = 0.51, 36.0  # CPU ms a text, bench/triage.py on 2026-12-07 (docs/models.md, Speed)
# (sure, non-English floor, English band); None: the shipped value. A floor or band bound of 1.01 is "never".
POINTS = [(2.0, 0.0, (0.0, 1.01)), (None, None, None), (0.5, None, None), (None, 1.01, None), (0.5, 1.01, None),
          (0.4, 1.01, None), (0.4, 0.5, None), (0.0, 1.01, (1.01, 1.01))]


def triage_cached(labelled: Labelled) -> list[models.Triage]:
    return models.triage([models.TriageInput(t) for t in labelled.texts], encoder="auto",
                         embed=lambda texts: embed_cached(labelled.name, list(texts), None))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--data", type=Path, default=None)
    args = parser.parse_args()
    data = args.data or datasets.default_data_dir()
    umsab = [sample(datasets.umsab(data, lang, "val"), 60 if args.quick else None) for lang in datasets.UMSAB_LANGUAGES]
    olid = sample(datasets.offensive(data, "val"), 300 if args.quick else None)
    rows = challenge()
    original = models.cascade_settings
    shipped = original()
    floor = models.NON_ENGLISH_OFFENSIVE_FLOOR
    print(f"{'sure >=':>8}{'non-en floor':>14}{'en band':>14}{'encoded':>9}{'UMSAB':>7}{'OLID':>6}{'(encoded)':>10}"
          f"{'challenge':>10}{'non-en off':>11}{'texts/s':>9}")
    results = []
    try:
        for sure, non_english, band in POINTS:
            settings = {**shipped, "sentiment_confidence": shipped["sentiment_confidence"] if sure is None else sure,
                        "offensive_band": list(shipped["offensive_band"] if band is None else band)}
            models.cascade_settings = lambda settings=settings: settings  # type: ignore[assignment]
            models.NON_ENGLISH_OFFENSIVE_FLOOR = floor if non_english is None else non_english
            figures, encoded, total = [], 0, 0
            for s in umsab:
                found = triage_cached(s)
                figures.append(macro_f1(s.labels, [r.sentiment for r in found], SENTIMENTS))
                encoded += sum(r.model == "encoder" for r in found)
                total += len(found)
            found = triage_cached(olid)
            olid_f1 = f1(olid.labels, ["yes" if r.offensive else "no" for r in found], "yes")
            olid_share = float(np.mean([r.model == "encoder" for r in found]))
            answers = models.triage([models.TriageInput(r["text"]) for r in rows], encoder="auto")
            right = challenge_scores(rows, answers)["all"]
            non_en = float(np.mean([a.offensive == (r["offensive"] == "yes") for r, a in zip(rows, answers, strict=True)
                                    if r["language"] not in ("en", "-")]))
            share = encoded / total
            per_s = 2000 / (FAST_MS + share * ENCODER_MS)
            results.append((share, float(np.mean(figures)), olid_f1, per_s))
            print(f"{settings['sentiment_confidence']:>8}{models.NON_ENGLISH_OFFENSIVE_FLOOR:>14}"
                  f"{settings['offensive_band']!s:>14}{100 * share:>8.1f}%{100 * np.mean(figures):>7.1f}"
                  f"{100 * olid_f1:>6.1f}{100 * olid_share:>9.0f}%{100 * right:>10.1f}{100 * non_en:>11.1f}"
                  f"{per_s:>9.0f}",
                  flush=True)
    finally:
        models.cascade_settings = original  # type: ignore[assignment]
        models.NON_ENGLISH_OFFENSIVE_FLOOR = floor
    share, umsab_f1, olid_f1, per_s = results[1]
    print(f"triage_curve: shipped_encoder_share={share:.3f} shipped_umsab_f1={umsab_f1:.3f} "
          f"shipped_olid_f1={olid_f1:.3f} shipped_texts_per_s={per_s:.0f} points={len(results)}")


if __name__ == "__main__":
    main()
