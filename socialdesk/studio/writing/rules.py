"""Checks that hold in every language without a grammar engine.

Each rule returns Problems with a `rule` name; bench/writing.py measures each one's precision and false
alarms per 1,000 words on clean text, and docs/studio.md lists the figures.
"""

from __future__ import annotations

from collections.abc import Callable

import regex

from socialdesk.studio.writing.problems import Problem
from socialdesk.studio.writing.tokens import protected_spans

# Words that people double on purpose ("ha ha", "bla bla", "da da", "no no no").
DOUBLED_ON_PURPOSE = frozenset({"ha", "he", "hi", "ho", "bla", "la", "na", "da", "ne", "no", "yes", "si", "ja",
                                "nein", "sto", "very", "so", "tik", "tak", "pa", "go", "hej", "hey", "ура", "да",
                                "нет", "ля", "ха", "hah", "jo", "ma", "baš", "muy", "más", "bye", "more", "that",
                                "had", "is", "really"})
# Abbreviations that end with a full stop inside a sentence, lower-cased, without the stop.
ABBREVIATIONS = frozenset({
    "npr", "tj", "itd", "sl", "dr", "mr", "prof", "ing", "st", "br", "str", "god", "mj", "tzv", "odn", "vs", "usp",
    "e.g", "i.e", "etc", "approx", "min", "max", "no", "co", "inc", "ltd", "jr", "sr", "mrs", "ms", "p.s", "ps",
    "z.b", "bzw", "usw", "ca", "nr", "evtl", "ggf", "sog", "inkl", "zzgl", "p.ej", "pág", "sra", "srta", "ud",
    "uds", "т.е", "т.д", "т.п", "др", "г", "гг", "им", "ул", "д", "стр", "тыс", "млн", "руб", "kn", "eur",
    "d.o.o", "d.d", "j.d.o.o", "ul", "tel", "kom", "kg", "km", "cca", "sv", "fra", "pon", "uto", "sri", "čet",
    "pet", "sub", "ned", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "vol",
})
EMOJI_RE = regex.compile(r"\p{Extended_Pictographic}")
EMOTICON_RE = regex.compile(r"(?:[:;=8xX][-‑^']?[()\[\]{}DPpOo3/\\|*]+|\([-‑^]?[:;]|<3|\^\^|[:;]-?\)+)")
MAX_EXCLAMATIONS = 3
MAX_EMOJI = 8
MAX_EMOJI_IN_A_ROW = 3

Rule = Callable[[str, list[tuple[int, int]]], list[Problem]]


def _inside(spans: list[tuple[int, int]], start: int, end: int | None = None) -> bool:
    end = start + 1 if end is None else end
    return any(s < end and start < e for s, e in spans)


def repeated_words(text: str, spans: list[tuple[int, int]]) -> list[Problem]:
    found = []
    for m in regex.finditer(r"(?<![\p{L}\p{N}#@])(\p{L}+)(\s+)(\1)(?![\p{L}\p{N}])", text, regex.IGNORECASE):
        word = m.group(1)
        if word.lower() in DOUBLED_ON_PURPOSE or _inside(spans, m.start(), m.end()) or "\n" in m.group(2):
            continue
        found.append(Problem(m.start(), m.end() - m.start(), "repeated_word", f"“{word}” is written twice.",
                             (word,), rule="repeated_word"))
    return found


def spacing(text: str, spans: list[tuple[int, int]]) -> list[Problem]:
    found = []
    for m in regex.finditer(r"(?<=\S)( {2,})(?=\S)", text):
        found.append(Problem(m.start(1), len(m.group(1)), "spacing", "Two spaces where one will do.", (" ",),
                             rule="double_space"))
    # "word ," / "word !" — but not an emoticon (" :)"), a French-style "?!" run, a dash, or "..." on its own.
    for m in regex.finditer(r"(?<=[\p{L}\p{N}])( +)([,.;!?])(?![\p{L}\p{N}(\[{DPp/\\|*3)\-.])", text):
        if _inside(spans, m.start(), m.end()):
            continue
        found.append(Problem(m.start(1), len(m.group(1)) + 1, "spacing",
                             f"No space before “{m.group(2)}”.", (m.group(2),), rule="space_before_punctuation"))
    # "today,tomorrow" / "great.Next" — not 1,5 or 3.14, not e.g./d.o.o., not links or domains.
    for m in regex.finditer(r"(?<=\p{Ll}{2})([,;])(\p{L})|(?<=\p{Ll}{2})([.!?])(\p{Lu}\p{Ll})", text):
        mark = m.group(1) or m.group(3)
        start = m.start(1) if m.group(1) else m.start(3)
        if _inside(spans, start - 2, start + 2):
            continue
        found.append(Problem(start, 1, "spacing", f"A space is missing after “{mark}”.", (mark + " ",),
                             rule="no_space_after"))
    return found


def _abbreviation_before(text: str, stop: int) -> bool:
    m = regex.search(r"([\p{L}.]+)$", text[:stop])
    if not m:
        return text[:stop].rstrip()[-1:].isdigit()  # "5. prosinca": an ordinal number
    token = m.group(1).lower().strip(".")
    return token in ABBREVIATIONS or len(token) == 1


def capitals(text: str, spans: list[tuple[int, int]]) -> list[Problem]:
    found = []
    first = regex.search(r"^[\s\"'„“«(]*(\p{Ll})(\p{L}*)", text)
    candidates = [first] if first else []
    candidates += list(regex.finditer(r"(?<=[.!?])[\"'”»)]*\s+[\"'„“«(]*(\p{Ll})(\p{L}*)", text))
    for m in candidates:
        start = m.start(1)
        if _inside(spans, start, m.end(2)):
            continue
        if m is not first:
            stop = m.start() - 1
            while stop > 0 and text[stop] in "\"'”»)":
                stop -= 1
            if text[stop] == "." and (_abbreviation_before(text, stop) or text[max(0, stop - 2):stop + 1] == "..."):
                continue
        word = m.group(1) + m.group(2)
        if len(word) < 2 and m.group(1) not in "i":
            continue
        found.append(Problem(start, len(word), "capital", "A sentence starts with a capital letter.",
                             (word[0].upper() + word[1:],), rule="sentence_start"))
    return found


_PAIRS = {"(": ")", "[": "]", "{": "}", "“": "”", "„": "“”", "«": "»", "‘": "’"}


def unbalanced(text: str, spans: list[tuple[int, int]]) -> list[Problem]:
    masked = list(text)
    for s, e in spans:
        masked[s:e] = [" "] * (e - s)
    for m in EMOTICON_RE.finditer(text):
        masked[m.start():m.end()] = [" "] * (m.end() - m.start())
    # "1) first 2) second": a list numbering, not a bracket.
    for m in regex.finditer(r"(?:^|(?<=\s))(?:\p{N}{1,2}|[a-z])\)", text):
        masked[m.end() - 1] = " "
    clean = "".join(masked)
    found = []
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(clean):
        if ch in "([{«„“‘" and not (ch == "“" and stack and stack[-1][0] == "„"):
            if ch == "‘" and i > 0 and clean[i - 1].isalpha():
                continue
            if ch == "“" and stack and stack[-1][0] == "“":  # a second opening curly quote: read it as closing
                stack.pop()
                continue
            stack.append((ch, i))
        elif ch in ")]}»”“’":
            if ch == "’" and (not stack or stack[-1][0] != "‘"):
                continue  # an apostrophe: don't, it’s
            if stack and ch in _PAIRS[stack[-1][0]]:
                stack.pop()
            else:
                found.append(Problem(i, 1, "unbalanced", f"“{ch}” closes something that was never opened.",
                                     rule="unopened"))
    for ch, i in stack:
        found.append(Problem(i, 1, "unbalanced", f"“{ch}” is never closed.", rule="unclosed"))
    straight = [i for i, ch in enumerate(clean) if ch == '"']
    if len(straight) % 2:
        found.append(Problem(straight[-1], 1, "unbalanced", "An odd number of \" quotes: one is never closed.",
                             rule="unclosed"))
    return found


def shouting(text: str, spans: list[tuple[int, int]]) -> list[Problem]:
    found = []
    for m in regex.finditer(r"(?<![\p{L}#@])\p{Lu}{2,}(?:[\s,!?.\-]+\p{Lu}+){2,}(?![\p{L}])", text):
        if _inside(spans, m.start(), m.end()) or sum(c.isalpha() for c in m.group(0)) < 10:
            continue
        words = m.group(0)
        found.append(Problem(m.start(), len(words), "shouting", "Writing in capitals reads as shouting.",
                             (words.capitalize(),), rule="all_caps"))
    return found


def exclamations(text: str, spans: list[tuple[int, int]]) -> list[Problem]:
    found = []
    for m in regex.finditer(r"!{2,}|[!?]{3,}", text):
        if not _inside(spans, m.start(), m.end()):
            found.append(Problem(m.start(), m.end() - m.start(), "exclamation", "One mark is enough.",
                                 ("!" if "?" not in m.group(0) else "?!",), rule="repeated_marks"))
    singles = [m.start() for m in regex.finditer(r"(?<!!)!(?!!)", text) if not _inside(spans, m.start())]
    if len(singles) > MAX_EXCLAMATIONS:
        found.append(Problem(singles[-1], 1, "exclamation",
                             f"{len(singles)} exclamation marks in one post: keep one or two for what matters.",
                             rule="too_many"))
    return found


def emoji(text: str, spans: list[tuple[int, int]]) -> list[Problem]:
    found = []
    for m in regex.finditer(r"(?:\p{Extended_Pictographic}[\uFE0F\u200D\p{M}\p{Extended_Pictographic}"
                            r"\U0001F3FB-\U0001F3FF]*\s*){4,}", text):
        run = m.group(0).rstrip()
        count = len(EMOJI_RE.findall(run))
        if count > MAX_EMOJI_IN_A_ROW:
            found.append(Problem(m.start(), len(run), "emoji", f"{count} emoji in a row: one or two say it better.",
                                 rule="emoji_run"))
    total = EMOJI_RE.findall(text)
    if len(total) > MAX_EMOJI:
        last = [m.start() for m in EMOJI_RE.finditer(text)][-1]
        found.append(Problem(last, 1, "emoji", f"{len(total)} emoji in one post: readers skim past so many.",
                             rule="too_many"))
    return found


RULES: dict[str, Rule] = {"repeated_word": repeated_words, "spacing": spacing, "capital": capitals,
                          "unbalanced": unbalanced, "shouting": shouting, "exclamation": exclamations,
                          "emoji": emoji}


def check(text: str) -> list[Problem]:
    spans = protected_spans(text)
    return [problem for rule in RULES.values() for problem in rule(text, spans)]
