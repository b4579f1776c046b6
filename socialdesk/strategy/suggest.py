"""Which content pillar a text belongs to, as a suggestion the writer confirms (docs/strategy.md).

Each pillar is described by the words of its name and description (counted twice) and of the newest
EXAMPLES posts already tagged with it. Words are compared as the listening monitors compare them
(listening/matching.keys: lemma, a Croatian suffix-stripping stem, no diacritics), so "kavu" counts for
"kava". A text scores for a pillar the sum, over its distinct words found in the pillar's description,
of the word's weight there times its rarity across pillars (log(1 + pillars / pillars having it)),
divided by the square root of the number of distinct words describing the pillar (a long description
does not win by size). The best pillar is suggested when it scores above zero; a tie says so.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from socialdesk.content.models import Post
from socialdesk.listening.matching import keys, words
from socialdesk.strategy.models import ContentPillar, PostPillar
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

EXAMPLES = 50
LANGUAGES = ("hbs", "en")
_STOP = """a an and are as at be but by for from has have how i in is it its of on or our so that the
this to was we what when with you your i u na je da se za od do su sa s kako što sto ili ali nas naš vas vaš ovo
to te ti mi vi oni ona ono koji koja koje"""
STOPWORDS = frozenset(_STOP.split())


@dataclass
class Suggestion:
    pillar_id: str | None
    pillar: str | None
    score: float
    matched: list[str] = field(default_factory=list)
    runner_up: str | None = None
    note: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"pillar_id": self.pillar_id, "pillar": self.pillar, "score": round(self.score, 3),
                "matched": self.matched, "runner_up": self.runner_up, "note": self.note}


def _tokens(text: str) -> list[tuple[str, frozenset[str]]]:
    found = []
    for word in words(text):
        bare = word.lstrip("#@").casefold()
        if len(bare) < 3 or bare in STOPWORDS or bare.isdigit():
            continue
        found.append((bare, keys(word, LANGUAGES, True)))
    return found


def _profiles(ctx: WorkspaceContext, listed: list[ContentPillar]) -> dict[str, Counter[str]]:
    profiles: dict[str, Counter[str]] = {}
    for pillar in listed:
        weights: Counter[str] = Counter()
        for _, found in _tokens(f"{pillar.name} {pillar.description}"):
            for key in found:
                weights[key] += 2
        examples = ctx.session.scalars(ctx.select(Post).join(PostPillar, PostPillar.post_id == Post.id).where(
            PostPillar.pillar_id == pillar.id).order_by(Post.created_at.desc()).limit(EXAMPLES))
        for post in examples:
            for key in {k for _, found in _tokens(post.text) for k in found}:
                weights[key] += 1
        profiles[pillar.id] = weights
    return profiles


def suggest(ctx: WorkspaceContext, text: str) -> Suggestion:
    """The pillar a text most likely belongs to (None when nothing matches)."""
    if not ctx.can(Permission.POSTS_WRITE):  # the composer's check needs posts:write only
        ctx.require(Permission.POSTS_READ)
    listed = list(ctx.session.scalars(ctx.select(ContentPillar).order_by(ContentPillar.name)))
    if not listed:
        return Suggestion(None, None, 0.0, note="no content pillars yet (add them on the Strategy page)")
    tokens = _tokens(text or "")
    if not tokens:
        return Suggestion(None, None, 0.0, note="write some text first")
    profiles = _profiles(ctx, listed)
    having: Counter[str] = Counter(k for weights in profiles.values() for k in weights)
    scored = []
    for pillar in listed:
        weights = profiles[pillar.id]
        if not weights:
            continue
        score, matched = 0.0, []
        for bare, found in {b: f for b, f in tokens}.items():
            hits = [k for k in found if k in weights]
            if not hits:
                continue
            best = max(hits, key=lambda k: weights[k] * math.log(1 + len(listed) / having[k]))
            score += weights[best] * math.log(1 + len(listed) / having[best])
            matched.append(bare)
        scored.append((score / math.sqrt(len(weights)), pillar, matched))
    scored.sort(key=lambda s: (-s[0], s[1].name))
    if not scored or scored[0][0] <= 0:
        return Suggestion(None, None, 0.0, note="no pillar's words appear in the text")
    score, pillar, matched = scored[0]
    runner = scored[1] if len(scored) > 1 and scored[1][0] > 0 else None
    note = ""
    if runner and math.isclose(runner[0], score):
        note = f"as close to {runner[1].name}: choose yourself"
    return Suggestion(pillar.id, pillar.name, score, matched[:6], runner[1].name if runner else None, note)
