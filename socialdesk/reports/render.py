"""A report as HTML (one self-contained document: browser, print and PDF share it) and as PDF."""

from __future__ import annotations

import base64
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from socialdesk.analytics.dashboard import Kpi
from socialdesk.analytics.definitions import Unit, format_value
from socialdesk.analytics.statistics import VERDICT_TEXT, Estimate
from socialdesk.media.models import MediaAsset
from socialdesk.media.service import path_of
from socialdesk.reports import charts
from socialdesk.reports.cover import excerpt
from socialdesk.reports.service import Report

TEMPLATES = Path(__file__).parent / "templates"
# The report's one font stack, margin boxes (the page footer) included. "Noto Color Emoji" (Debian:
# fonts-noto-color-emoji) draws the emoji posts are full of; without it they print as empty boxes. It is
# named through an @font-face limited to emoji code points: named directly in the stack, Pango takes
# digits, "#" and "*" from it too (the font has them for keycaps), and numbers come out spaced apart.
EMOJI_FONT = "Noto Color Emoji"
EMOJI_FACE = (
    '@font-face { font-family: "Report Emoji"; src: local("Noto Color Emoji"), local("NotoColorEmoji"); '
    "unicode-range: U+A9, U+AE, U+200D, U+203C, U+2049, U+20E3, U+2122, U+2139, U+2194-21AA, U+231A-23FF, "
    "U+24C2, U+25AA-25FE, U+2600-27BF, U+2934-2935, U+2B05-2B55, U+3030, U+303D, U+3297, U+3299, U+FE0F, "
    "U+1F000-1FAFF, U+E0020-E007F; }")
FONTS = '"DejaVu Sans", "Helvetica Neue", Arial, "Report Emoji", sans-serif'
env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True,
                  lstrip_blocks=True)


def fmt(value: float | None, unit: str = Unit.COUNT) -> str:
    return format_value(value, unit)


def change_text(kpi: Kpi) -> str:
    """The change from the period before, with its interval where the value is an estimate."""
    change = kpi.change
    if change is None or change.value is None:
        return "—"
    unit = "points" if kpi.unit == Unit.PERCENT else ""
    number = (f"{change.value:+.2f} {unit}".strip() if kpi.unit in (Unit.PERCENT, Unit.HOURS)
              else f"{change.value:+,.0f}")
    if kpi.exact or change.low is None or change.high is None:
        return number
    return f"{number} ({change.low:+.2f} to {change.high:+.2f}; {VERDICT_TEXT[kpi.verdict] if kpi.verdict else ''})"


def interval(estimate: Estimate | None, unit: str = Unit.PERCENT) -> str:
    if estimate is None or estimate.low is None or estimate.high is None:
        return "no interval (too few)"
    return f"{format_value(estimate.low, unit)} – {format_value(estimate.high, unit)}"


def local(moment: datetime | None, timezone: str, pattern: str = "%d %b %Y %H:%M") -> str:
    from socialdesk.core.timezones import zone

    return "—" if moment is None else moment.astimezone(zone(timezone)).strftime(pattern)


def css_string(text: str) -> Markup:
    """Text as a quoted CSS string (the footer goes into the style sheet's @page rule): quotes, backslashes
    and line breaks escaped, and "<" too, so nothing in it can end the style element."""
    escaped = "".join(f"\\{ord(ch):x} " if ch in '"\\<>&\n\r' else ch for ch in text)
    return Markup(f'"{escaped}"')


env.filters.update(fmt=fmt, change_text=change_text, interval=interval, local=local, excerpt=excerpt,
                   css_string=css_string)


def _data_url(asset: MediaAsset | None, *, thumbnail: bool = False) -> str | None:
    """A media file inside the document itself (the report fetches nothing from anywhere)."""
    if asset is None:
        return None
    small = thumbnail and asset.thumbnail_key is not None
    try:
        data = path_of(asset, thumbnail=small).read_bytes()
    except OSError:
        return None  # a missing file should not stop the report
    content_type = "image/jpeg" if small else asset.content_type  # thumbnails are JPEG
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


def _logo(report: Report) -> str | None:
    return _data_url(report.branding.logo)


def _cover_images(report: Report) -> dict[str, str]:
    """The cover's post pictures by publication, as thumbnails: a few kilobytes each."""
    found = {p.row.record.publication_id: _data_url(p.image, thumbnail=True) for p in report.cover.posts}
    return {key: url for key, url in found.items() if url}


def _charts(report: Report) -> dict[str, Markup]:
    board = report.dashboard
    names = {c.id: c.name for c in board.channels}
    followers = {names.get(cid, "?"): [(d, float(n)) for d, n in points] for cid, points in board.followers.items()}
    days = (report.period.first, report.period.last)
    # Markup: matplotlib's own SVG; the only text in it is channel names, which matplotlib escapes.
    return {
        "followers": Markup(charts.line_chart(followers, "Followers", days=days)),
        "engagement": Markup(charts.bar_chart([(d, e) for d, _, e, _ in board.engagement],
                                              "Engagements", report.branding.primary, days=days)),
    }


def render_html(report: Report, *, with_charts: bool = True) -> str:
    return env.get_template("report.html").render(
        report=report, board=report.dashboard, tz=report.period.timezone, logo=_logo(report),
        cover_images=_cover_images(report), charts=_charts(report) if with_charts else {}, Unit=Unit,
        fonts=FONTS, emoji_face=EMOJI_FACE)


def render_pdf(report: Report) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango takes a moment, and only PDFs need it

    return HTML(string=render_html(report), base_url=str(TEMPLATES)).write_pdf()
