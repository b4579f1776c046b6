"""Every writing check on one text, in one call: what the CLI, the API and the composer run."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace

from socialdesk.studio.writing import confusions, grammar, network_advice, rules, spelling, style_guide
from socialdesk.studio.writing.dictionaries import LANGUAGES
from socialdesk.studio.writing.problems import Problem
from socialdesk.studio.writing.readability import Readability, measure
from socialdesk.studio.writing.style_guide import Guide
from socialdesk.studio.writing.tokens import protected_spans

HBS = ("hr", "sr", "bs")


class UnknownLanguage(ValueError):
    pass


@dataclass(frozen=True)
class Result:
    language: str
    language_detected: bool
    problems: list[Problem]
    notes: list[str] = field(default_factory=list)  # e.g. a dictionary that is not installed
    readability: Readability | None = None

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if p.blocking]

    def as_dict(self) -> dict[str, object]:
        return {"language": self.language, "language_detected": self.language_detected,
                "ok": not self.blocking, "problems": [p.as_dict() for p in self.problems], "notes": self.notes,
                "readability": self.readability.as_dict() if self.readability else None}


def resolve_language(text: str, language: str | None, default: str = "en",
                     hbs_default: str | None = None) -> tuple[str, bool]:
    """The language to check in, and whether it was detected. "auto" or None detects it; hr/sr/bs come
    from the workspace's default when the detector can only tell the group."""
    if language and language != "auto":
        code = language.strip().lower().replace("_", "-").split("-")[0]
        if code not in LANGUAGES:
            raise UnknownLanguage(f"Unknown language {language!r}: use one of {', '.join(LANGUAGES)} or auto.")
        return code, False
    from socialdesk.text.language import detect

    found = detect(text)
    code = found.code if found.code in LANGUAGES else default
    if code in HBS and found.decided_by == "detector" and hbs_default in HBS:
        code = hbs_default
    return code, True


def check_text(text: str, language: str | None = None, *, networks: Iterable[str] = (),
               known_words: Collection[str] = (), guide: Guide | None = None, paid: bool = False,
               blocking_kinds: Collection[str] = (), default_language: str = "en",
               ignored: Collection[tuple[int, str]] = ()) -> Result:
    """All problems, sorted by position. `ignored` holds (offset, text) pairs the writer chose to ignore."""
    code, detected = resolve_language(text, language, default_language,
                                      default_language if default_language in HBS else None)
    guide = guide or Guide()
    known = set(known_words) | guide.known_words()
    problems, notes = spelling.check(text, code, known)
    problems += rules.check(text)
    problems += confusions.check(text, code)
    problems += network_advice.check(text, list(networks))
    problems += style_guide.check(text, guide, paid=paid)
    if code == "en":
        problems += grammar.check(text, protected_spans(text))
    problems = _unique(problems, ignored, text)
    problems = [replace(p, blocking=p.kind in blocking_kinds) for p in problems]
    return Result(code, detected, problems, notes, measure(text, code))


def _unique(problems: list[Problem], ignored: Collection[tuple[int, str]], text: str) -> list[Problem]:
    seen: set[tuple[int, int, str, str]] = set()
    ignored_set = set(ignored)
    kept = []
    for p in sorted(problems, key=lambda p: (p.offset, p.length, p.kind)):
        key = (p.offset, p.length, p.kind, p.rule)
        if key in seen or (p.offset, text[p.offset:p.offset + p.length]) in ignored_set:
            continue
        seen.add(key)
        kept.append(p)
    return kept
