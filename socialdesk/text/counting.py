"""Text length as each network counts it.

No network counts `len(text)`:

- GRAPHEMES: user-perceived characters (`regex`'s `\\X`), so a flag, a family emoji or an "e" with a
  combining accent is 1. Bluesky, Mastodon (`each_grapheme_cluster.size` in its StatusLengthValidator),
  and the networks that do not document their unit.
- CODEPOINTS: Unicode code points, so a family emoji is 7 (Telegram).
- X_WEIGHTED: twitter-text v3. Latin, Cyrillic and the like weigh 1; CJK, Hangul and everything else
  2; an emoji weighs 2 however many code points it holds; a URL weighs 23 (t.co).
- UTF8_EMOJI: Threads counts characters, but an emoji as its UTF-8 bytes (😀 is 4, 👨‍👩‍👧‍👦 is 25).

`TextRules.url_length` makes each link count as that fixed length (Mastodon: 23), and
`TextRules.byte_limit` caps the UTF-8 size as well (Bluesky: 3000 bytes).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import regex

from socialdesk.networks.base import TextCounting, TextRules
from socialdesk.text.entities import Span, urls

# One emoji as a user sees it, after UTS #51's emoji sequence grammar: a pictograph with an optional
# skin tone, presentation selector or tag sequence (🏴󠁧󠁢󠁳󠁣󠁴󠁿), a flag (two regional indicators) or a keycap
# (1️⃣), joined by ZWJ into one (👩🏽‍💻, ❤️‍🔥). The `regex` module's Unicode data is current, unlike
# twitter-text-parser's emoji list of 2019. A stray accent or ZWJ after an emoji is not part of it,
# as in twitter-text. Any ZWJ-joined run is one emoji, listed by Unicode or not (`regex` has no RGI
# sequence property), so a made-up join such as 😷‍😷 weighs 2 on X where twitter-text says 5.
_EMOJI_PART = (
    r"(?:\p{Regional_Indicator}{2}"
    r"|[#*0-9]\uFE0F?\u20E3"
    r"|\p{Extended_Pictographic}(?:\p{Emoji_Modifier}|\uFE0F|[\U000E0020-\U000E007E]+\U000E007F)?)"
)
EMOJI_RE = regex.compile(rf"{_EMOJI_PART}(?:\u200D{_EMOJI_PART})*")
_GRAPHEME_RE = regex.compile(r"\X")
# Mastodon gives the 23-character concession only to links with a scheme (twitter-text's extractor
# with `extract_url_without_protocol: false`); a bare "primjer.hr/ljeto" counts in full.
_SCHEME_RE = re.compile(r"https?://", re.IGNORECASE)
_LINE_BREAK_RE = re.compile(r"\r\n|\r")
X_URL_LENGTH = 23  # twitter-text's transformed_url_length: every link becomes a t.co link


@dataclass(frozen=True)
class TextCount:
    length: int  # as the network counts it
    limit: int  # the caption limit when media is attached and the network has one
    bytes: int  # UTF-8
    byte_limit: int | None
    over_by: int  # characters over `limit`; 0 when within it
    remaining: int  # characters left before `limit`; 0 when over it
    ok: bool  # within both the character and the byte limit

    @property
    def bytes_over_by(self) -> int:
        return 0 if self.byte_limit is None else max(0, self.bytes - self.byte_limit)


def count(text: str, rules: TextRules, *, has_media: bool = False) -> TextCount:
    limit = rules.caption_limit if has_media and rules.caption_limit is not None else rules.limit
    length = measure(text, rules.counting, url_length=rules.url_length)
    size = len(text.encode("utf-8"))
    within_bytes = rules.byte_limit is None or size <= rules.byte_limit
    return TextCount(
        length=length,
        limit=limit,
        bytes=size,
        byte_limit=rules.byte_limit,
        over_by=max(0, length - limit),
        remaining=max(0, limit - length),
        ok=length <= limit and within_bytes,
    )


def measure(text: str, counting: TextCounting, *, url_length: int | None = None) -> int:
    """The length of `text` in the network's unit, each link counting `url_length` when given."""
    if counting is TextCounting.X_WEIGHTED:
        # X recognises links its own way (bare domains too) and always weighs them, 23 by default.
        return _x_weighted(text, url_length if url_length is not None else X_URL_LENGTH)
    unit = _UNITS[counting]
    if url_length is None:
        return unit(text)
    total, position = 0, 0
    for span in _countable_urls(text):
        total += unit(text[position:span.start]) + url_length
        position = span.end
    return total + unit(text[position:])


def graphemes(text: str) -> int:
    return len(_GRAPHEME_RE.findall(text))


def codepoints(text: str) -> int:
    return len(text)


def utf8_emoji(text: str) -> int:
    """Threads: an emoji counts as its UTF-8 bytes, any other character as one.

    "Character" outside emoji is taken as a code point: Meta does not say, and code points are never
    fewer than graphemes, so a text we accept is not refused for length.
    """
    total, position = 0, 0
    for match in EMOJI_RE.finditer(text):
        total += len(text[position:match.start()]) + len(match.group().encode("utf-8"))
        position = match.end()
    return total + len(text[position:])


_UNITS: dict[TextCounting, Callable[[str], int]] = {
    TextCounting.GRAPHEMES: graphemes,
    TextCounting.CODEPOINTS: codepoints,
    TextCounting.UTF8_EMOJI: utf8_emoji,
}


def _countable_urls(text: str) -> Iterable[Span]:
    return (span for span in urls(text) if _SCHEME_RE.match(span.value))


@dataclass(frozen=True)
class _TwitterText:
    extract_urls: Callable[[str], list[dict[str, Any]]]
    char_weight: Callable[[str], int]  # in 1/scale units
    emoji_weight: int
    scale: int


@cache
def _twitter_text() -> _TwitterText:
    # Imported on first use: the package builds a large emoji regex at import (~0.3 s) and imports
    # `pkg_resources`, which setuptools 81+ no longer ships, so only X counting pays for it or
    # depends on it.
    from twitter_text import extract_urls_with_indices
    from twitter_text.config import config
    from twitter_text.get_character_weight import get_character_weight

    options = config["defaults"]  # v3: 280 weighted characters, scale 100
    return _TwitterText(
        extract_urls=extract_urls_with_indices,
        char_weight=lambda char: get_character_weight(char, options),
        emoji_weight=options["default_weight"],
        scale=options["scale"],
    )


def _x_weighted(text: str, url_length: int) -> int:
    """twitter-text v3's weighted length (`parse_tweet(...).weightedLength`), with current emoji.

    twitter-text-parser 3.0.0 matches emoji against Unicode's emoji-test.txt of 2019 (Emoji 12), so
    every later ZWJ sequence is weighed per code point: ❤️‍🔥 as 5, 🧑‍🧑‍🧒 as 8, 🏳️‍⚧️ as 7
    instead of 2. The loop below is its `parse_tweet` loop with only the emoji test replaced by
    EMOJI_RE; its link extractor (TLD lists included) and weight table are used as they are.
    """
    tt = _twitter_text()
    # As twitter-text: NFC first (é typed as e + accent weighs 1), and CR LF is one line break.
    normalized = _LINE_BREAK_RE.sub("\n", unicodedata.normalize("NFC", text))
    link_ends = {found["indices"][0]: found["indices"][1] for found in tt.extract_urls(normalized)}
    weight, index = 0, 0
    while index < len(normalized):
        if index in link_ends:
            weight += url_length * tt.scale
            index = link_ends[index]
        elif emoji := EMOJI_RE.match(normalized, index):
            weight += tt.emoji_weight
            index = emoji.end()
        else:
            weight += tt.char_weight(normalized[index])
            index += 1
    return weight // tt.scale
