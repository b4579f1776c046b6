"""Triage: what a specialist needs to know about a message before reading it.

For each text: its language (hr/sr/bs handled as a group, see language.py), sentiment, whether it
is offensive, whether it is spam, and its intent (question, complaint, praise, purchase intent or
other), each with a confidence. One embedding pass per text (embedding.py) feeds every head
(heads.py), and a word model adds what the exact words say to sentiment (words.py); the weights ship in
`weights/triage.npz`, written by `python -m socialdesk.text.train`.

Identical texts are embedded once: within a batch, and across batches through a bounded cache,
since comments repeat ("❤️", "+1", copy-pasted spam) far more than prose does.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import regex

from socialdesk.text import embedding, heads
from socialdesk.text.entities import URL_RE
from socialdesk.text.language import Language, detect
from socialdesk.text.normalize import for_model
from socialdesk.text.words import WordModel

WEIGHTS = "weights/triage.npz"
WORDS_PREFIX = "sentiment_words"
INTENTS = ("question", "complaint", "praise", "purchase_intent", "other")
ASKING_INTENTS = frozenset({"question", "purchase_intent"})
_QUESTION_MARK_RE = regex.compile(r"[?¿？؟]")  # Latin, Spanish, fullwidth and Arabic question marks
_WORD_RE = regex.compile(r"[\p{L}\p{N}]")
CACHE_SIZE = 8192


@dataclass(frozen=True)
class TriageInput:
    text: str
    language_hint: str | None = None  # what the network reported, if anything
    channel_languages: Mapping[str, float] | None = None  # the audience's languages, weighted


@dataclass(frozen=True)
class Triage:
    language: str
    language_confidence: float
    language_group: str | None
    language_source: str
    sentiment: str  # negative | neutral | positive
    sentiment_score: float  # the model's probability for that sentiment
    offensive: bool
    offensive_score: float
    spam: bool
    spam_score: float
    intent: str
    intent_score: float
    question: bool  # asks something (a question or a purchase question, or ends in "?")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Model:
    heads: dict[str, heads.Head]
    meta: dict[str, Any]
    words: WordModel | None = None  # mixed into sentiment (words.py)

    def sentiment(self, texts: Sequence[str], x: np.ndarray) -> np.ndarray:
        """The sentiment head's probabilities, with the word model's mixed in where there is one."""
        found = self.heads["sentiment"].probabilities(x)
        mix = self.meta.get("sentiment_words", {})
        if self.words is None or not mix.get("weight"):
            return found
        found = found + float(mix["weight"]) * self.words.probabilities(texts, float(mix.get("temperature", 1.0)))
        return found / found.sum(axis=1, keepdims=True)

    @property
    def offensive_threshold(self) -> float:
        return float(self.meta.get("thresholds", {}).get("offensive", 0.5))

    @property
    def spam_threshold(self) -> float:
        return float(self.meta.get("thresholds", {}).get("spam", 0.5))


def weights_path() -> Path:
    return Path(str(resources.files("socialdesk.text").joinpath(WEIGHTS)))


@lru_cache(maxsize=1)
def model() -> Model:
    """The shipped heads, loaded once per process."""
    loaded, meta, extra = heads.load(weights_path())
    missing = {"sentiment", "offensive", "spam", "intent"} - loaded.keys()
    if missing:
        raise RuntimeError(f"{weights_path()} lacks the heads {sorted(missing)}; retrain with "
                           "`python -m socialdesk.text.train`")
    words = WordModel.from_arrays(extra, WORDS_PREFIX) if f"{WORDS_PREFIX}.words" in extra else None
    return Model(loaded, meta, words)


class _VectorCache:
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def vectors(self, inputs: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(inputs), embedding.DIM), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for row, text in enumerate(inputs):
                found = self._items.get(text)
                if found is None:
                    missing.setdefault(text, []).append(row)
                else:
                    self._items.move_to_end(text)
                    out[row] = found
        if missing:
            texts = list(missing)
            fresh = embedding.embed(texts)
            with self._lock:
                for text, vector in zip(texts, fresh, strict=True):
                    out[missing[text]] = vector
                    self._items[text] = vector
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return out


_cache = _VectorCache(CACHE_SIZE)


def forget_vectors() -> None:
    """Empty the cache of recent embeddings (benchmarks measure the encoder, not the cache)."""
    global _cache
    _cache = _VectorCache(CACHE_SIZE)


def vectors(texts: Sequence[str]) -> np.ndarray:
    """The shared embedding of each text, as the heads read it."""
    return _cache.vectors([for_model(t) for t in texts])


def triage(inputs: Sequence[TriageInput]) -> list[Triage]:
    """Triage a batch; the answer is in input order."""
    if not inputs:
        return []
    loaded = model()
    texts = [i.text for i in inputs]
    x = vectors(texts)
    sentiment = loaded.sentiment(texts, x)
    offensive = loaded.heads["offensive"].probabilities(x)
    spam = loaded.heads["spam"].probabilities(x)
    intent = loaded.heads["intent"].probabilities(x)
    results = []
    for row, item in enumerate(inputs):
        lang = detect(item.text, hint=item.language_hint, channel=item.channel_languages)
        results.append(_one(loaded, item.text, lang, sentiment[row], offensive[row], spam[row], intent[row]))
    return results


def _one(loaded: Model, text: str, lang: Language, sentiment: np.ndarray, offensive: np.ndarray,
         spam: np.ndarray, intent: np.ndarray) -> Triage:
    s_labels, i_labels = loaded.heads["sentiment"].labels, loaded.heads["intent"].labels
    s, i = int(sentiment.argmax()), int(intent.argmax())
    if not _WORD_RE.search(text):
        # Nothing but emoji, punctuation or space: the intent head still picks a class for the empty
        # embedding (often "question"), but such a text asks nothing.
        i = i_labels.index("other")
    offensive_score = float(offensive[loaded.heads["offensive"].labels.index("yes")])
    spam_score = float(spam[loaded.heads["spam"].labels.index("yes")])
    asks = i_labels[i] in ASKING_INTENTS or bool(_QUESTION_MARK_RE.search(URL_RE.sub(" ", text)))
    # The spam head learnt from English YouTube comments, where "money" and "!!" mean spam; an angry
    # customer asking for a refund says the same words. Missing a spam costs a click, hiding a complaint
    # from the queue costs a customer: a negative complaint is never spam by the model's word alone.
    complaint = s_labels[s] == "negative" and i_labels[i] == "complaint"
    return Triage(
        language=lang.code, language_confidence=lang.confidence, language_group=lang.group,
        language_source=lang.decided_by,
        sentiment=s_labels[s], sentiment_score=round(float(sentiment[s]), 4),
        offensive=offensive_score >= loaded.offensive_threshold, offensive_score=round(offensive_score, 4),
        spam=spam_score >= loaded.spam_threshold and not complaint, spam_score=round(spam_score, 4),
        intent=i_labels[i], intent_score=round(float(intent[i]), 4), question=asks,
    )
