"""Does a text mention a monitor's terms? Words are compared by lemma (simplemma, offline, per language),
by a light suffix-stripping stem for words the lemmatiser does not know (brand names decline too:
"Kavić", "Kavića"), and without diacritics (people type "cevapi" for "ćevapi"). So "kava" matches "kave",
"kavu" and "kavom"; a phrase matches its words in order; "#kava" matches the hashtag and the word."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import regex
import simplemma

# Languages simplemma is asked about when a monitor names none: the workspaces' usual ones.
DEFAULT_LANGUAGES = ("hr", "en")
_WORD = regex.compile(r"[#@]?[\p{L}\p{N}][\p{L}\p{N}_'’-]*")
# Croatian (and Serbian, Bosnian) noun and adjective endings, longest first: the fallback stem.
_SUFFIXES = ("ovima", "evima", "ama", "ima", "ovi", "evi", "ova", "eva", "om", "em", "og", "oj", "im",
             "a", "e", "i", "o", "u")
# The forms a network's search is asked for beside the term itself (its search does not decline words).
_FORM_ENDINGS = ("a", "e", "i", "u", "om", "o", "ama", "ima")
# simplemma knows these languages; anything else is compared by stem only.
_KNOWN = frozenset(("bg", "ca", "cs", "cy", "da", "de", "el", "en", "enm", "es", "et", "fa", "fi", "fr", "ga",
                    "gd", "gl", "gv", "hbs", "hi", "hu", "hy", "id", "is", "it", "ka", "la", "lb", "lt", "lv",
                    "mk", "ms", "nb", "nl", "nn", "pl", "pt", "ro", "ru", "se", "sk", "sl", "sq", "sv", "sw",
                    "tl", "tr", "uk"))
_ALIASES = {"hr": "hbs", "sr": "hbs", "bs": "hbs", "sh": "hbs", "cnr": "hbs"}


def plain(text: str) -> str:
    """Case-folded, without diacritics (đ → d as people type it)."""
    folded = unicodedata.normalize("NFKD", text.casefold().replace("đ", "d"))
    return "".join(c for c in folded if not unicodedata.combining(c))


def lemma_languages(languages: Sequence[str]) -> tuple[str, ...]:
    chosen = []
    for code in languages or DEFAULT_LANGUAGES:
        code = _ALIASES.get(code.lower(), code.lower())
        if code in _KNOWN and code not in chosen:
            chosen.append(code)
    return tuple(chosen[:3])  # simplemma accepts a few languages at once


def stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _stemmed(word: str) -> str | None:
    """The stem when an ending was stripped, else None (a bare "kav" is no form of "kava")."""
    found = stem(word)
    return found if found != word else None


@lru_cache(maxsize=65536)
def keys(word: str, languages: tuple[str, ...], term: bool = False) -> frozenset[str]:
    """What a word is compared by, without diacritics: "w:" its form and lemma, "s:" its stem. A text's
    word has a stem key only when an ending was stripped; a term's always has one (its stem, or itself), so
    "Kavića" finds the brand "Kavić" and "kavu" finds "kava", but "kav" finds nothing."""
    bare = plain(word.lstrip("#@"))
    forms = {bare}
    if languages:
        forms.add(plain(simplemma.lemmatize(word.lstrip("#@").casefold(), lang=languages)))
    found = {f"w:{f}" for f in forms if f}
    for form in forms:
        stemmed = _stemmed(form)
        if stemmed:
            found.add(f"s:{stemmed}")
        if term and form:  # "Café" is found in "Cafea" (stem "cafe") as "kava" in "kavu" (stem "kav")
            found.add(f"s:{form}")
    return frozenset(found)


def words(text: str) -> list[str]:
    return [m.group(0).strip("'’-") for m in _WORD.finditer(text or "")]


@dataclass(frozen=True)
class Term:
    shown: str  # as the user wrote it
    words: tuple[str, ...]


def parse_terms(terms: Sequence[str]) -> list[Term]:
    parsed = []
    for term in terms:
        found = tuple(words(term))
        if found:
            parsed.append(Term(term.strip(), found))
    return parsed


class Matcher:
    """Matches texts against a monitor's terms and exclusions."""

    def __init__(self, terms: Sequence[str], exclusions: Sequence[str] = (), languages: Sequence[str] = ()) -> None:
        self.languages = lemma_languages(languages)
        self.terms = parse_terms(terms)
        self.exclusions = parse_terms(exclusions)

    def _keys(self, word: str) -> frozenset[str]:
        return keys(word, self.languages)

    def _contains(self, tokens: list[frozenset[str]], term: Term) -> bool:
        wanted = [keys(w, self.languages, True) for w in term.words]
        size = len(wanted)
        return any(all(tokens[start + i] & wanted[i] for i in range(size))
                   for start in range(len(tokens) - size + 1))

    def match(self, text: str) -> str | None:
        """The first term the text mentions, or None (also when it mentions an exclusion)."""
        tokens = [self._keys(w) for w in words(text)]
        if not tokens:
            return None
        if any(self._contains(tokens, term) for term in self.exclusions):
            return None
        for term in self.terms:
            if self._contains(tokens, term):
                return term.shown
        return None


def search_forms(term: str, languages: Sequence[str]) -> list[str]:
    """The queries a network's search is sent for a term: the term, and for a one-word term in a South
    Slavic language (or when no language is named) its common inflected forms."""
    term = term.strip()
    found = words(term)
    if len(found) != 1 or term.startswith("#"):
        return [term] if term else []
    slavic = not languages or any(_ALIASES.get(code.lower()) == "hbs" for code in languages)
    if not slavic:
        return [term]
    base = stem(found[0].casefold())
    forms = [term] + [base + ending for ending in _FORM_ENDINGS]
    seen: list[str] = []
    for form in forms:
        if form.casefold() not in (s.casefold() for s in seen):
            seen.append(form)
    return seen
