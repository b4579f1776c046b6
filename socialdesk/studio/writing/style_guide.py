"""The workspace's brand style guide as checks: banned words, preferred spellings, paid-post disclosures."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import regex

from socialdesk.studio.writing.problems import Problem
from socialdesk.text.entities import hashtags


@dataclass(frozen=True)
class Guide:
    banned: tuple[tuple[str, str], ...] = ()  # (word or phrase, replacement or "")
    preferred: tuple[tuple[str, str], ...] = ()  # (wrong spelling, preferred spelling)
    disclosures: tuple[str, ...] = ()  # e.g. ("#ad", "#oglas"): one must appear in a paid post
    paid_markers: tuple[str, ...] = ()  # phrases that make a post read as paid ("promo code", "u suradnji s")
    tone_notes: str = ""
    brand_words: tuple[str, ...] = field(default_factory=tuple)

    def known_words(self) -> set[str]:
        """Words spelling must never flag: the preferred spellings and the brand words."""
        known = set(self.brand_words)
        for _, right in self.preferred:
            known.update(regex.findall(r"\p{L}[\p{L}\p{M}'’\-]*", right))
        for _, replacement in self.banned:
            known.update(regex.findall(r"\p{L}[\p{L}\p{M}'’\-]*", replacement))
        return known


def _phrase(phrase: str) -> regex.Pattern[str]:
    body = r"\s+".join(regex.escape(p) for p in phrase.split())
    return regex.compile(rf"(?<![\p{{L}}\p{{N}}_#@]){body}(?![\p{{L}}\p{{N}}_])", regex.IGNORECASE)


def _cased(found: str, replacement: str) -> str:
    if found[:1].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def check(text: str, guide: Guide, *, paid: bool = False) -> list[Problem]:
    problems: list[Problem] = []
    for word, replacement in guide.banned:
        if not word.strip():
            continue
        for m in _phrase(word).finditer(text):
            problems.append(Problem(m.start(), m.end() - m.start(), "banned_word",
                                    f"The style guide bans “{word}”" + (f": write “{replacement}”." if replacement
                                                                         else "."),
                                    (_cased(m.group(0), replacement),) if replacement else (), rule="banned"))
    for wrong, right in guide.preferred:
        if not wrong.strip() or not right.strip():
            continue
        for m in _phrase(wrong).finditer(text):
            if m.group(0) == right:
                continue
            problems.append(Problem(m.start(), m.end() - m.start(), "preferred_spelling",
                                    f"The style guide writes it “{right}”.", (right,), rule="preferred"))
    problems.extend(_disclosure(text, guide, paid))
    return problems


def _disclosure(text: str, guide: Guide, paid: bool) -> Iterable[Problem]:
    if not guide.disclosures:
        return []
    tags = {f"#{t.value.lower()}" for t in hashtags(text)}
    wanted = [d.strip() for d in guide.disclosures if d.strip()]
    if any(d.lower() in tags or (not d.startswith("#") and _phrase(d).search(text)) for d in wanted):
        return []
    if paid:
        return [Problem(0, 0, "disclosure", f"A paid post must say so: add {' or '.join(wanted)}.",
                        tuple(wanted), rule="paid")]
    for marker in guide.paid_markers:
        if marker.strip() and (m := _phrase(marker).search(text)):
            return [Problem(m.start(), m.end() - m.start(), "disclosure",
                            f"“{m.group(0)}” makes this read as a paid post: add {' or '.join(wanted)}.",
                            tuple(wanted), rule="marker")]
    return []
