"""Everything that arrives in the account's inbox, as a pure function of the account and time.

- Comments come from the posts' timelines (simulation.py).
- Direct messages and mentions arrive every day whether or not the account posts, in proportion to
  the audience: on average `DM_RATE` and `MENTION_RATE` per member per day, at hours the writing
  member is active. Each UTC day is generated on its own from the seed, so any stretch of time can
  be produced without replaying the ones before it.
- When we reply, the member may answer back (more often to an answered question), an hour or two
  later on average.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from socialdesk.networks.base import IncomingKind
from socialdesk.networks.sandbox import chatter, ids
from socialdesk.networks.sandbox.audience import AccountParams, activity_at, population
from socialdesk.networks.sandbox.seeding import rng_for
from socialdesk.networks.sandbox.simulation import PostInput, PostTimeline
from socialdesk.networks.sandbox.store import ReplyRecord
from socialdesk.networks.sandbox.timegrid import DAY, HOUR

DM_RATE = 0.0006  # direct messages per member per day
MENTION_RATE = 0.0005  # mentions per member per day
DM_KINDS = (("dm_question", 0.65), ("dm_complaint", 0.15), ("dm_positive", 0.2))
MENTION_KINDS = (("mention_positive", 0.55), ("mention_question", 0.2), ("mention_complaint", 0.25))
ANSWER_ODDS = 0.3  # a member answers our reply...
ANSWER_ODDS_QUESTION = 0.55  # ...more often when they had asked something
QUESTION_KINDS = frozenset({"question", "dm_question", "mention_question", "answer_followup"})


@dataclass(frozen=True)
class Item:
    external_id: str
    kind: IncomingKind
    time: float  # epoch seconds
    member: int
    language: str
    text: str
    subkind: str  # what the member meant: "question", "angry", "dm_complaint", ...
    post_seq: int | None = None
    parent_external_id: str | None = None

    @property
    def order(self) -> tuple[float, str]:
        return (self.time, self.external_id)


@lru_cache(maxsize=4096)
def day_messages(params: AccountParams, day: int) -> tuple[Item, ...]:
    """The direct messages and mentions of UTC day `day` (days since 1970), in time order."""
    pop = population(params)
    key = ids.account_key(params.handle)
    rng = rng_for(params.seed, "day", params.handle, day)
    humans = np.flatnonzero(~pop.bot)
    weights = pop.level.astype(np.float64)
    hours = day * DAY + (np.arange(24) + 0.5) * HOUR
    made: list[Item] = []
    # Both counts are always drawn, so a profile without DMs still gets the same mentions.
    n_dm, n_mention = rng.poisson(DM_RATE * pop.size), rng.poisson(MENTION_RATE * pop.size)
    for kind, count, choices in (("dm", n_dm, DM_KINDS), ("mention", n_mention, MENTION_KINDS)):
        # Bots write spam DMs; mentions come from people.
        pool = np.arange(pop.size) if kind == "dm" else humans
        authors = rng.choice(pool, size=count, p=weights[pool] / weights[pool].sum())
        activity = activity_at(pop, hours, authors).astype(np.float64)
        for n, member in enumerate(authors, start=1):
            hour = rng.choice(24, p=activity[n - 1] / activity[n - 1].sum())
            time = day * DAY + hour * HOUR + rng.uniform(0, HOUR)
            names, odds = zip(*choices, strict=True)
            subkind = "dm_spam" if pop.bot[member] else str(rng.choice(names, p=odds))
            who = chatter.member(pop, int(member))
            topic = str(rng.choice(params.topics)) if params.topics else None
            text = chatter.write(rng, subkind, who.language, chatter.Context(params.handle, topic))
            if time < params.created_at:
                continue  # nobody wrote to an account that did not exist yet
            made.append(Item(ids.message_id(key, kind, day, n),
                             IncomingKind.DIRECT_MESSAGE if kind == "dm" else IncomingKind.MENTION,
                             float(time), int(member), who.language, text, subkind))
    return tuple(sorted(made, key=lambda item: item.order))


def comments_of(params: AccountParams, post: PostInput, timeline: PostTimeline, since: float | None,
                until: float) -> list[Item]:
    """The post's comments in (since, until], none after the post was deleted."""
    key = ids.account_key(params.handle)
    limit = until if post.deleted_at is None else min(until, post.deleted_at)
    first = 0 if since is None else int(np.searchsorted(timeline.comment_times, since, side="right"))
    last = int(np.searchsorted(timeline.comment_times, limit, side="right"))
    out = []
    for index in range(first, last):
        c = timeline.comments[index]
        parent = None if c.parent is None else ids.comment_id(key, post.seq, c.parent + 1)
        out.append(Item(ids.comment_id(key, post.seq, index + 1), IncomingKind.COMMENT, c.time, c.member,
                        c.language, c.text, c.kind, post.seq, parent))
    return out


def answer_to(params: AccountParams, reply: ReplyRecord, original: Item) -> Item | None:
    """The member's answer to our reply, if they answer at all (bots never do)."""
    pop = population(params)
    if pop.bot[original.member]:
        return None
    rng = rng_for(params.seed, "answer", params.handle, reply.seq)
    odds = ANSWER_ODDS_QUESTION if original.subkind in QUESTION_KINDS else ANSWER_ODDS
    answers = rng.random() < odds
    delay = 120.0 + rng.exponential(1.5 * HOUR)
    subkind = "answer_followup" if rng.random() < 0.3 else "answer_thanks"
    if not answers:
        return None
    key = ids.account_key(params.handle)
    text = chatter.write(rng, subkind, original.language, chatter.Context(params.handle))
    kind = IncomingKind.DIRECT_MESSAGE if original.kind == IncomingKind.DIRECT_MESSAGE else IncomingKind.COMMENT
    return Item(ids.answer_id(key, reply.seq), kind, reply.created_at.timestamp() + delay, original.member,
                original.language, text, subkind, original.post_seq, ids.reply_id(key, reply.seq))


@dataclass(frozen=True)
class Sources:
    """What an account's inbox is made of at one moment."""

    params: AccountParams
    timelines: Sequence[tuple[PostInput, PostTimeline]]
    replies: Sequence[ReplyRecord]
    comments: bool  # the imitated network has comments (and mentions)
    direct_messages: bool

    def find(self, external_id: str, now: float) -> Item | None:
        """The item with this id, if it exists by `now`."""
        key = ids.account_key(self.params.handle)
        ref = ids.parse(key, external_id)
        if ref is None:
            return None
        item: Item | None = None
        if ref.kind == "comment" and self.comments:
            for post, timeline in self.timelines:
                if post.seq == ref.number and 0 < ref.index <= len(timeline.comments):
                    found = comments_of(self.params, post, timeline, None, now)
                    item = found[ref.index - 1] if ref.index <= len(found) else None
        elif ref.kind in ("dm", "mention") and (self.direct_messages if ref.kind == "dm" else self.comments):
            item = next((i for i in day_messages(self.params, ref.number) if i.external_id == external_id), None)
        elif ref.kind == "answer":
            item = self._answer(ref.number, now)
        return item if item is not None and item.time <= now else None

    def _answer(self, reply_seq: int, now: float) -> Item | None:
        """The answer to our reply `reply_seq`, if it exists by `now`."""
        reply = next((r for r in self.replies if r.seq == reply_seq), None)
        if reply is None:
            return None
        original = self.find(reply.item_external_id, now)
        answer = answer_to(self.params, reply, original) if original is not None else None
        return answer if answer is not None and answer.time <= now else None

    def between(self, since: float | None, until: float) -> list[Item]:
        """Every item in (since, until], oldest first."""
        found: list[Item] = []
        if self.comments:
            for post, timeline in self.timelines:
                found += comments_of(self.params, post, timeline, since, until)
        start = self.params.created_at if since is None else max(since, self.params.created_at)
        for day in range(int(start // DAY), int(until // DAY) + 1):
            found += [i for i in day_messages(self.params, day)
                      if (since is None or i.time > since) and i.time <= until
                      and (self.comments if i.kind == IncomingKind.MENTION else self.direct_messages)]
        for reply in self.replies:
            answer = self._answer(reply.seq, until)
            if answer is not None and (since is None or answer.time > since):
                found.append(answer)
        return sorted(found, key=lambda item: item.order)
