"""A report's cover: the period's headline numbers in words, and its best posts with their pictures.

Every sentence is made from the same numbers as the pages after it (the dashboard's KPIs, the ranked
posts, the goals as they stood at the period's end), so the cover never says more than they do: a
change is called a rise or a fall only where it is a count or its interval excludes zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from socialdesk.analytics.dashboard import Dashboard, Kpi, PostRow
from socialdesk.analytics.definitions import Unit, format_value
from socialdesk.analytics.statistics import Verdict
from socialdesk.content.models import PostMedia
from socialdesk.core import clock
from socialdesk.core.timezones import zone
from socialdesk.goals import service as goals
from socialdesk.goals.models import Outcome
from socialdesk.media.models import MediaAsset
from socialdesk.workspaces.context import WorkspaceContext

COVER_POSTS = 3
EXCERPT = 140


@dataclass
class CoverPost:
    row: PostRow
    image: MediaAsset | None  # the publication's first image, if it had one


@dataclass
class Cover:
    headlines: list[str]
    posts: list[CoverPost]


def build(ctx: WorkspaceContext, board: Dashboard, progress: list[goals.Progress]) -> Cover:
    kpis = {k.key: k for k in board.kpis}
    lines = [followers_sentence(kpis["followers"], kpis["follower_growth"]),
             posts_sentence(board, kpis["posts"])]
    lines += [s for s in (rate_sentence(kpis.get(board.rank_by.key), board.previous.label),
                          best_post_sentence(board), responses_sentence(kpis)) if s]
    lines += goal_sentences(progress, board.period.start, board.period.end)
    # One card per post: the same post on two channels would otherwise fill two of the three.
    rows: dict[str, PostRow] = {}
    for row in board.top:  # best first: a post keeps its best publication
        rows.setdefault(row.record.post_id, row)
    return Cover(lines, [CoverPost(row, first_image(ctx, row)) for row in list(rows.values())[:COVER_POSTS]])


def excerpt(text: str, limit: int = EXCERPT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def followers_sentence(followers: Kpi, growth: Kpi) -> str:
    if followers.value is None:
        return "No follower numbers were collected in this period."
    end = followers.value
    if growth.value is None:
        return f"Followers: {format_value(end, Unit.COUNT)} at the end of the period."
    start = end / (1 + growth.value / 100) if growth.value > -100 else 0.0
    change = round(end - start)
    if change == 0:
        return f"Followers held at {format_value(end, Unit.COUNT)}."
    verb = "grew" if change > 0 else "fell"
    return (f"Followers {verb} {abs(growth.value):.1f} % to {format_value(end, Unit.COUNT)} "
            f"({change:+,} in the period).")


def posts_sentence(board: Dashboard, posts: Kpi) -> str:
    count, publications = board.post_count, len(board.posts)
    channels = len({r.channel_id for r in board.posts})
    if count == 0:
        return "Nothing was published in this period."
    text = (f"{count} post{'' if count == 1 else 's'} went out as {publications} publication"
            f"{'' if publications == 1 else 's'} on {channels} channel{'' if channels == 1 else 's'}")
    if posts.previous:
        text += f" ({board.previous.label}: {posts.previous:,.0f} posts)"
    return text + "."


def rate_sentence(kpi: Kpi | None, previous_label: str) -> str | None:
    if kpi is None or kpi.value is None:
        return None
    text = f"{kpi.label} was {format_value(kpi.value, kpi.unit)}"
    if kpi.low is not None and kpi.high is not None:
        text += f" (95 % interval {format_value(kpi.low, kpi.unit)} – {format_value(kpi.high, kpi.unit)})"
    if kpi.previous is not None and kpi.verdict in (Verdict.HIGHER, Verdict.LOWER):
        direction = "up" if kpi.verdict == Verdict.HIGHER else "down"
        text += f", clearly {direction} from {format_value(kpi.previous, kpi.unit)} in {previous_label}"
    elif kpi.previous is not None and kpi.verdict is not None:
        text += f", no clear change from {format_value(kpi.previous, kpi.unit)} in {previous_label}"
    return text + "."


def best_post_sentence(board: Dashboard) -> str | None:
    if not board.top:
        return None
    best = board.top[0]
    day = best.record.published_at.astimezone(zone(board.period.timezone))
    return (f"The best post was “{excerpt(best.record.text, 90)}” on {best.channel_name} ({day:%d %b}): "
            f"{format_value(best.rate, Unit.PERCENT)} {board.rank_by.label.lower()}.")


def responses_sentence(kpis: dict[str, Kpi]) -> str | None:
    rate, wait = kpis.get("response_rate"), kpis.get("median_first_response")
    if rate is None or rate.value is None:
        return None
    text = (f"{rate.value:.0f} % of {rate.n:,} message{'' if rate.n == 1 else 's'} from the audience "
            "were answered")
    if wait is not None and wait.value is not None:
        text += f"; the median first reply took {format_value(wait.value, Unit.HOURS)}"
    return text + "."


def goal_sentences(progress: list[goals.Progress], start: datetime, end: datetime) -> list[str]:
    """The goals' outlook at the period's end, and each milestone decided within the period."""
    if not progress:
        return []
    outlooks: dict[str, int] = {}
    for p in progress:
        outlooks[p.outlook] = outlooks.get(p.outlook, 0) + 1
    goal_count = len(progress)
    line = (f"{goal_count} goal{'' if goal_count == 1 else 's'} at the end of the period: "
            + ", ".join(f"{n} {outlook}" for outlook, n in outlooks.items()) + ".")
    begin, finish = clock.utc(start), clock.utc(end)
    decided = [f"“{p.goal.name}” {m.status} its milestone of {m.due_on:%d %b} "
               f"({format_value(m.outcome_value, p.metric.unit)} against {format_value(m.target, p.metric.unit)})"
               for p in progress for m in p.milestones
               if m.status != Outcome.ACTIVE and m.outcome_at is not None and begin < m.outcome_at <= finish]
    if decided:
        line += " " + "; ".join(decided) + "."
    return [line]


def first_image(ctx: WorkspaceContext, row: PostRow) -> MediaAsset | None:
    """The first image the publication went out with: its own media where it had some, else the post's."""
    record = row.record
    rows = ctx.session.execute(
        select(PostMedia.publication_id, MediaAsset).join(MediaAsset, MediaAsset.id == PostMedia.media_id)
        .where(PostMedia.post_id == record.post_id, MediaAsset.workspace_id == ctx.workspace_id,
               or_(PostMedia.publication_id.is_(None), PostMedia.publication_id == record.publication_id))
        .order_by(PostMedia.position)).all()
    own = [asset for publication_id, asset in rows if publication_id == record.publication_id]
    shared = [asset for publication_id, asset in rows if publication_id is None]
    return next((a for a in own or shared if a.kind == "image"), None)
