"""A report as HTML (one self-contained document: browser, print and PDF share it) and as PDF."""

from __future__ import annotations

import base64
import logging
import re
import string
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from socialdesk.analytics.dashboard import Kpi
from socialdesk.analytics.definitions import Unit, format_value
from socialdesk.analytics.statistics import VERDICT_TEXT, Estimate
from socialdesk.media.service import path_of
from socialdesk.reports.service import Report

log = logging.getLogger(__name__)
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


# Characters written as themselves inside a CSS string; everything else is a CSS escape (\a ), so no
# value can end the string (a quote, a newline), end the <style> element (<), or mean anything to HTML (&).
_CSS_PLAIN = frozenset(string.ascii_letters + string.digits + " .,:!?-_()@#%+*=~|")


def css_string(value: Any) -> Markup:
    """A value for the inside of a double-quoted CSS string in a <style> element."""
    out = []
    for ch in str(value or ""):
        if ch in _CSS_PLAIN or (ord(ch) > 127 and unicodedata.category(ch)[0] in "LNPS"):
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):x} ")  # the space ends the escape (CSS consumes it)
    # Markup: escaped above for its own context; HTML escaping (&amp;) would show up as text in the PDF.
    return Markup("".join(out))


_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def css_colour(value: Any, fallback: str = "#3b5bdb") -> str:
    """A colour for CSS: #rrggbb as saved, or the default if a stored value is anything else."""
    text = str(value or "")
    return text if _COLOUR.fullmatch(text) else fallback


env.filters.update(fmt=fmt, change_text=change_text, interval=interval, local=local, css_string=css_string,
                   css_colour=css_colour)


def _logo(report: Report) -> str | None:
    logo = report.branding.logo
    if logo is None:
        return None
    try:
        data = path_of(logo).read_bytes()
    except OSError:
        return None  # a missing file should not stop the report
    return f"data:{logo.content_type};base64,{base64.b64encode(data).decode()}"


def _charts(report: Report) -> dict[str, Markup]:
    # Imported here: matplotlib takes most of a second to load, and only reports draw charts.
    from socialdesk.reports import charts

    board = report.dashboard
    names = {c.id: c.name for c in board.channels}
    followers = {names.get(cid, "?"): [(d, float(n)) for d, n in points] for cid, points in board.followers.items()}
    # Markup: matplotlib's own SVG; the only text in it is channel names, which matplotlib escapes.
    return {
        "followers": Markup(charts.line_chart(followers, "Followers")),
        "engagement": Markup(charts.bar_chart([(d, e) for d, _, e, _ in board.engagement],
                                              "Engagements", css_colour(report.branding.primary))),
    }


def render_html(report: Report, *, with_charts: bool = True) -> str:
    return env.get_template("report.html").render(
        report=report, board=report.dashboard, tz=report.period.timezone, logo=_logo(report),
        charts=_charts(report) if with_charts else {}, Unit=Unit)


def render_pdf(report: Report) -> bytes:
    return pdf_from_html(render_html(report))


def pdf_from_html(html: str) -> bytes:
    """The PDF of a report's HTML. WeasyPrint may load nothing but what the document carries itself (the
    logo is a data: URL, the charts are inline SVG): a file:// or http(s):// URL that a stored value smuggled
    into the page would read a file of this machine into the PDF, or connect to an address of its network."""
    from weasyprint import HTML  # imported here: loading Pango takes a moment, and only PDFs need it

    return HTML(string=html, url_fetcher=_own_assets_fetcher()).write_pdf()


def _own_assets_fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    class OwnAssetsOnly(URLFetcher):  # type: ignore[misc]
        """Fetches data: URLs (what the report embeds) and refuses everything else, before any I/O."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.lower().startswith("data:"):
                log.warning("report PDF: refused to load %.200s (only the report's own data: URLs)", url)
                raise ValueError("a report loads only its own embedded assets")
            return super().fetch(url, headers)

    return OwnAssetsOnly(allowed_protocols=("data",), allow_redirects=False)
