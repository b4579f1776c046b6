"""A report's branding cannot make the PDF renderer read files or connect anywhere (issue 11, finding 2).

Before: a footer with a newline ended the CSS string it is printed from, so `url(file:///…)` embedded a
local file on every page and `url(http://127.0.0.1:6379/…)` connected to this machine. Now the footer is
escaped for a CSS string, branding text is one line without control characters, and WeasyPrint loads
nothing but the report's own data: URLs."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import tinycss2
from sqlalchemy import update

from socialdesk.analytics.periods import parse_period
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.reports import render
from socialdesk.reports import service as reports
from socialdesk.reports.models import ReportBranding
from socialdesk.reports.schemas import BrandingIn
from socialdesk.reports.service import Report
from socialdesk.workspaces.models import Workspace
from tests.helpers import World, make_world, serving

# A 1×1 PNG.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJ"
                       "RU5ErkJggg==")

_opened: list[str] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "open" and _opened is not None and args and isinstance(args[0], str | bytes):
        _opened.append(str(args[0]))


sys.addaudithook(_audit)  # hooks cannot be removed; it records only while a test holds `_opened`


@pytest.fixture
def opened() -> Iterator[list[str]]:
    """The paths this process opens while the test runs."""
    global _opened
    _opened = []
    yield _opened
    _opened = None


class Listener:
    """Something on this machine's loopback (Redis, an admin page) that counts who connects."""

    def __init__(self) -> None:
        self.connections = 0
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def setup(self) -> None:
                listener.connections += 1
                super().setup()

            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(PNG)))
                self.end_headers()
                self.wfile.write(PNG)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener()
    with serving(found.server):
        yield found


@pytest.fixture
def world(database: Database, clock: ManualClock) -> World:
    return make_world(database, profiles=("x",), roles=())


def _report(database: Database, world: World, footer: str) -> Report:
    """A report whose stored footer is `footer` as it is (a row saved before the footer rule existed)."""
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        report = reports.build(ctx, parse_period("2026-02", ctx.workspace.timezone))
    report.branding.footer = footer
    return report


def _hostile_footers(secret_file: Path, port: int) -> list[str]:
    """The first is the issue's: the newline ends the CSS string, "}" closes the footer's box, and the page
    gets a background from this machine's disk and from its loopback. The others try quotes, escapes and
    ending the <style> element."""
    fetch = f"url(file://{secret_file}), url(http://127.0.0.1:{port}/a.png), url(file:///etc/passwd)"
    return [f"Acme\n}} background: {fetch};\n.y {{ z: 1",
            f"Acme\"; }} background: {fetch}; .y {{ content: \"",
            f"Acme\\\"\n}} background: {fetch};\n.y {{ z: 1",
            f"Acme\r\f}} @page {{ background: {fetch} }} .y {{ z: 1",
            f"</style><img src=\"http://127.0.0.1:{port}/\"><style>"]


def test_a_hostile_footer_makes_the_pdf_renderer_fetch_nothing(database: Database, world: World, listener: Listener,
                                                               tmp_path: Path, opened: list[str]) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG)
    opened.clear()  # writing it was the test's own opening
    for footer in _hostile_footers(secret, listener.port):
        pdf = render.render_pdf(_report(database, world, footer))
        assert pdf.startswith(b"%PDF")
    assert listener.connections == 0
    assert not [path for path in opened if path in (str(secret), "/etc/passwd")]


def test_the_footer_is_printed_exactly_as_written(database: Database, world: World) -> None:
    """The CSS string the footer lands in holds the footer itself, whatever characters it has (an
    ampersand was printed as “&amp;” before)."""
    footer = 'Fish & Chips Ltd — “quotes” "and" \'these\' \\ } { ; </style> © 2026'
    html = render.render_html(_report(database, world, footer), with_charts=False)
    written = re.search(r'@bottom-left \{ content: ("[^"\n]*");', html)
    assert written is not None, "the footer broke out of its CSS string"
    [token] = [t for t in tinycss2.parse_component_value_list(written.group(1)) if t.type == "string"]
    assert token.value == footer
    assert "</style>" not in html.split("<style>", 1)[1].split("</style>", 1)[0]


def test_the_pdf_renderer_loads_only_the_reports_own_data_urls(listener: Listener, tmp_path: Path,
                                                               opened: list[str]) -> None:
    """Even HTML that names other URLs (whatever way a value got there) loads nothing from them; the logo,
    embedded as a data: URL, still shows."""
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG)
    opened.clear()  # writing it was the test's own opening
    logo = "data:image/png;base64," + base64.b64encode(PNG).decode()
    hostile = (f'<img src="file://{secret}"><img src="http://127.0.0.1:{listener.port}/a.png">'
               f'<link rel="stylesheet" href="http://127.0.0.1:{listener.port}/s.css">'
               f'<div style="background: url(file:///etc/passwd)">x</div>')
    without_logo = render.pdf_from_html(f"<html><body>{hostile}</body></html>")
    assert listener.connections == 0
    assert not [path for path in opened if path in (str(secret), "/etc/passwd")]
    with_logo = render.pdf_from_html(f'<html><body><img src="{logo}" style="width: 2cm">{hostile}</body></html>')
    assert b"/Image" in with_logo and b"/Image" not in without_logo


def test_branding_text_is_one_line_without_control_characters(database: Database, world: World) -> None:
    typed = "Acme\nLtd\r\n\tTel.\x00 1\x1b[31m 2\u2028x\u202eevil\u202c  end"
    assert BrandingIn(footer=typed, title=typed).footer == "Acme Ltd Tel. 1 [31m 2 xevil end"
    with database.unit_of_work() as session:
        saved = reports.save_branding(world.ctx(session), logo_media_id=None, accent_colour="#f08c00", title=typed,
                                      footer=typed)
        assert saved.footer == saved.title == "Acme Ltd Tel. 1 [31m 2 xevil end"
    with database.unit_of_work() as session:  # a row saved before the rule is read as one line too
        session.execute(update(ReportBranding).values(footer="Acme\n} body { x: 1", title="Report\r\nBcc: x@y"))
    with database.read_sessions() as session:
        read = reports.branding(world.ctx(session))
        assert (read.footer, read.title) == ("Acme } body { x: 1", "Report Bcc: x@y")


def test_a_colour_that_is_not_rrggbb_never_reaches_the_css(database: Database, world: World) -> None:
    with database.unit_of_work() as session:
        workspace = session.get(Workspace, world.workspace_id)
        assert workspace is not None
        workspace.brand_colour = "#}*{a:b"  # passes the workspace's own check (7 characters, a #)
    html = render.render_html(_report(database, world, "Acme"), with_charts=False)
    assert "#}*{a:b" not in html and "--primary: #3b5bdb;" in html


def test_only_installed_font_files_are_read_besides_the_reports_own_data() -> None:
    """The emoji face's local("Noto Color Emoji") becomes a file:// URL of the installed font: that one is
    read (else every PDF logged a refusal and lost its emoji face); no other file is."""
    from socialdesk.reports.render import _installed_font

    emoji = subprocess.run(["fc-list", f":family={render.EMOJI_FONT}", "file"], capture_output=True, text=True,
                           check=False).stdout.split(":")[0].strip()
    if emoji:
        assert _installed_font(f"file://{emoji}")
    for refused in ("file:///etc/passwd", "file:///usr/share/fonts/../../../etc/passwd",
                    "file:///usr/share/fonts/truetype/dejavu/../../../../etc/hostname",
                    "file://example.org/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                    "http://127.0.0.1/usr/share/fonts/a.ttf", "file:///usr/share/fonts/nothing-here.ttf"):
        assert not _installed_font(refused), refused
