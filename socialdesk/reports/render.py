"""A report as HTML (one self-contained document: browser, print and PDF share it) and as PDF."""

from __future__ import annotations

import base64
import logging
import os
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
from socialdesk.core.errors import ValidationFailed
from socialdesk.media import images
from socialdesk.media.models import MediaAsset
from socialdesk.media.service import path_of
from socialdesk.reports.cover import excerpt
from socialdesk.reports.service import Report

log = logging.getLogger(__name__)
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
                   css_colour=css_colour, excerpt=excerpt)


def _data_url(asset: MediaAsset | None, *, thumbnail: bool = False) -> str | None:
    """A media file inside the document itself (the report fetches nothing from anywhere)."""
    if asset is None:
        return None
    small = thumbnail and asset.thumbnail_key is not None
    try:
        data = path_of(asset, thumbnail=small).read_bytes()
        # WeasyPrint decodes the image: one stored before uploads were size-checked must not be a bomb.
        with images.open_checked(data, asset.filename):
            pass
    except (OSError, ValidationFailed):
        return None  # a missing or oversized file should not stop the report
    content_type = "image/jpeg" if small else asset.content_type  # thumbnails are JPEG
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


def _logo(report: Report) -> str | None:
    return _data_url(report.branding.logo)


def _cover_images(report: Report) -> dict[str, str]:
    """The cover's post pictures by publication, as thumbnails: a few kilobytes each."""
    found = {p.row.record.publication_id: _data_url(p.image, thumbnail=True) for p in report.cover.posts}
    return {key: url for key, url in found.items() if url}


def _charts(report: Report) -> dict[str, Markup]:
    # Imported here: matplotlib takes most of a second to load, and only reports draw charts.
    from socialdesk.reports import charts

    board = report.dashboard
    names = {c.id: c.name for c in board.channels}
    followers = {names.get(cid, "?"): [(d, float(n)) for d, n in points] for cid, points in board.followers.items()}
    days = (report.period.first, report.period.last)
    # Markup: matplotlib's own SVG; the only text in it is channel names, which matplotlib escapes.
    return {
        "followers": Markup(charts.line_chart(followers, "Followers", days=days)),
        "engagement": Markup(charts.bar_chart([(d, e) for d, _, e, _ in board.engagement],
                                              "Engagements", css_colour(report.branding.primary), days=days)),
    }


def render_html(report: Report, *, with_charts: bool = True) -> str:
    return env.get_template("report.html").render(
        report=report, board=report.dashboard, tz=report.period.timezone, logo=_logo(report),
        cover_images=_cover_images(report), charts=_charts(report) if with_charts else {}, Unit=Unit,
        fonts=FONTS, emoji_face=EMOJI_FACE)


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
        """Fetches data: URLs (what the report embeds) and the installed font files that the emoji face's
        `local()` resolves to; refuses everything else, before any I/O."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not (url.lower().startswith("data:") or _installed_font(url)):
                log.warning("report PDF: refused to load %.200s (only the report's own data: URLs)", url)
                raise ValueError("a report loads only its own embedded assets")
            return super().fetch(url, headers)

    return OwnAssetsOnly(allowed_protocols=("data", "file"), allow_redirects=False)


FONT_DIRS = ("/usr/share/fonts/", "/usr/local/share/fonts/")
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".woff", ".woff2")


def _installed_font(url: str) -> bool:
    """A file:// URL of a font file in the system's font folders (what WeasyPrint makes of `local("Noto Color
    Emoji")`). Only fonts: any other file, or a path that leaves those folders, stays refused."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return False
    path = os.path.realpath(unquote(parts.path))
    return path.startswith(FONT_DIRS) and path.lower().endswith(FONT_SUFFIXES) and os.path.isfile(path)
