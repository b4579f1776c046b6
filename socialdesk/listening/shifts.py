"""Sentiment shifts and emerging terms in a monitor's stream (docs/listening.md).

Sentiment shift: the negative share in the last SHIFT_HOURS against the previous BASE_DAYS days; an alert
when the recent share is at least twice the usual one, with at least MIN_RECENT mentions, and a one-sided
two-proportion z-test gives p < the monitor's false-alarm rate. The message says the sizes
("negative share 12% → 41% in the last 3 h, n = 140").

Emerging terms: words and hashtags of the last EMERGING_HOURS whose share of mentions is at least
EMERGING_LIFT times their share over the previous BASE_DAYS days (add-one smoothed), seen in at least
EMERGING_MIN mentions; the monitor's own terms and short words are left out.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from socialdesk.listening.matching import plain, words

SHIFT_HOURS = 3
BASE_DAYS = 7
MIN_RECENT = 20
EMERGING_HOURS = 24
EMERGING_LIFT = 5.0
EMERGING_MIN = 5
_STOP_WORDS = ("the and for with this that you are was have not but all what just from ovo ono koji koja koje "
               "što sto nije sam smo ste su je da li se za na od do iz uz bez kad kada tko gdje kako danas opet još")
_STOP = frozenset(plain(w) for w in _STOP_WORDS.split())


@dataclass(frozen=True)
class Shift:
    recent_share: float
    usual_share: float
    recent_n: int
    usual_n: int
    p_value: float
    alert: bool


def sentiment_shift(recent: Sequence[str], usual: Sequence[str], alpha: float) -> Shift:
    """`recent`, `usual`: the sentiments of the mentions in each window."""
    rn, un = len(recent), len(usual)
    rneg, uneg = sum(s == "negative" for s in recent), sum(s == "negative" for s in usual)
    rs = rneg / rn if rn else 0.0
    us = uneg / un if un else 0.0
    if rn < MIN_RECENT or un < MIN_RECENT:
        return Shift(rs, us, rn, un, 1.0, False)
    pooled = (rneg + uneg) / (rn + un)
    se = math.sqrt(pooled * (1 - pooled) * (1 / rn + 1 / un)) if 0 < pooled < 1 else 0.0
    z = (rs - us) / se if se else 0.0
    p_value = 0.5 * math.erfc(z / math.sqrt(2))
    return Shift(rs, us, rn, un, p_value, rs >= 2 * max(us, 0.02) and p_value < alpha)


def _terms(text: str) -> dict[str, str]:
    """The text's words worth counting, compared without case and diacritics, each with a form as written."""
    return {plain(w): w.casefold() for w in words(text)
            if len(w.lstrip("#@")) >= 4 and plain(w) not in _STOP and not w.startswith("@")}


def emerging_terms(recent: Sequence[str], usual: Sequence[str], own: Sequence[str]) -> list[tuple[str, int, float]]:
    """(term as written, mentions in the recent window, lift), strongest first."""
    own_plain = {plain(w) for term in own for w in words(term)}
    rc: Counter[str] = Counter()
    shown: dict[str, Counter[str]] = {}
    for text in recent:
        for key, form in _terms(text).items():
            rc[key] += 1
            shown.setdefault(key, Counter())[form] += 1
    uc = Counter(key for text in usual for key in _terms(text))
    rn, un = max(len(recent), 1), max(len(usual), 1)
    found = []
    for term, count in rc.items():
        if count < EMERGING_MIN or term in own_plain or term.lstrip("#") in own_plain:
            continue
        lift = (count / rn) / ((uc.get(term, 0) + 1) / (un + 1))
        if lift >= EMERGING_LIFT:
            found.append((shown[term].most_common(1)[0][0], count, lift))
    return sorted(found, key=lambda f: (-f[2], f[0]))[:10]
