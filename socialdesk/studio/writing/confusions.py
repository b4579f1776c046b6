"""Croatian, Serbian and Bosnian forms that are commonly confused and can be checked without a parser.

Only rules measured at ≤ 2 % false alarms on clean text are here (bench/writing.py, docs/studio.md):
the conditional's person after an unambiguous subject (`ja bi` → `ja bih`, `mi bi` → `mi bismo`,
`vi bi` → `vi biste`), the conditional split in two (`bi smo` → `bismo`), and for Serbian and Bosnian
the negated future split in two (`ne ću` → `neću`; Croatian's 2013 orthography allows `ne ću`).
Missing diacritics (`ce`, `sto`) and `ije/je` are the dictionary's job (spelling.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from socialdesk.studio.writing.problems import Problem


@dataclass(frozen=True)
class Confusion:
    name: str
    pattern: regex.Pattern[str]
    replacement: str  # with \1-style groups
    message: str
    languages: frozenset[str]


def _rule(name: str, pattern: str, replacement: str, message: str, languages: str = "hr sr bs") -> Confusion:
    return Confusion(name, regex.compile(rf"(?<![\p{{L}}#@]){pattern}(?![\p{{L}}])", regex.IGNORECASE | regex.V1),
                     replacement, message, frozenset(languages.split()))


CONFUSIONS: tuple[Confusion, ...] = (
    _rule("ja_bi", r"(ja)\s+bi", r"\1 bih", "With “ja” the conditional is “bih”."),
    _rule("mi_bi", r"(mi)\s+bi", r"\1 bismo", "With “mi” the conditional is “bismo”."),
    _rule("vi_bi", r"(vi)\s+bi", r"\1 biste", "With “vi” the conditional is “biste”."),
    _rule("bi_smo", r"(b)i\s+(smo|ste)", r"\1i\2", "The conditional is one word: “bismo”, “biste”."),
    _rule("ne_cu", r"(n)e\s+(ću|ćeš|će|ćemo|ćete)", r"\1e\2", "The negated future is one word (“neću”).",
          "sr bs"),
)


def _cased(original: str, replacement: str) -> str:
    return replacement[:1].upper() + replacement[1:] if original[:1].isupper() else replacement


def check(text: str, language: str) -> list[Problem]:
    found = []
    for rule in CONFUSIONS:
        if language not in rule.languages:
            continue
        for m in rule.pattern.finditer(text):
            fixed = m.expand(rule.replacement)
            found.append(Problem(m.start(), m.end() - m.start(), "confusion", rule.message,
                                 (_cased(m.group(0), fixed),), rule=rule.name))
    return found
