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
from socialdesk.core.errors import ValidationFailed
from socialdesk.media import images
from socialdesk.media.service import path_of
from socialdesk.reports import charts
from socialdesk.reports.service import Report

TEMPLATES = Path(__file__).parent / "templates"
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


env.filters.update(fmt=fmt, change_text=change_text, interval=interval, local=local)


def _logo(report: Report) -> str | None:
    logo = report.branding.logo
    if logo is None:
        return None
    try:
        data = path_of(logo).read_bytes()
        # WeasyPrint decodes the logo: one stored before uploads were size-checked must not be a bomb.
        with images.open_checked(data, logo.filename):
            pass
    except (OSError, ValidationFailed):
        return None  # a missing or oversized file should not stop the report
    return f"data:{logo.content_type};base64,{base64.b64encode(data).decode()}"


def _charts(report: Report) -> dict[str, Markup]:
    board = report.dashboard
    names = {c.id: c.name for c in board.channels}
    followers = {names.get(cid, "?"): [(d, float(n)) for d, n in points] for cid, points in board.followers.items()}
    # Markup: matplotlib's own SVG; the only text in it is channel names, which matplotlib escapes.
    return {
        "followers": Markup(charts.line_chart(followers, "Followers")),
        "engagement": Markup(charts.bar_chart([(d, e) for d, _, e, _ in board.engagement],
                                              "Engagements", report.branding.primary)),
    }


def render_html(report: Report, *, with_charts: bool = True) -> str:
    return env.get_template("report.html").render(
        report=report, board=report.dashboard, tz=report.period.timezone, logo=_logo(report),
        charts=_charts(report) if with_charts else {}, Unit=Unit)


def render_pdf(report: Report) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango takes a moment, and only PDFs need it

    return HTML(string=render_html(report), base_url=str(TEMPLATES)).write_pdf()
