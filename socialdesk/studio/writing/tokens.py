"""The words of a post that spelling should look at: not hashtags, @mentions, links, e-mails, emoji or numbers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import regex

from socialdesk.text.entities import HASHTAG_RE, MENTION_RE, URL_RE

EMAIL_RE = regex.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A bare domain such as "shop.hr" or "example.com" (URL_RE wants a path after a bare domain).
# The top-level domain in lower case, so that "coffee.Great" (a missing space) is not taken for a domain.
DOMAIN_RE = regex.compile(r"(?<![\p{L}\p{N}@])(?:www\.)?[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.(?:[a-z]{2,6})\b")
# Letters with inner apostrophes or hyphens ("don't", "e-mail", "Jean-Luc"), nothing else.
WORD_RE = regex.compile(r"\p{L}[\p{L}\p{M}]*(?:['’\-]\p{L}[\p{L}\p{M}]*)*")


@dataclass(frozen=True)
class Word:
    start: int
    end: int
    text: str


def protected_spans(text: str) -> list[tuple[int, int]]:
    """Hashtags, mentions, links, e-mails and bare domains: never spell-checked, never rewritten."""
    spans: list[tuple[int, int]] = []
    for pattern in (URL_RE, EMAIL_RE, DOMAIN_RE, HASHTAG_RE, MENTION_RE):
        spans.extend((m.start(), m.end()) for m in pattern.finditer(text))
    return sorted(spans)


def words(text: str) -> Iterator[Word]:
    """The words outside protected spans; a word touching a digit ("2x", "mp3") is not a word here."""
    spans = protected_spans(text)
    index = 0
    for m in WORD_RE.finditer(text):
        start, end = m.span()
        while index < len(spans) and spans[index][1] <= start:
            index += 1
        if any(s < end and start < e for s, e in spans[index:index + 4]):
            continue
        if (start > 0 and text[start - 1].isdigit()) or (end < len(text) and text[end].isdigit()):
            continue
        if (start > 0 and text[start - 1] in "_#@/\\") or (end < len(text) and text[end] in "_@/\\"):
            continue
        yield Word(start, end, m.group(0))
