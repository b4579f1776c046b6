"""Triage accuracy on the public validation splits, beside two baselines, and its speed.

    python bench/triage.py [--quick] [--data ../shared/data] [--no-cache] [--ingest N]

Accuracy (validation splits only; no test split is read): macro-F1 per UMSAB language and their mean,
F1 of "offensive" on TweetEval/OLID, F1 of "spam" on the held-out fifth of the YouTube Spam Collection,
and English sentiment on TweetEval. Beside the shipped model, in the same run:
- VADER (English lexicon; neutral for compound between -0.05 and 0.05), on English only;
- a multinomial naive Bayes on word unigrams and bigrams, trained here on the same train splits, for
  every language (roughly what a FastText-style bag of words gets).

Speed: the full triage (normalise, embed once, four heads, language) on distinct texts, in batches, on
the cores of this machine; then ingestion into the inbox (fetch pages stored, threaded, triage jobs
enqueued) of `--ingest` synthetic comments on SQLite, and the whole inbox minutes it implies.

`--quick` samples the validation sets and ingests 2,000 comments: under a minute. Embeddings of the
validation texts come from the training cache (`python -m socialdesk.text.train` fills it) unless
`--no-cache`; the speed figures never use it.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from socialdesk.text import datasets, embedding
from socialdesk.text import triage as models
from socialdesk.text.datasets import SENTIMENTS, Labelled
from socialdesk.text.embedding_cache import embed_cached
from socialdesk.text.metrics import f1, macro_f1
from socialdesk.text.normalize import for_model

_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


class NaiveBayes:
    """Multinomial naive Bayes on lower-cased word unigrams and bigrams, add-one smoothing."""

    def __init__(self, texts: Sequence[str], labels: Sequence[str]) -> None:
        self.labels = sorted(set(labels))
        self.counts: dict[str, Counter[str]] = {label: Counter() for label in self.labels}
        prior = Counter(labels)
        self.log_prior = {label: math.log(prior[label] / len(labels)) for label in self.labels}
        for text, label in zip(texts, labels, strict=True):
            self.counts[label].update(self.features(text))
        self.vocabulary = len(set().union(*self.counts.values()))
        self.totals = {label: sum(c.values()) for label, c in self.counts.items()}

    @staticmethod
    def features(text: str) -> list[str]:
        words = _TOKEN_RE.findall(for_model(text).lower())
        return words + [f"{a} {b}" for a, b in pairwise(words)]

    def predict(self, texts: Sequence[str]) -> list[str]:
        out = []
        for text in texts:
            found = self.features(text)
            scores = {label: self.log_prior[label] + sum(
                math.log((self.counts[label][w] + 1) / (self.totals[label] + self.vocabulary)) for w in found)
                for label in self.labels}
            out.append(max(scores, key=scores.__getitem__))
        return out


def vader(texts: Sequence[str]) -> list[str]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyser = SentimentIntensityAnalyzer()
    out = []
    for text in texts:
        score = analyser.polarity_scores(text)["compound"]
        out.append("positive" if score >= 0.05 else "negative" if score <= -0.05 else "neutral")
    return out


def sample(labelled: Labelled, n: int | None, seed: int = 7) -> Labelled:
    if n is None or n >= len(labelled.texts):
        return labelled
    rows = random.Random(seed).sample(range(len(labelled.texts)), n)
    return Labelled(labelled.name, [labelled.texts[i] for i in rows], [labelled.labels[i] for i in rows],
                    labelled.language)


def unseen(labelled: Labelled, seen: set[str]) -> Labelled:
    rows = [i for i, text in enumerate(labelled.texts) if text not in seen]
    return Labelled(f"{labelled.name}-unseen", [labelled.texts[i] for i in rows], [labelled.labels[i] for i in rows],
                    labelled.language)


def model_predictions(labelled: Labelled, use_cache: bool) -> dict[str, np.ndarray]:
    x = embed_cached(labelled.name, labelled.texts, None) if use_cache else models.vectors(labelled.texts)
    loaded = models.model()
    found = {name: head.probabilities(x) for name, head in loaded.heads.items()}
    found["sentiment"] = loaded.sentiment(labelled.texts, x)  # as triage does: the word model mixed in
    return found


def accuracy(data: Path, quick: bool, use_cache: bool) -> dict[str, float]:
    per_language = 60 if quick else None
    loaded = models.model()
    s_labels = list(loaded.heads["sentiment"].labels)
    print("Accuracy on the validation splits (F1 x 100)")
    print(f"{'data set':<28}{'n':>6}{'socialdesk':>12}{'naive Bayes':>13}{'VADER':>8}")

    trains = [datasets.umsab(data, lang, "train") for lang in datasets.UMSAB_LANGUAGES]
    bayes = NaiveBayes([t for s in trains for t in s.texts], [y for s in trains for y in s.labels])
    rows: dict[str, tuple[float, float]] = {}
    for lang in datasets.UMSAB_LANGUAGES:
        val = sample(datasets.umsab(data, lang, "val"), per_language)
        probs = model_predictions(val, use_cache)["sentiment"]
        ours = macro_f1(val.labels, [s_labels[i] for i in probs.argmax(axis=1)], SENTIMENTS)
        theirs = macro_f1(val.labels, bayes.predict(val.texts), SENTIMENTS)
        lexicon = f"{100 * macro_f1(val.labels, vader(val.texts), SENTIMENTS):8.1f}" if lang == "english" else \
            f"{'-':>8}"
        rows[lang] = (ours, theirs)
        print(f"{'UMSAB ' + lang:<28}{len(val.texts):>6}{100 * ours:>12.1f}{100 * theirs:>13.1f}{lexicon}")
    mean, mean_bayes = (float(np.mean([r[i] for r in rows.values()])) for i in (0, 1))
    print(f"{'UMSAB mean (8 languages)':<28}{'':>6}{100 * mean:>12.1f}{100 * mean_bayes:>13.1f}{'-':>8}")

    # TweetEval's validation tweets come from the same SemEval 2017 data as UMSAB's English train split
    # (1,430 of its 2,000 are in it): only the unseen ones are a fair test for either model.
    seen = {t for s in trains for t in s.texts}
    tweeteval = sample(unseen(datasets.tweeteval_sentiment_val(data), seen), 300 if quick else None)
    probs = model_predictions(tweeteval, use_cache)["sentiment"]
    print(f"{'TweetEval sentiment, unseen':<28}{len(tweeteval.texts):>6}"
          f"{100 * macro_f1(tweeteval.labels, [s_labels[i] for i in probs.argmax(axis=1)], SENTIMENTS):>12.1f}"
          f"{100 * macro_f1(tweeteval.labels, bayes.predict(tweeteval.texts), SENTIMENTS):>13.1f}"
          f"{100 * macro_f1(tweeteval.labels, vader(tweeteval.texts), SENTIMENTS):>8.1f}")

    o_train = [datasets.offensive(data, "train"), datasets.hate(data, "train")]
    o_bayes = NaiveBayes([t for s in o_train for t in s.texts], [y for s in o_train for y in s.labels])
    o_val = sample(datasets.offensive(data, "val"), 300 if quick else None)
    o_scores = model_predictions(o_val, use_cache)["offensive"][:, 1]
    offensive = f1(o_val.labels, ["yes" if s >= loaded.offensive_threshold else "no" for s in o_scores], "yes")
    print(f"{'OLID offensive (en)':<28}{len(o_val.texts):>6}{100 * offensive:>12.1f}"
          f"{100 * f1(o_val.labels, o_bayes.predict(o_val.texts), 'yes'):>13.1f}{'-':>8}")

    sp_train = datasets.spam(data, "train")
    sp_bayes = NaiveBayes(sp_train.texts, sp_train.labels)
    sp_val = datasets.spam(data, "val")
    sp_scores = model_predictions(sp_val, use_cache)["spam"][:, 1]
    spam = f1(sp_val.labels, ["yes" if s >= loaded.spam_threshold else "no" for s in sp_scores], "yes")
    print(f"{'YouTube spam, held out (en)':<28}{len(sp_val.texts):>6}{100 * spam:>12.1f}"
          f"{100 * f1(sp_val.labels, sp_bayes.predict(sp_val.texts), 'yes'):>13.1f}{'-':>8}")
    print("Published for reference (UMSAB test split, all languages): XLM-R base 66.8, FastText 51.0.")
    return {"sentiment": mean, "offensive": offensive, "spam": spam}


def throughput(data: Path, n: int, batch: int) -> float:
    """Texts per second of the whole triage on distinct texts (nothing cached)."""
    texts: list[str] = []
    for lang in datasets.UMSAB_LANGUAGES:
        texts += datasets.umsab(data, lang, "val").texts
    texts = list(dict.fromkeys(texts))
    random.Random(3).shuffle(texts)
    texts = texts[:n]
    models.triage([models.TriageInput("warm up the models")])  # loading is not what is measured
    models.forget_vectors()  # every text is new to the encoder
    started = time.perf_counter()
    for start in range(0, len(texts), batch):
        models.triage([models.TriageInput(t) for t in texts[start:start + batch]])
    took = time.perf_counter() - started
    tokens = np.mean([len(_TOKEN_RE.findall(t)) for t in texts])
    print(f"\nFull triage of {len(texts)} distinct tweets (about {tokens:.0f} words each), batches of {batch}, "
          f"{os.environ.get('OMP_NUM_THREADS') or os.cpu_count()} threads: {len(texts) / took:.1f} texts/s")
    return len(texts) / took


def ingestion(n: int, texts_per_s: float) -> None:
    """Store n comments the way a fetch does (pages of 100: de-duplicated, threaded, triage enqueued)."""
    folder = Path(tempfile.mkdtemp(prefix="triage-bench-"))
    os.environ["SOCIALDESK_DATA_DIR"] = str(folder)
    from socialdesk.core.crypto import generate_key

    os.environ["SOCIALDESK_SECRET_KEY"] = generate_key()
    from socialdesk.channels import service as channels
    from socialdesk.core.db import Database, set_database
    from socialdesk.core.schema import create_schema
    from socialdesk.inbox import service
    from socialdesk.networks.base import IncomingItem, IncomingKind
    from tests.helpers import make_world

    url = f"sqlite:///{folder / 'bench.db'}"
    create_schema(url)
    db = Database(url)
    set_database(db)
    world = make_world(db, "Bench", profiles=("facebook",))
    now = datetime.now(UTC)
    phrases = datasets.umsab(datasets.default_data_dir(), "english", "val").texts
    started = time.perf_counter()
    stored = 0
    for page in range(0, n, 100):
        items = []
        for i in range(page, min(page + 100, n)):
            parent = f"c{i - 1}" if i % 4 == 3 else None  # every fourth comment answers the one before
            items.append(IncomingItem(f"c{i}", IncomingKind.COMMENT, f"{phrases[i % len(phrases)]} #{i}",
                                      now - timedelta(seconds=n - i), f"u{i % 5000}", f"user{i % 5000}",
                                      post_external_id=f"p{i // 1000}", parent_external_id=parent))
        with db.unit_of_work() as session:
            channel = channels.get(world.ctx(session), world.channels["facebook"])
            stored += service.store_incoming(session, channel, items)  # what a fetch does with a page
    took = time.perf_counter() - started
    print(f"Ingestion of {stored:,} comments into the inbox (SQLite; stored, threaded, triage jobs enqueued): "
          f"{took / 60:.2f} min ({stored / took:,.0f} comments/s)")
    print(f"  their triage at {texts_per_s:.1f} texts/s on these cores: {stored / texts_per_s / 60:.1f} min; "
          f"both together: {(took + stored / texts_per_s) / 60:.1f} min")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="samples and 2,000 comments: under a minute")
    parser.add_argument("--data", type=Path, default=None, help="the folder with sentiment/, offensive/, spam/")
    parser.add_argument("--no-cache", action="store_true", help="embed the validation texts again")
    parser.add_argument("--throughput-texts", type=int, default=None)
    parser.add_argument("--batch", type=int, default=embedding.BATCH_SIZE)
    parser.add_argument("--ingest", type=int, default=None, help="comments to ingest (default 100,000; quick 2,000)")
    args = parser.parse_args()
    data = args.data or datasets.default_data_dir()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}; encoder {embedding.MODEL_NAME}")
    figures = accuracy(data, args.quick, not args.no_cache)
    speed = throughput(data, args.throughput_texts or (96 if args.quick else 1000), args.batch)
    ingestion(args.ingest or (2_000 if args.quick else 100_000), speed)
    print(f"triage: texts_per_s={speed:.1f} sentiment_macro_f1={figures['sentiment']:.3f} "
          f"offensive_f1={figures['offensive']:.3f} spam_f1={figures['spam']:.3f}")


if __name__ == "__main__":
    main()
