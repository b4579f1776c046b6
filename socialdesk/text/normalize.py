"""What the triage models read: a comment with its disguises taken off.

People who write abuse or spam dodge filters with leetspeak (`f1ck`, `p@s`), spaced-out letters
(`d e b i l`, `s.p.a.m`), look-alike letters (fullwidth, mathematical bold), invisible characters
and stretched words (`sooooo`). The models were trained on tweets in which users are `@user` and
links `http`, so comments are brought into the same shape. Emoji stay: they carry sentiment.

The displayed text is never changed; this is only the models' input.
"""

from __future__ import annotations

import unicodedata

import regex

from socialdesk.text.entities import MENTION_RE, URL_RE

# The models read at most this much of a text: the opinion is nearly always in the first lines, and
# a 100,000-character paste must not cost more than a tweet.
MAX_MODEL_CHARS = 600

# Zero-width and direction-control characters: invisible, so they only serve to split words.
_INVISIBLE_RE = regex.compile(r"[\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFE00-\uFE0E\uFEFF]")
# Three or more single letters joined by the same space, dot, dash, underscore or asterisk: "f u c k",
# "д.е.б.и.л", "S-C-A-M". Two letters are left alone, as "a b" is too often real.
_SPACED_RE = regex.compile(r"(?<![\p{L}\p{N}])\p{L}([ ._*\-])\p{L}(?:\1\p{L})+(?![\p{L}\p{N}])")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})
# A word that mixes letters with leet characters: j3bo, p@s, sh!t, l0ser, $pam.
_WORD_RE = regex.compile(r"[\p{L}0-9@$!]+")
_NUMBER_WITH_UNIT_RE = regex.compile(r"^\d+(?:[.,]\d+)?\p{L}{0,3}$|^\p{L}{0,3}\d+$")  # 10k, 5km, 3pm, mp3, x2
_REPEAT_RE = regex.compile(r"(.)\1{3,}")
_SPACE_RE = regex.compile(r"\s+")
_LINK, _HANDLE = "\ue000", "\ue001"  # private-use characters: neither letters nor digits


def for_model(text: str) -> str:
    """The text as the triage models read it."""
    text = unicodedata.normalize("NFKC", text)  # fullwidth and math-bold letters become plain ones
    text = _INVISIBLE_RE.sub("", text)
    # Links and handles are set aside first, so that de-leeting cannot mangle them.
    text = URL_RE.sub(_LINK, text)
    text = MENTION_RE.sub(_HANDLE, text)
    text = _SPACED_RE.sub(lambda m: regex.sub(r"[ ._*\-]", "", m.group(0)), text)
    text = _WORD_RE.sub(_unleet, text)
    text = _REPEAT_RE.sub(lambda m: m.group(1) * 3, text)
    text = _SPACE_RE.sub(" ", text).strip().replace(_LINK, "http").replace(_HANDLE, "@user")
    if len(text) > MAX_MODEL_CHARS:
        cut = text.rfind(" ", 0, MAX_MODEL_CHARS)
        text = text[: cut if cut > MAX_MODEL_CHARS // 2 else MAX_MODEL_CHARS]
    return text


def _unleet(match: regex.Match[str]) -> str:
    word = match.group(0)
    letters = sum(ch.isalpha() for ch in word)
    if letters == len(word) or letters < 2 or _NUMBER_WITH_UNIT_RE.match(word):
        return word
    core = word.rstrip("!")  # "wow!!" keeps its exclamation marks
    if letters * 2 < len(core):  # mostly digits and symbols: a code, a price, a date
        return word
    return core.translate(_LEET) + word[len(core):]
