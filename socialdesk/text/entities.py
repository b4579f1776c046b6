"""Hashtags, mentions and links in a text, Unicode-aware (#ljeto2026, #Zagreb, #café)."""

from __future__ import annotations

from dataclasses import dataclass

import regex

# A URL with a scheme, or a bare domain with a known-looking TLD followed by an optional path.
URL_RE = regex.compile(
    r"(?<![\w@/])(?:https?://[^\s<>\"']+|(?:www\.)?[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.[a-z]{2,24}/[^\s<>\"']*)",
    regex.IGNORECASE,
)
HASHTAG_RE = regex.compile(r"(?<![\p{L}\p{N}_&/#])#([\p{L}\p{M}\p{N}_]*[\p{L}\p{M}][\p{L}\p{M}\p{N}_]*)")
MENTION_RE = regex.compile(r"(?<![\p{L}\p{N}_/])@([A-Za-z0-9_][A-Za-z0-9_.-]*[A-Za-z0-9_](?:@[\w.-]+\.\w+)?)")
_TRAILING = ".,;:!?)]}'\""


@dataclass(frozen=True)
class Span:
    start: int  # index in the Python string (code points)
    end: int
    value: str


def urls(text: str) -> list[Span]:
    found = []
    for m in URL_RE.finditer(text):
        value = _strip_trailing(m.group(0))
        found.append(Span(m.start(), m.start() + len(value), value))
    return found


def _strip_trailing(url: str) -> str:
    """Drop sentence punctuation after a link, but keep a closing bracket the link itself opened."""
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def hashtags(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), m.group(1)) for m in HASHTAG_RE.finditer(text)]


def mentions(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), m.group(1).rstrip(".")) for m in MENTION_RE.finditer(text)]
