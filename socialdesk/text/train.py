"""Retrain every triage head from the public data and write the weights the package ships.

    python -m socialdesk.text.train [--data ../shared/data] [--cache DIR] [--out PATH]

Train splits train; validation splits choose the settings (regularisation, a hidden layer or not,
the offensive and spam thresholds) and give the figures written into the weights' metadata and
docs/models.md. No test split is read. Intent has no public data in these languages: its head
learns from the hand-written examples in `seed/intents.tsv`, and its figure is leave-one-language-
out accuracy on them. Embeddings are cached on disk (embedding_cache.py), so only the first run
waits for the encoder (about 45,000 texts: most of an hour on two cores).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from socialdesk.text import datasets, embedding, heads, words
from socialdesk.text.datasets import SENTIMENTS, UMSAB_LANGUAGES, Labelled
from socialdesk.text.embedding_cache import embed_cached
from socialdesk.text.metrics import accuracy, f1, macro_f1
from socialdesk.text.triage import INTENTS, WORDS_PREFIX, weights_path

Embed = Callable[[Labelled], np.ndarray]
BINARY = ("no", "yes")
# Ordinary tweets added to the spam head's "no" side, so that it does not learn "anything unlike a
# YouTube music comment is spam" (YouTube ham is nearly all about the songs).
HAM_TWEETS_PER_LANGUAGE = 250
# The public offensive and spam sets are English only: hand-written examples in the audience's other
# languages (seed/*.tsv), and ordinary comments as "no", keep the heads from learning that a complaint
# about money is spam or that anger is abuse. Each counts as this many public examples.
SEED_WEIGHT = 5.0

SENTIMENT_GRID = (
    heads.TrainSettings(l2=1e-4, epochs=400, learning_rate=0.02),
    heads.TrainSettings(l2=1e-3, epochs=400, learning_rate=0.02),
    heads.TrainSettings(hidden=256, l2=1e-4, epochs=30, learning_rate=0.002, batch_size=256),
    heads.TrainSettings(hidden=512, l2=3e-4, epochs=30, learning_rate=0.002, batch_size=256),
)
BINARY_GRID = (
    heads.TrainSettings(l2=1e-4, epochs=400, learning_rate=0.02),
    heads.TrainSettings(hidden=256, l2=1e-4, epochs=30, learning_rate=0.002, batch_size=256),
)
INTENT_SETTINGS = heads.TrainSettings(l2=1e-3, epochs=600, learning_rate=0.05)
WORD_TEMPERATURES = (1.0, 3.0)
WORD_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True)
class Choice:
    settings: dict[str, Any]
    figure: float  # the validation figure it was chosen by
    details: dict[str, float]


def seed(name: str) -> Labelled:
    """A hand-written seed set shipped with the package: `label<TAB>language<TAB>text`."""
    path = Path(str(resources.files("socialdesk.text").joinpath(f"seed/{name}.tsv")))
    texts, labels, languages = [], [], []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            texts.append(row["text"])
            labels.append(row["label"])
            languages.append(row["language"])
    return Labelled(f"seed-{name}", texts, labels, ",".join(languages))


def _with_seed(x: np.ndarray, y: list[str], extra: Sequence[tuple[np.ndarray, list[str]]]
               ) -> tuple[np.ndarray, list[str], np.ndarray]:
    """The public training set plus hand-written seed examples, which weigh SEED_WEIGHT each."""
    weight = [np.ones(len(y), dtype=np.float32)]
    for seed_x, seed_y in extra:
        x = np.vstack([x, seed_x])
        y = y + seed_y
        weight.append(np.full(len(seed_y), SEED_WEIGHT, dtype=np.float32))
    return x, y, np.concatenate(weight)


# Sentiment -------------------------------------------------------------------------------------------


def sentiment_figures(head: heads.Head, val: Sequence[tuple[Labelled, np.ndarray]]) -> dict[str, float]:
    figures = {s.language or s.name: macro_f1(s.labels, head.predict(x), SENTIMENTS) for s, x in val}
    figures["mean"] = float(np.mean(list(figures.values())))
    return figures


def train_sentiment(train: Sequence[tuple[Labelled, np.ndarray]], val: Sequence[tuple[Labelled, np.ndarray]],
                    grid: Sequence[heads.TrainSettings] = SENTIMENT_GRID, log: Callable[[str], None] = print,
                    extra: Sequence[tuple[np.ndarray, list[str]]] = ()) -> tuple[heads.Head, Choice]:
    x, y, weight = _with_seed(np.vstack([v for _, v in train]), [label for s, _ in train for label in s.labels],
                              extra)
    best: tuple[heads.Head, Choice] | None = None
    for settings in grid:
        head = heads.fit(x, y, SENTIMENTS, settings, sample_weight=weight)
        figures = sentiment_figures(head, val)
        log(f"  sentiment {_describe(settings)}: mean macro-F1 {figures['mean']:.4f}")
        if best is None or figures["mean"] > best[1].figure:
            best = head, Choice(asdict(settings), figures["mean"], figures)
    assert best is not None
    return best


def train_sentiment_words(head: heads.Head, train: Sequence[tuple[Labelled, np.ndarray]],
                          val: Sequence[tuple[Labelled, np.ndarray]], log: Callable[[str], None] = print
                          ) -> tuple[words.WordModel, Choice]:
    """The word model on the same train splits, and how much of it to mix in (chosen on validation)."""
    model = words.fit([t for s, _ in train for t in s.texts], [y for s, _ in train for y in s.labels], SENTIMENTS)
    embedded = [(s, head.probabilities(x)) for s, x in val]
    counted = [(s, [model.probabilities(s.texts, t) for t in WORD_TEMPERATURES]) for s, _ in val]
    best: Choice | None = None
    for ti, temperature in enumerate(WORD_TEMPERATURES):
        for weight in WORD_WEIGHTS:
            figures = {}
            for (s, probs), (_, by_t) in zip(embedded, counted, strict=True):
                mixed = probs + weight * by_t[ti]
                figures[s.language or s.name] = macro_f1(s.labels, [SENTIMENTS[i] for i in mixed.argmax(axis=1)],
                                                         SENTIMENTS)
            figures["mean"] = float(np.mean(list(figures.values())))
            if best is None or figures["mean"] > best.figure:
                best = Choice({"weight": weight, "temperature": temperature}, figures["mean"], figures)
    assert best is not None
    log(f"  sentiment + words ({len(model.vocabulary):,} words and pairs): mean macro-F1 {best.figure:.4f} "
        f"with weight {best.settings['weight']}, temperature {best.settings['temperature']}")
    return model, best


# Offensive and spam ------------------------------------------------------------------------------------


def best_threshold(truth: Sequence[str], scores: np.ndarray) -> tuple[float, float]:
    """The score cut-off with the best F1 for "yes" (ties: the higher cut-off, fewer false flags)."""
    best = (0.5, f1(truth, ["yes" if s >= 0.5 else "no" for s in scores], "yes"))
    for cut in np.round(np.arange(0.1, 0.91, 0.025), 3):
        score = f1(truth, ["yes" if s >= cut else "no" for s in scores], "yes")
        if score > best[1] or (score == best[1] and cut > best[0]):
            best = (float(cut), score)
    return best


def train_binary(name: str, x: np.ndarray, y: Sequence[str], val_x: np.ndarray, val_y: Sequence[str],
                 grid: Sequence[heads.TrainSettings] = BINARY_GRID, weight: np.ndarray | None = None,
                 log: Callable[[str], None] = print) -> tuple[heads.Head, Choice]:
    best: tuple[heads.Head, Choice] | None = None
    for settings in grid:
        head = heads.fit(x, y, BINARY, settings, sample_weight=weight)
        scores = head.probabilities(val_x)[:, 1]
        cut, score = best_threshold(val_y, scores)
        log(f"  {name} {_describe(settings)}: F1 {score:.4f} at threshold {cut}")
        if best is None or score > best[1].figure:
            best = head, Choice({**asdict(settings), "threshold": cut}, score,
                                {"f1": score, "f1_at_0.5": f1(val_y, ["yes" if s >= 0.5 else "no" for s in scores],
                                                              "yes"), "threshold": cut})
    assert best is not None
    return best


# Intent ----------------------------------------------------------------------------------------------


def train_intent(examples: Labelled, x: np.ndarray) -> tuple[heads.Head, Choice]:
    languages = (examples.language or "").split(",")
    correct, total = 0, 0
    for held_out in sorted(set(languages)):
        keep = np.array([lang != held_out for lang in languages])
        head = heads.fit(x[keep], [y for y, k in zip(examples.labels, keep, strict=True) if k], INTENTS,
                         INTENT_SETTINGS)
        predicted = head.predict(x[~keep])
        truth = [y for y, k in zip(examples.labels, keep, strict=True) if not k]
        correct += round(accuracy(truth, predicted) * len(truth))
        total += len(truth)
    figure = correct / total
    head = heads.fit(x, examples.labels, INTENTS, INTENT_SETTINGS)
    return head, Choice(asdict(INTENT_SETTINGS), figure, {"leave_one_language_out_accuracy": figure})


# Everything ------------------------------------------------------------------------------------------


def train_all(data: Path, embed: Embed, log: Callable[[str], None] = print,
              languages: Sequence[str] = tuple(UMSAB_LANGUAGES)
              ) -> tuple[dict[str, heads.Head], dict[str, Any], dict[str, np.ndarray]]:
    def pair(labelled: Labelled) -> tuple[Labelled, np.ndarray]:
        return labelled, embed(labelled)

    log("sentiment: UMSAB train + seed/sentiment.tsv, chosen on UMSAB validation")
    s_train = [pair(datasets.umsab(data, lang, "train")) for lang in languages]
    s_val = [pair(datasets.umsab(data, lang, "val")) for lang in languages]
    s_seed, s_seed_x = pair(seed("sentiment"))
    sentiment, s_choice = train_sentiment(s_train, s_val, log=log, extra=[(s_seed_x, s_seed.labels)])
    word_model, w_choice = train_sentiment_words(sentiment, s_train, s_val, log=log)

    intents, intents_x = pair(seed("intents"))
    ordinary = (intents_x, ["no"] * len(intents.texts))  # every intent example is an ordinary comment

    log("offensive: OLID and HatEval train + seed/offensive.tsv, chosen on OLID validation")
    parts = [pair(datasets.offensive(data, "train")), pair(datasets.hate(data, "train"))]
    o_seed, o_seed_x = pair(seed("offensive"))
    x, y, weight = _with_seed(np.vstack([x for _, x in parts]), [y for s, _ in parts for y in s.labels],
                              [(o_seed_x, [_yes(label, "offensive") for label in o_seed.labels]), ordinary])
    o_val, o_val_x = pair(datasets.offensive(data, "val"))
    offensive, o_choice = train_binary("offensive", x, y, o_val_x, o_val.labels, weight=weight, log=log)

    log("spam: YouTube spam train part + ordinary tweets as not spam + seed/spam.tsv, chosen on its held-out part")
    sp_train, sp_train_x = pair(datasets.spam(data, "train"))
    sp_val, sp_val_x = pair(datasets.spam(data, "val"))
    ham_x = np.vstack([x[:HAM_TWEETS_PER_LANGUAGE] for _, x in s_train])
    sp_seed, sp_seed_x = pair(seed("spam"))
    x, y, weight = _with_seed(np.vstack([sp_train_x, ham_x]), sp_train.labels + ["no"] * len(ham_x),
                              [(sp_seed_x, [_yes(label, "spam") for label in sp_seed.labels]), ordinary])
    spam, sp_choice = train_binary("spam", x, y, sp_val_x, sp_val.labels, weight=weight, log=log)
    ham_val_x = np.vstack([x for _, x in s_val])
    false_spam = float((spam.probabilities(ham_val_x)[:, 1] >= sp_choice.settings["threshold"]).mean())
    sp_choice.details["flagged_share_of_umsab_val_tweets"] = false_spam

    log("intent: hand-written examples (seed/intents.tsv), leave-one-language-out")
    intent, i_choice = train_intent(intents, intents_x)
    log(f"  intent: leave-one-language-out accuracy {i_choice.figure:.4f}")

    meta = {
        "encoder": embedding.MODEL_NAME, "query_prefix": embedding.PREFIX_IS_QUERY,
        "thresholds": {"offensive": o_choice.settings["threshold"], "spam": sp_choice.settings["threshold"]},
        "sentiment_words": w_choice.settings,
        "validation": {"sentiment_macro_f1": w_choice.details, "sentiment_macro_f1_embedding_only": s_choice.details,
                       "offensive": o_choice.details,
                       "spam": sp_choice.details, "intent": i_choice.details},
        "settings": {"sentiment": s_choice.settings, "offensive": o_choice.settings, "spam": sp_choice.settings,
                     "intent": i_choice.settings},
        "data": {"sentiment": "UMSAB (cardiffnlp/xlm-t) train, 8 languages: the head (+ seed) and the word model",
                 "offensive": "TweetEval offensive (OLID) + hate (HatEval) train",
                 "spam": "YouTube Spam Collection, 4/5 of train (+ UMSAB train tweets as not spam)",
                 "intent": "socialdesk/text/seed/intents.tsv (hand-written)",
                 "seed": "socialdesk/text/seed/{sentiment,offensive,spam,intents}.tsv, hand-written, weight "
                         f"{SEED_WEIGHT:g} each"},
    }
    return {"sentiment": sentiment, "offensive": offensive, "spam": spam, "intent": intent}, meta, \
        word_model.to_arrays(WORDS_PREFIX)


def _yes(label: str, positive: str) -> str:
    return "yes" if label == positive else "no"


def _describe(settings: heads.TrainSettings) -> str:
    kind = f"hidden {settings.hidden}" if settings.hidden else "linear"
    return f"[{kind}, l2 {settings.l2:g}]"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m socialdesk.text.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="folder with sentiment/, offensive/ and spam/")
    parser.add_argument("--cache", type=Path, default=None, help="where embeddings of the data are kept")
    parser.add_argument("--out", type=Path, default=None, help="weights file (default: the package's own)")
    args = parser.parse_args(argv)
    data = args.data or datasets.default_data_dir()
    out = args.out or weights_path()

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    def embed(labelled: Labelled) -> np.ndarray:
        return embed_cached(labelled.name, labelled.texts, args.cache, progress=True)

    trained, meta, extra = train_all(data, embed, log)
    heads.save(out, trained, meta, extra)
    log(f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
