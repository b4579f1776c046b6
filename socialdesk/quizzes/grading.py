"""How an answer in a comment is compared with the accepted ones (docs/quizzes.md).

Both are normalised the same way: case folded, accents taken off (č→c, ß→ss, ü→u), punctuation made space,
and number words in Croatian, English and German turned into digits ("dvadeset i jedan", "twenty-one",
"einundzwanzig" → 21). An answer is right when an accepted answer's words appear together in it ("I think
it's Paris!" is right for "Paris"); for a number, the comment must name that number and no other (a comment
hedging "21 or 22" is wrong).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

LANGUAGES = ("hr", "en", "de")

_UNITS = {
    "hr": {"nula": 0, "jedan": 1, "jedna": 1, "jedno": 1, "dva": 2, "dvije": 2, "tri": 3, "cetiri": 4,
           "pet": 5, "sest": 6, "sedam": 7, "osam": 8, "devet": 9, "deset": 10, "jedanaest": 11, "dvanaest": 12,
           "trinaest": 13, "cetrnaest": 14, "petnaest": 15, "sesnaest": 16, "sedamnaest": 17, "osamnaest": 18,
           "devetnaest": 19},
    "en": {"zero": 0, "nought": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
           "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19},
    "de": {"null": 0, "eins": 1, "ein": 1, "eine": 1, "zwei": 2, "drei": 3, "vier": 4, "funf": 5, "sechs": 6,
           "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwolf": 12, "dreizehn": 13, "vierzehn": 14,
           "funfzehn": 15, "sechzehn": 16, "siebzehn": 17, "achtzehn": 18, "neunzehn": 19},
}
_TENS = {
    "hr": {"dvadeset": 20, "trideset": 30, "cetrdeset": 40, "pedeset": 50, "sezdeset": 60, "sedamdeset": 70,
           "osamdeset": 80, "devedeset": 90},
    "en": {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
           "ninety": 90},
    "de": {"zwanzig": 20, "dreissig": 30, "vierzig": 40, "funfzig": 50, "sechzig": 60, "siebzig": 70,
           "achtzig": 80, "neunzig": 90},
}
_HUNDRED = {"hr": {"sto": 100, "stotinu": 100, "stotine": 100, "stotina": 100}, "en": {"hundred": 100},
            "de": {"hundert": 100}}
_AND = {"hr": {"i"}, "en": {"and"}, "de": {"und"}}
# Words that are articles as often as numbers ("one of them", "ein Hund"): a number only as the last word.
_ARTICLES = frozenset({"ein", "eine", "one", "jedna", "jedno"})
_GERMAN_COMPOUND = re.compile(r"^(ein|zwei|drei|vier|funf|sechs|sieben|acht|neun)und(zwanzig|dreissig|vierzig|"
                              r"funfzig|sechzig|siebzig|achtzig|neunzig)$")


def fold(text: str) -> str:
    """Case and accents off: "Đurđevac ČEŠNJAK Straße" → "đurđevac cesnjak strasse" (đ has no base letter)."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c)).replace("đ", "dj")


def tokens(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", fold(text))


def _tables(languages: Iterable[str]) -> tuple[dict[str, int], dict[str, int], dict[str, int], set[str]]:
    units: dict[str, int] = {}
    tens: dict[str, int] = {}
    hundreds: dict[str, int] = {}
    joins: set[str] = set()
    for language in languages:
        units |= _UNITS.get(language, {})
        tens |= _TENS.get(language, {})
        hundreds |= _HUNDRED.get(language, {})
        joins |= _AND.get(language, set())
    return units, tens, hundreds, joins


def normalise(text: str, languages: Sequence[str] = LANGUAGES) -> list[str]:
    """The text's words, folded, with number words (and compounds of them) as digits."""
    units, tens, hundreds, joins = _tables(languages)
    words = tokens(text)
    out: list[str] = []
    i = 0

    def number_at(j: int) -> tuple[int, int] | None:
        """(value, words used) of a number starting at word j, below 1000."""
        value, used = 0, 0
        word = words[j] if j < len(words) else ""
        if word in units and j + 1 < len(words) and words[j + 1] in hundreds:
            value, used = units[word] * 100, 2
        elif word in hundreds:
            value, used = 100, 1
        if used:
            rest = j + used
            if rest < len(words) and words[rest] in joins and rest + 1 < len(words) and (
                    words[rest + 1] in units or words[rest + 1] in tens):
                rest += 1
            below = number_at_below_hundred(rest)
            if below is not None:
                return value + below[0], rest - j + below[1]
            return value, used
        return number_at_below_hundred(j)

    def number_at_below_hundred(j: int) -> tuple[int, int] | None:
        if j >= len(words):
            return None
        word = words[j]
        if word.isdigit():
            return int(word), 1
        compound = _GERMAN_COMPOUND.match(word) if "de" in languages else None
        if compound:
            return units[compound.group(1)] + tens[compound.group(2)], 1
        if word in tens:
            nxt = j + 1
            if nxt < len(words) and words[nxt] in joins and nxt + 1 < len(words) and words[nxt + 1] in units:
                nxt += 1
            if nxt < len(words) and words[nxt] in units and units[words[nxt]] < 10:
                return tens[word] + units[words[nxt]], nxt - j + 1
            return tens[word], 1
        if word in units:
            return units[word], 1
        return None

    while i < len(words):
        found = number_at(i)
        if found is None or (found[1] == 1 and words[i] in _ARTICLES and i != len(words) - 1):
            out.append(words[i])
            i += 1
            continue
        out.append(str(found[0]))
        i += found[1]
    return out


def is_correct(comment: str, accepted: Sequence[str], languages: Sequence[str] = LANGUAGES) -> bool:
    said = normalise(comment, languages)
    numbers_said = {w for w in said if w.isdigit()}
    for answer in accepted:
        wanted = normalise(answer, languages)
        if not wanted:
            continue
        if len(wanted) == 1 and wanted[0].isdigit():
            if numbers_said == {wanted[0]}:
                return True
            continue
        n = len(wanted)
        if any(said[k:k + n] == wanted for k in range(len(said) - n + 1)):
            return True
    return False


def names_a_choice(comment: str, options: Sequence[str], accepted: Sequence[str],
                   languages: Sequence[str] = LANGUAGES) -> bool:
    """Whether a comment under a multiple-choice question names one of its choices (by letter or text) or an
    accepted answer: "Why is nobody answering my messages??" under "A) Ethiopia B) Brazil" is not an answer,
    and must not use up the person's one counted answer."""
    said = normalise(comment, languages)
    letters = {chr(ord("a") + k) for k in range(len(options))}
    if letters & set(said):
        return True
    return any(is_correct(comment, [choice], languages) for choice in [*options, *accepted])
