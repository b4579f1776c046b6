"""What someone did in an exercise, and what the simulated audience made of it.

A `Play` is the same whoever made it: the learner (read back from the sandbox network's own storage,
where the product's publishing, inbox and contests put it), the expert reference strategy or a random
poster (made in memory by strategies.py). The sandbox is a pure function of the seed and the posts, so
the three are compared on exactly the same audience.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from socialdesk.networks.sandbox.ads import AdSpec, deliver
from socialdesk.networks.sandbox.audience import AccountParams, Population, audience_activity, population
from socialdesk.networks.sandbox.items import Item, comments_of
from socialdesk.networks.sandbox.simulation import PostInput, PostTimeline, simulation_for

NEGATIVE_KINDS = frozenset({"angry"})


@dataclass(frozen=True)
class Reply:
    item_id: str
    text: str
    at: float  # epoch seconds


@dataclass(frozen=True)
class ContestPlay:
    """A giveaway as it was run: when the draw was committed to, its window and rules, who won."""

    committed_at: float
    opens_at: float
    closes_at: float
    drawn_at: float | None
    keyword: str
    one_entry_per_person: bool
    spam_threshold: float
    winners: tuple[int, ...]  # sandbox member indices


@dataclass(frozen=True)
class MonitorPlay:
    """A listening monitor as it was set up: when, on which terms, and whether it read the sandbox."""

    created_at: float
    terms: tuple[str, ...]
    sandbox: bool = True


@dataclass
class Play:
    params: AccountParams
    start: float
    end: float
    posts: list[PostInput]
    replies: list[Reply] = field(default_factory=list)
    removed: dict[str, float] = field(default_factory=dict)  # item id -> when hidden or deleted
    contest: ContestPlay | None = None
    ads: list[AdSpec] = field(default_factory=list)  # sandbox ads (ads-budget)
    monitors: list[MonitorPlay] = field(default_factory=list)  # listening monitors (crisis-burst)
    alerts: list[float] = field(default_factory=list)  # when the product raised burst alerts (crisis-burst)

    @property
    def population(self) -> Population:
        return population(self.params)

    @cached_property
    def timelines(self) -> list[tuple[PostInput, PostTimeline]]:
        return simulation_for(self.params).timelines([p for p in self.posts if p.published_at <= self.end])

    def own_posts(self) -> list[PostInput]:
        return [p for p, _ in self.timelines if p.reply_to is None]

    def reach(self, post: PostInput, hours: float = 24.0) -> int:
        for p, timeline in self.timelines:
            if p.seq == post.seq:
                return timeline.counts(min(self.end, post.published_at + hours * 3600.0), p.deleted_at)["reach"]
        return 0

    def engagement(self) -> int:
        total = 0
        for p, timeline in self.timelines:
            counts = timeline.counts(self.end, p.deleted_at)
            total += counts["likes"] + counts["comments"] + counts["reposts"] + counts["quotes"] + counts["saves"]
        return total

    def followers(self, at: float) -> int:
        state = simulation_for(self.params).follow_state([p for p, _ in self.timelines], at)
        return int(state.following(at).sum())

    @cached_property
    def comments(self) -> list[Item]:
        out: list[Item] = []
        for post, timeline in self.timelines:
            out += comments_of(self.params, post, timeline, None, self.end)
        return sorted(out, key=lambda item: item.order)

    @cached_property
    def ad_results(self) -> list[tuple[AdSpec, list[dict[str, float]]]]:
        """Each ad's days inside the exercise (spend, impressions, clicks, purchases), from the sandbox auction."""
        from datetime import UTC, datetime

        first = datetime.fromtimestamp(self.start, UTC).date()
        last = datetime.fromtimestamp(self.end, UTC).date()
        out = []
        for spec in self.ads:
            days = []
            for row in deliver(self.population, spec):
                on = datetime.fromisoformat(row["date_start"]).date()
                if not first <= on < last:
                    continue
                bought = sum(int(a["value"]) for a in row.get("actions", []))
                days.append({"day": float((on - first).days), "spend": float(row["spend"]),
                             "impressions": float(row["impressions"]), "clicks": float(row["inline_link_clicks"]),
                             "purchases": float(bought)})
            out.append((spec, days))
        return out

    def is_troll(self, item: Item) -> bool:
        return bool(self.population.troll[item.member])

    def is_bot(self, member: int) -> bool:
        return bool(self.population.bot[member])


def true_activity(params: AccountParams) -> np.ndarray:
    """The audience's activity by local hour (mean 1), in the account's time zone."""
    return audience_activity(params).by_hour


_MEMBER_INDEX = re.compile(r"(\d+)$")


def member_of_handle(handle: str) -> int | None:
    """The sandbox member behind a handle (chatter.member ends every handle with the member's index)."""
    found = _MEMBER_INDEX.search(handle.lstrip("@"))
    return int(found.group(1)) if found else None
