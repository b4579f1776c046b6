"""Infographics from the workspace's own numbers, in its brand: followers this month, the best-time heatmap,
the top three posts, a goal's milestone. Each is drawn with Pillow at the network's size, goes into the
media library, and carries alt text written from the same numbers (so it says what the picture shows).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from PIL import Image, ImageDraw
from sqlalchemy import select

from socialdesk.analytics import best_time
from socialdesk.analytics import service as analytics
from socialdesk.channels import service as channels
from socialdesk.content.models import Post, Publication, PublicationStatus
from socialdesk.core import clock
from socialdesk.core.errors import ValidationFailed
from socialdesk.core.timezones import zone
from socialdesk.goals import service as goals
from socialdesk.media import service as media
from socialdesk.media.models import MediaAsset
from socialdesk.studio import brand as brand_kit
from socialdesk.studio import cards, contrast, textfit
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

KINDS = {"followers": "Followers this month", "heatmap": "Best time to post", "top_posts": "Top 3 posts",
         "milestone": "Milestone reached"}
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ENGAGEMENT = ("likes", "reposts", "comments", "saves", "quotes")


@dataclass
class Drawn:
    image: Image.Image
    alt_text: str
    name: str


def make(ctx: WorkspaceContext, kind: str, *, channel_id: str | None = None, goal_id: str | None = None,
         network: str = "instagram", size: str | None = None, now: datetime | None = None) -> MediaAsset:
    """Draw the infographic `kind` and store it in the media library (alt text included)."""
    ctx.require(Permission.POSTS_WRITE)
    ctx.require(Permission.ANALYTICS_READ)
    if kind not in KINDS:
        raise ValidationFailed(f"Unknown infographic {kind!r}; choose {', '.join(KINDS)}.")
    target = brand_kit.sizes(network, size)[0]
    brand = brand_kit.brand_of(ctx)
    now = now or clock.now()
    box = (target.width, target.height)
    if kind == "followers":
        drawn = followers_card(ctx, brand, box, now, channel_id)
    elif kind == "heatmap":
        drawn = heatmap_card(ctx, brand, box, _channel(ctx, channel_id))
    elif kind == "top_posts":
        drawn = top_posts_card(ctx, brand, box, now, channel_id)
    else:
        drawn = milestone_card(ctx, brand, box, goal_id)
    out = io.BytesIO()
    drawn.image.save(out, "PNG", optimize=True)
    stamp = now.astimezone(zone(ctx.workspace.timezone)).strftime("%Y-%m-%d")
    return media.upload(ctx, f"{drawn.name}-{stamp}.png", out.getvalue(), drawn.alt_text[:1500])


def _channel(ctx: WorkspaceContext, channel_id: str | None) -> str:
    if channel_id:
        return channels.get(ctx, channel_id).id
    found = channels.list_channels(ctx)
    if not found:
        raise ValidationFailed("Connect a channel first: the numbers come from its analytics.")
    return found[0].id


def _canvas(brand: cards.Brand, size: tuple[int, int], title: str) -> tuple[Image.Image, ImageDraw.ImageDraw, int, int]:
    """Background, an accent band with the title, the logo; returns the image, its draw, margin and body top."""
    image = Image.new("RGB", size, brand.background)
    draw = ImageDraw.Draw(image)
    width, height = size
    margin = round(min(size) * 0.07)
    band = round(height * 0.16)
    draw.rectangle((0, 0, width, band), fill=brand.primary)
    ink = contrast.readable_text(brand.primary, brand.background)
    fitted = textfit.fit(draw, title, brand.heading_font, (width - 2 * margin, band - margin),
                         largest=round(band * 0.4))
    y = (band - fitted.height) // 2
    for line in fitted.lines:
        draw.text((margin, y), line, font=fitted.font, fill=ink)
        y += fitted.line_height
    cards._logo(image, brand.logo, margin)
    return image, draw, margin, band + margin


def _text(draw: ImageDraw.ImageDraw, text: str, brand: cards.Brand, box: tuple[int, int, int, int], *,
          largest: int, heading: bool = False, colour: str | None = None) -> int:
    ink = colour or contrast.readable_text(brand.background, brand.text)
    left, top, right, bottom = box
    fitted = textfit.fit(draw, text, brand.heading_font if heading else brand.body_font, (right - left, bottom - top),
                         largest=largest)
    for line in fitted.lines:
        draw.text((left, top), line, font=fitted.font, fill=ink)
        top += fitted.line_height
    return top


def _month_start(ctx: WorkspaceContext, now: datetime) -> datetime:
    local = now.astimezone(zone(ctx.workspace.timezone))
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def followers_card(ctx: WorkspaceContext, brand: cards.Brand, size: tuple[int, int], now: datetime,
                   channel_id: str | None) -> Drawn:
    since = _month_start(ctx, now)
    chosen = [channels.get(ctx, channel_id)] if channel_id else channels.list_channels(ctx)
    summaries = analytics.channel_summaries(ctx, since)
    rows = [(c.name, summaries[c.id].followers, summaries[c.id].followers_change) for c in chosen
            if c.id in summaries and summaries[c.id].followers is not None]
    if not rows:
        raise ValidationFailed("No follower counts have been collected yet this month; they come with the next "
                               "metrics collection.")
    total = sum(r[1] or 0 for r in rows)
    change = sum(r[2] or 0 for r in rows)
    month = since.strftime("%B %Y")
    image, draw, margin, top = _canvas(brand, size, f"Followers · {month}")
    width, height = size
    sign = "+" if change >= 0 else "−"
    top = _text(draw, f"{sign}{abs(change):,}", brand, (margin, top, width - margin, top + round(height * 0.22)),
                largest=round(height * 0.18), heading=True, colour=_accent_ink(brand))
    top = _text(draw, f"new followers this month · {total:,} in all", brand,
                (margin, top, width - margin, top + round(height * 0.08)), largest=round(height * 0.04))
    top += margin // 2
    for name, followers, delta in rows[:6]:
        line = f"{name}: {followers or 0:,}" + (f"  ({'+' if (delta or 0) >= 0 else '−'}{abs(delta or 0):,})"
                                                 if delta is not None else "")
        top = _text(draw, line, brand, (margin, top, width - margin, top + round(height * 0.06)),
                    largest=round(height * 0.035))
    # One channel: its month as a line (channels' snapshots are taken at different moments, so no sum).
    series = analytics.follower_series(ctx, chosen[0].id, since) if len(chosen) == 1 else []
    if len(series) > 1 and top < height - margin * 3:
        _sparkline(draw, series, brand, (margin, top + margin // 2, width - margin, height - margin * 2))
    parts = [f"{n}: {f or 0:,} followers" + (f", {'up' if (d or 0) >= 0 else 'down'} {abs(d or 0):,}"
                                              if d is not None else "") for n, f, d in rows]
    alt = (f"Followers in {month}: {sign}{abs(change):,} this month, {total:,} in all. " + "; ".join(parts) + ".")
    return Drawn(image, alt, "followers-this-month")


def _sparkline(draw: ImageDraw.ImageDraw, series: list[tuple[datetime, int]], brand: cards.Brand,
               box: tuple[int, int, int, int]) -> None:
    """A channel's follower counts over the month as a line."""
    points = sorted(series)
    left, top, right, bottom = box
    first, last = points[0][0].timestamp(), points[-1][0].timestamp()
    low, high = min(v for _, v in points), max(v for _, v in points)
    span_t, span_v = (last - first) or 1, (high - low) or 1
    line = [(left + (at.timestamp() - first) / span_t * (right - left),
             bottom - (value - low) / span_v * (bottom - top)) for at, value in points]
    draw.line(line, fill=brand.accent, width=max(3, (bottom - top) // 60), joint="curve")


def _accent_ink(brand: cards.Brand) -> str:
    return brand.primary if contrast.ratio(brand.primary, brand.background) >= contrast.AA_LARGE else (
        contrast.readable_text(brand.background, brand.text))


def heatmap_card(ctx: WorkspaceContext, brand: cards.Brand, size: tuple[int, int], channel_id: str) -> Drawn:
    found = best_time.recommend(ctx, channel_id)
    if not found.enough:
        raise ValidationFailed(f"{found.channel_name}: {found.message}")
    values = [v for row in found.heatmap for v in row if v is not None]
    if not values:
        raise ValidationFailed(f"{found.channel_name}: not enough published posts for a heatmap yet.")
    low, high = min(values), max(values)
    image, draw, margin, top = _canvas(brand, size, f"Best time to post · {found.channel_name}")
    width, height = size
    label_w = round(width * 0.1)
    grid_w = width - 2 * margin - label_w
    cell_w = grid_w / 24
    cell_h = min(cell_w * 2.2, (height - top - margin * 3) / 7)
    small = textfit.fit(draw, "Wed", brand.body_font, (label_w, round(cell_h)), largest=round(cell_h * 0.55))
    base = tuple(contrast.rgb(brand.background))
    peak = tuple(contrast.rgb(brand.primary))
    for day, row in enumerate(found.heatmap):
        y = top + day * cell_h
        draw.text((margin, y + cell_h * 0.2), DAYS[day], font=small.font, fill=contrast.readable_text(
            brand.background, brand.text))
        for hour, value in enumerate(row):
            x = margin + label_w + hour * cell_w
            share = 0.0 if value is None or high == low else (value - low) / (high - low)
            colour = tuple(round(b + (p - b) * (0.12 + 0.88 * share)) for b, p in zip(base, peak, strict=True))
            draw.rectangle((x + 1, y + 1, x + cell_w - 1, y + cell_h - 1), fill=colour)
    axis = top + 7 * cell_h + 4
    for hour in (0, 6, 12, 18):
        draw.text((margin + label_w + hour * cell_w, axis), f"{hour:02d}", font=small.font,
                  fill=contrast.readable_text(brand.background, brand.text))
    best = sorted(((v, d, h) for d, row in enumerate(found.heatmap) for h, v in enumerate(row) if v is not None),
                  reverse=True)[:3]
    names = [f"{DAYS[d]} {h:02d}:00" for _, d, h in best]
    _text(draw, "Best: " + ", ".join(names), brand, (margin, round(axis + cell_h * 1.2), width - margin,
                                                     height - margin), largest=round(height * 0.04), heading=True)
    alt = (f"Heatmap of the best time to post on {found.channel_name} ({found.timezone}), from "
           f"{found.posts_used} posts: darker is better. The best hours are {', '.join(names)}. {found.message}")
    return Drawn(image, alt, "best-time-heatmap")


def top_posts_card(ctx: WorkspaceContext, brand: cards.Brand, size: tuple[int, int], now: datetime,
                   channel_id: str | None) -> Drawn:
    since = now - timedelta(days=30)
    query = (select(Publication.id, Post.text, Publication.variant_text, Publication.channel_id)
             .join(Post, Post.id == Publication.post_id)
             .where(Publication.workspace_id == ctx.workspace_id, Publication.status == PublicationStatus.PUBLISHED,
                    Publication.published_at >= since))
    if channel_id:
        query = query.where(Publication.channel_id == channels.get(ctx, channel_id).id)
    rows = list(ctx.session.execute(query))
    latest = analytics.latest_for_publications(ctx, [r[0] for r in rows])
    scored = []
    for publication_id, text, variant, _ in rows:
        values = latest.get(publication_id)
        if values is None:
            continue
        engagement = sum(values.values.get(m) or 0 for m in ENGAGEMENT)
        scored.append((engagement, (variant or text or "").strip(), values.values))
    scored.sort(key=lambda item: item[0], reverse=True)
    top = scored[:3]
    if not top:
        raise ValidationFailed("No published post of the last 30 days has metrics yet.")
    image, draw, margin, y = _canvas(brand, size, "Top 3 posts · last 30 days")
    width, height = size
    room = (height - y - margin) // 3
    parts = []
    for rank, (engagement, text, values) in enumerate(top, start=1):
        short = " ".join(text.split())[:140] or "(no text)"
        draw.ellipse((margin, y, margin + round(room * 0.45), y + round(room * 0.45)), fill=brand.accent)
        badge = textfit.fit(draw, str(rank), brand.heading_font, (round(room * 0.45), round(room * 0.45)),
                            largest=round(room * 0.3))
        draw.text((margin + round(room * 0.14), y + round(room * 0.05)), str(rank), font=badge.font,
                  fill=contrast.readable_text(brand.accent, "#ffffff"))
        left = margin + round(room * 0.6)
        end = _text(draw, short, brand, (left, y, width - margin, y + round(room * 0.6)), largest=round(room * 0.16))
        likes, comments = values.get("likes") or 0, values.get("comments") or 0
        stats = f"{engagement:,} interactions · {likes:,} likes · {comments:,} comments"
        _text(draw, stats, brand, (left, end + 4, width - margin, y + room - 8), largest=round(room * 0.12),
              colour=_accent_ink(brand))
        parts.append(f"{rank}. “{short}” with {engagement:,} interactions ({values.get('likes') or 0:,} likes, "
                     f"{values.get('comments') or 0:,} comments)")
        y += room
    return Drawn(image, "Top 3 posts of the last 30 days: " + "; ".join(parts) + ".", "top-3-posts")


def milestone_card(ctx: WorkspaceContext, brand: cards.Brand, size: tuple[int, int], goal_id: str | None) -> Drawn:
    if not goal_id:
        found = goals.list_goals(ctx)
        if not found:
            raise ValidationFailed("Set a goal first (Analytics → Goals): a milestone card celebrates one.")
        goal = found[0]
    else:
        goal = goals.get(ctx, goal_id)
    progress = goals.progress(ctx, goal)
    reached = [m for m in progress.milestones if m.status == "met"]
    value = progress.current.value
    if value is None:
        raise ValidationFailed(f"“{goal.name}” has no measured value yet.")
    unit = "%" if progress.metric.unit.value == "percent" else ""
    shown = f"{value:,.1f}{unit}" if unit else f"{value:,.0f}"
    target = f"{goal.target:,.1f}{unit}" if unit else f"{goal.target:,.0f}"
    title = "Milestone reached!" if reached or goal.status == "met" else "On the way"
    image, draw, margin, top = _canvas(brand, size, title)
    width, height = size
    top = _text(draw, shown, brand, (margin, top, width - margin, top + round(height * 0.22)),
                largest=round(height * 0.18), heading=True, colour=_accent_ink(brand))
    top = _text(draw, f"{progress.metric.label.lower()} · {goal.name}", brand,
                (margin, top, width - margin, top + round(height * 0.12)), largest=round(height * 0.045))
    bar_top = top + margin
    share = progress.share if progress.share is not None else min(1.0, value / goal.target if goal.target else 0)
    draw.rounded_rectangle((margin, bar_top, width - margin, bar_top + round(height * 0.04)), radius=8,
                           outline=brand.primary, width=3)
    filled = margin + round((width - 2 * margin) * max(0.0, min(1.0, share)))
    if filled > margin + 6:
        draw.rounded_rectangle((margin, bar_top, filled, bar_top + round(height * 0.04)), radius=8, fill=brand.primary)
    _text(draw, f"{share:.0%} of the way to {target}", brand,
          (margin, bar_top + round(height * 0.06), width - margin, height - margin), largest=round(height * 0.04))
    what = (f"{len(reached)} of {len(progress.milestones)} milestones reached" if progress.milestones else
            f"goal {goal.status}")
    alt = (f"{title} {goal.name}: {progress.metric.label.lower()} is {shown}, {share:.0%} of the way to the target "
           f"of {target} by {goal.due_on:%d %B %Y}; {what}.")
    return Drawn(image, alt, "milestone")
