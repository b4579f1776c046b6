"""How easy a text is to read, in plain words, and how long it takes.

Calibrated formulas where a language has one: Flesch Reading Ease for English, Amstad's Flesch for
German, Fernández Huerta for Spanish, Oborneva's Flesch for Russian (textstat, syllables from pyphen).
Croatian, Serbian and Bosnian have no calibrated Flesch, so they get LIX (word and sentence length,
no syllables): below 30 very easy, 30–40 easy, 40–50 plain, 50–60 hard, above 60 very hard.
Hashtags, mentions, links and emoji are taken out first.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

import regex

from socialdesk.studio.writing.tokens import protected_spans

WORDS_PER_MINUTE = 220
_WORD_RE = regex.compile(r"\p{L}[\p{L}\p{M}'’\-]*")
_SENTENCE_RE = regex.compile(r"[.!?…]+(?=\s|$)|\n{2,}")
_lock = threading.Lock()
_textstat: Any = None
# textstat's language code per our language (Flesch constants for de, es, ru).
FLESCH = {"en": "en_US", "de": "de", "es": "es", "ru": "ru"}


@dataclass(frozen=True)
class Readability:
    formula: str  # "Flesch Reading Ease" | "LIX" ...
    score: float
    verdict: str  # plain words: "Easy to read"
    words: int
    sentences: int
    reading_minutes: int  # rounded up; 0 for a post read in seconds
    reading_seconds: int

    def as_dict(self) -> dict[str, object]:
        return {"formula": self.formula, "score": round(self.score, 1), "verdict": self.verdict,
                "words": self.words, "sentences": self.sentences, "reading_minutes": self.reading_minutes,
                "reading_seconds": self.reading_seconds}


def _stat() -> Any:
    global _textstat
    with _lock:
        if _textstat is None:
            import textstat
            import textstat.backend.counts._count_syllables as counts

            # textstat would download NLTK's cmudict for English (offline: LookupError); pyphen's bundled
            # en_US hyphenation dictionary counts the syllables instead.
            counts.get_cmudict = lambda lang: None  # type: ignore[attr-defined]
            _textstat = textstat
        return _textstat


def plain(text: str) -> str:
    pieces, last = [], 0
    for start, end in protected_spans(text):
        if start >= last:
            pieces.append(text[last:start])
            last = end
    pieces.append(text[last:])
    return regex.sub(r"\p{Extended_Pictographic}|[\uFE0F\u200D]", " ", "".join(pieces))


def _flesch_verdict(score: float) -> str:
    for floor, verdict in ((80, "Very easy to read"), (65, "Easy to read"), (50, "Plain: fine for most readers"),
                           (30, "Hard: shorten sentences and words"), (-math.inf, "Very hard: split it up")):
        if score >= floor:
            return verdict
    return ""  # pragma: no cover


def _lix_verdict(score: float) -> str:
    for ceiling, verdict in ((30, "Very easy to read"), (40, "Easy to read"), (50, "Plain: fine for most readers"),
                             (60, "Hard: shorten sentences and words"), (math.inf, "Very hard: split it up")):
        if score < ceiling:
            return verdict
    return ""  # pragma: no cover


def _wiener_verdict(grade: float) -> str:
    # Wiener Sachtextformel: a school grade, 4 (easy) to 15 (very hard).
    return _flesch_verdict(100 - (grade - 4) * 8)


def measure(text: str, language: str) -> Readability | None:
    """None when there is too little text to judge (fewer than 5 words)."""
    body = plain(text)
    words = _WORD_RE.findall(body)
    if len(words) < 5:
        return None
    sentences = max(1, len([s for s in _SENTENCE_RE.split(body) if _WORD_RE.search(s)]))
    seconds = math.ceil(len(words) / WORDS_PER_MINUTE * 60)
    minutes = math.ceil(len(words) / WORDS_PER_MINUTE) if len(words) >= WORDS_PER_MINUTE / 2 else 0
    if language in FLESCH:
        stat = _stat()
        with _lock:
            stat.set_lang(FLESCH[language])
            if language == "de":
                score = float(stat.wiener_sachtextformel(body, 1))
                return Readability("Wiener Sachtextformel (school grade)", score, _wiener_verdict(score),
                                   len(words), sentences, minutes, seconds)
            if language == "es":
                score = float(stat.fernandez_huerta(body))
                return Readability("Fernández Huerta", score, _flesch_verdict(score), len(words), sentences,
                                   minutes, seconds)
            score = float(stat.flesch_reading_ease(body))
        return Readability("Flesch Reading Ease", score, _flesch_verdict(score), len(words), sentences, minutes,
                           seconds)
    long_words = sum(1 for w in words if len(w) > 6)
    score = len(words) / sentences + 100 * long_words / len(words)
    return Readability("LIX", score, _lix_verdict(score), len(words), sentences, minutes, seconds)
