"""The PDF report of a past month: a cover with the headline numbers in words and the top posts with their
pictures; emoji drawn with an emoji font, never as empty boxes; the footer in the report's sans font; the
charts' date axis held to the month."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import pytest

from socialdesk.analytics.models import ChannelMetricSnapshot, PublicationMetricSnapshot
from socialdesk.analytics.periods import parse_period
from socialdesk.content.models import Post, PostMedia, Publication, PublicationStatus
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.core.timezones import zone
from socialdesk.media import service as media
from socialdesk.reports import render
from socialdesk.reports import service as reports
from socialdesk.reports.service import Report
from tests.helpers import World, image_bytes, make_world

TIMEZONE = "Europe/Zagreb"
TEXT = "Coffee time ☕🥐 with friends #coffee"
BEST = "Our new latte art 🎨☕ #barista"


@dataclass
class November:
    db: Database
    world: World
    image_id: str


def _november(database: Database, clock: ManualClock) -> November:
    """Ten posts in November 2026 on two channels, followers from 4,500 to 4,600, one post with an image
    that did best of all; the clock on 10 December."""
    world = make_world(database, profiles=("x", "instagram"), timezone=TIMEZONE)
    tz = zone(TIMEZONE)
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        image_id = media.upload(ctx, "latte.jpg", image_bytes(3, (300, 300)), "Latte art").id
        # Followers: 2,250 on each channel until 1 November, then +50 each by the month's end.
        for channel_id in world.channels.values():
            for day in range(-5, 31):
                n = 2250 + max(0, min(day, 29)) * 50 // 29
                session.add(ChannelMetricSnapshot(
                    workspace_id=world.workspace_id, channel_id=channel_id, followers=n,
                    collected_at=datetime.combine(datetime(2026, 11, 1).date() + timedelta(days=day), time(12),
                                                  tzinfo=tz)))
        for n in range(10):
            when = datetime(2026, 11, 3 + 2 * n, 9 + n, 0, tzinfo=tz)
            post = Post(workspace_id=world.workspace_id, text=BEST if n == 4 else TEXT, scheduled_at=when)
            session.add(post)
            session.flush()
            if n == 4:
                session.add(PostMedia(post_id=post.id, media_id=image_id))
            for channel_id in world.channels.values():
                publication = Publication(workspace_id=world.workspace_id, post_id=post.id, channel_id=channel_id,
                                          status=PublicationStatus.PUBLISHED, scheduled_at=when, published_at=when)
                session.add(publication)
                session.flush()
                session.add(PublicationMetricSnapshot(
                    workspace_id=world.workspace_id, publication_id=publication.id,
                    collected_at=when + timedelta(days=6, hours=12), likes=200 if n == 4 else 20 + n, comments=3,
                    reposts=1))
    clock.set(datetime(2026, 12, 10, 9, 0, tzinfo=UTC))
    return November(database, world, image_id)


def _report(nov: November) -> Report:
    with nov.db.read_sessions() as session:
        return reports.build(nov.world.ctx(session), parse_period("2026-11", TIMEZONE))


def test_the_cover_says_the_headline_numbers_in_words(database: Database, clock: ManualClock) -> None:
    nov = _november(database, clock)
    report = _report(nov)
    lines = report.cover.headlines
    assert lines[0] == "Followers grew 2.2 % to 4,600 (+100 in the period)."
    assert lines[1] == "10 posts went out as 20 publications on 2 channels."
    best = next(line for line in lines if line.startswith("The best post was"))
    assert "“Our new latte art 🎨☕ #barista”" in best and "(11 Nov)" in best
    top = report.cover.posts[0]
    assert top.row.record.text == BEST and top.image is not None and top.image.id == nov.image_id
    assert all(p.image is None for p in report.cover.posts[1:])  # text posts: no picture to show


def _fonts(pdf: object) -> set[str]:
    found = set()
    for page in pdf.pages:  # type: ignore[attr-defined]
        for font in (page["/Resources"].get("/Font") or {}).values():
            found.add(str(font.get_object()["/BaseFont"]))
    return found


def test_the_pdf_has_a_cover_emoji_and_a_sans_footer(database: Database, clock: ManualClock) -> None:
    from pypdf import PdfReader

    nov = _november(database, clock)
    pdf = PdfReader(io.BytesIO(render.render_pdf(_report(nov))))
    cover = pdf.pages[0].extract_text()
    assert "November 2026 at a glance" in cover and "Followers grew 2.2 % to 4,600" in cover
    assert "Top posts" in cover and "Page 1 of" in cover
    # The best post's picture (a 300 × 300 image), embedded in the file; the rest are colour emoji.
    assert [i.image.size for i in pdf.pages[0].images].count((300, 300)) == 1
    fonts = _fonts(pdf)
    assert any("Emoji" in f for f in fonts), fonts  # ☕🥐🎨 drawn from an emoji font, not empty boxes
    assert not any("Serif" in f or "Times" in f for f in fonts), fonts  # the footer too is sans
    # Numbers stay in the text font: the emoji font also has digits (for keycaps), spaced apart.
    assert "4,600" in cover


def test_the_report_names_an_installed_emoji_font() -> None:
    html_fonts = render.FONTS + render.EMOJI_FACE
    assert f'local("{render.EMOJI_FONT}")' in html_fonts and '"Report Emoji"' in render.FONTS
    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig's fc-list is not installed")
    listed = subprocess.run(["fc-list", f":family={render.EMOJI_FONT}"], capture_output=True, text=True,
                            check=True).stdout
    assert listed.strip(), "Install Debian's fonts-noto-color-emoji (scripts/test does): emoji print as boxes."


def test_the_month_charts_date_axis_stays_in_the_month(database: Database, clock: ManualClock) -> None:
    nov = _november(database, clock)
    html = render.render_html(_report(nov))
    charts = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(charts) == 2
    for svg in charts:
        labels = re.findall(r"<text[^>]*>([^<]+)</text>", svg)
        dated = [label for label in labels if re.search(r"[A-Z][a-z]{2}", label) and "Kava" not in label]
        assert dated and all(label.strip().endswith("Nov") for label in dated if re.search(r"\d", label)), dated
        assert "Dec" not in svg


def test_a_chart_is_drawn_once_for_the_same_points_and_again_for_new_ones() -> None:
    from socialdesk.reports import charts

    days = (datetime(2026, 11, 1).date(), datetime(2026, 11, 3).date())
    points = [(days[0], 10.0), (days[0] + timedelta(days=1), 12.0), (days[1], None)]
    drawn = charts.bar_chart(points, "Engagements", days=days)
    assert drawn.startswith("<svg")
    before = charts._bar_chart.cache_info().misses
    assert charts.bar_chart(list(points), "Engagements", days=days) is drawn  # the report's HTML, then its PDF
    assert charts._bar_chart.cache_info().misses == before
    # A snapshot collected since changes a point: the chart is drawn again, never the kept one shown.
    newer = charts.bar_chart([*points[:2], (days[1], 3.0)], "Engagements", days=days)
    assert newer != drawn and charts._bar_chart.cache_info().misses == before + 1
    followers = {"Shop": [(days[0], 100.0), (days[1], 101.0)]}
    line = charts.line_chart(followers, "Followers", days=days)
    assert charts.line_chart({"Shop": list(followers["Shop"])}, "Followers", days=days) is line
    assert charts.line_chart({"Shop": [(days[0], 100.0), (days[1], 105.0)]}, "Followers", days=days) != line
    assert charts.line_chart({}, "Followers") == charts.bar_chart([(days[0], None)], "Engagements") == ""
