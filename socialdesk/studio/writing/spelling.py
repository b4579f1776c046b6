"""Spelling with hunspell, per language, with the words a post is full of left alone.

Never flagged: hashtags, @mentions, links, e-mails, emoji and numbers (tokens.py), acronyms (short
all-caps words such as SMM or CEO), words with a capital inside (iPhone, SocialDesk), capitalised words in
the middle of a sentence (names: brands, places, people), and the workspace's own words.
Suggestions are hunspell's (100–500 ms a word), cached per process, and made for the first
`MAX_SUGGESTED` misspellings only so that a check while typing stays fast.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Collection
from functools import lru_cache

import regex

from socialdesk.studio.writing import dictionaries
from socialdesk.studio.writing.problems import Problem
from socialdesk.studio.writing.tokens import Word, words

CYRILLIC_RE = regex.compile(r"\p{Cyrillic}")
LATIN_RE = regex.compile(r"\p{Latin}")
MAX_SUGGESTED = 8
SUGGEST_BUDGET_S = 2.0
MAX_SUGGESTIONS = 5
_SENTENCE_END = ".!?…:\n"


def dictionary_for(language: str, word: str) -> str | None:
    """Which dictionary checks this word in a text of this language; None: a foreign-script word, skipped."""
    cyrillic = bool(CYRILLIC_RE.search(word))
    if language == "sr":
        return "sr-Cyrl" if cyrillic else "sr"
    if language == "ru":
        return "ru" if cyrillic else None
    return None if cyrillic or not LATIN_RE.search(word) else language


def _starts_sentence(text: str, word: Word) -> bool:
    before = text[:word.start].rstrip(" \t\"'„“”«»‘’(*-–—")
    return not before or before[-1] in _SENTENCE_END or not before.strip()


def _skip(text: str, word: Word, known: Collection[str]) -> bool:
    w = word.text
    if len(w) < 2 or w.lower() in known or w in known:
        return True
    if w.isupper() and len(w) <= 6:  # an acronym
        return True
    if any(c.isupper() for c in w[1:]) and not w.isupper():  # iPhone, SocialDesk, McDonald
        return True
    return w[0].isupper() and not _starts_sentence(text, word)  # a name in mid-sentence


def is_correct(dictionary: str, word: str) -> bool:
    speller = dictionaries.speller(dictionary)
    try:
        if speller.spell(word):
            return True
        # "Grješkom" at a sentence start, "SUPER" shouted: the dictionary knows the lowercase form.
        return word != word.lower() and bool(speller.spell(word.lower()))
    except UnicodeError:  # a letter the dictionary's encoding cannot hold (bs_BA is ISO-8859-2)
        return True


def _base_letter(c: str) -> str:
    return unicodedata.normalize("NFD", c)[0].lower().replace("đ", "d")


def distance(a: str, b: str) -> float:
    """Edit distance with adjacent swaps (optimal string alignment), where a missing diacritic (c/č/ć, s/š)
    or a change of case costs 0.2: the most common "typo" in hr/sr/bs posts is a dropped diacritic."""
    a, b = a, b
    rows = [[float(j) for j in range(len(b) + 1)]]
    for i in range(1, len(a) + 1):
        row = [float(i)] + [0.0] * len(b)
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                cost = 0.0
            elif _base_letter(a[i - 1]) == _base_letter(b[j - 1]):
                cost = 0.2
            else:
                cost = 1.0
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


@lru_cache(maxsize=20_000)
def suggestions(dictionary: str, word: str) -> tuple[str, ...]:
    """hunspell's suggestions, re-ranked by `distance` (ties keep hunspell's order); split words last."""
    speller = dictionaries.speller(dictionary)
    try:
        found = [s for s in speller.suggest(word) if s != word]
    except UnicodeError:
        return ()
    found = [s for _, _, s in sorted((distance(word, s) + (0.5 if (" " in s or "-" in s) and " " not in word
                                                              and "-" not in word else 0), i, s)
                                     for i, s in enumerate(found))]
    if word[0].isupper() and not word.isupper():
        found = [s[0].upper() + s[1:] if s else s for s in found]
    return tuple(dict.fromkeys(found))[:MAX_SUGGESTIONS]


def check(text: str, language: str, known: Collection[str] = ()) -> tuple[list[Problem], list[str]]:
    """Misspellings as problems, and the notes for dictionaries that are not installed (never an error)."""
    known_lower = {k.lower() for k in known}
    problems: list[Problem] = []
    missing: dict[str, str] = {}
    suggested = 0
    started = time.monotonic()
    for word in words(text):
        if _skip(text, word, known_lower):
            continue
        dictionary = dictionary_for(language, word.text)
        if dictionary is None or dictionary in missing:
            continue
        try:
            if is_correct(dictionary, word.text):
                continue
        except dictionaries.DictionaryMissing as exc:
            missing[dictionary] = str(exc)
            continue
        found: tuple[str, ...] = ()
        if suggested < MAX_SUGGESTED and time.monotonic() - started < SUGGEST_BUDGET_S:
            found = suggestions(dictionary, word.text)
            suggested += 1
        problems.append(Problem(word.start, word.end - word.start, "spelling",
                                f"“{word.text}” is not in the {language} dictionary.", found, rule="unknown_word"))
    return problems, list(missing.values())
