"""In a real browser at 1280 px: a CSV with a bad row is refused with each problem listed and nothing saved,
the fixed file imports; the public link-in-bio page shows the workspace's links and posts, and a click on a
link is counted on the links page."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from socialdesk.content import service as content
from socialdesk.content.models import Post
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.db import Database
from socialdesk.jobs.runner import Runner
from socialdesk.links import bio
from socialdesk.links import settings as link_settings
from tests.browser.layout import layout_problems
from tests.helpers import PASSWORD, make_world

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def _sign_in(page: Any, base: str, email: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def _file(tmp_path: Path, rows: list[list[str]]) -> Path:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["text", "channels", "time", "intent"])
    writer.writerows(rows)
    path = tmp_path / "posts.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _posts(database: Database) -> int:
    with database.read_sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Post)) or 0)


def test_csv_import_page(database: Database, live_server: str, page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    world = make_world(database, "Kava Bar", profiles=("x", "instagram"))
    _sign_in(page, live_server, world.users["owner"])
    page.click("nav >> text=Import & feeds")
    expect(page.locator("h1")).to_have_text("Import & feeds")
    rows = [["Nova kava! #kava", "Kava Bar x", "2030-05-04 09:30", "schedule"],
            ["Subota: degustacija", "Kava Bar tiktok", "4.5.2030", ""],
            ["<script>alert(1)</script> draft", "Kava Bar instagram", "", "draft"]]
    page.set_input_files("input[name=file]", str(_file(tmp_path, rows)))
    page.click("button:has-text('Import')")
    expect(page.locator(".import-result .alert.error")).to_contain_text("Nothing was imported: 2 problem(s)")
    problems = page.locator(".problems-table tbody tr")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text("channels")
    expect(problems.nth(1)).to_contain_text("YYYY-MM-DD HH:MM")
    assert _posts(database) == 0
    assert layout_problems(page) == []
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "csv-import-problems.png"), full_page=True)

    rows[1] = ["Subota: degustacija", "@kavabar_x", "2030-05-04 10:00", ""]
    page.set_input_files("input[name=file]", str(_file(tmp_path, rows)))
    page.click("button:has-text('Import')")
    expect(page.locator(".import-result .alert.note")).to_contain_text("3 post(s) imported")
    assert _posts(database) == 3
    page.screenshot(path=str(SHOTS / "csv-import-done.png"), full_page=True)


def test_link_in_bio_page(database: Database, live_server: str, page: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from playwright.sync_api import expect

    monkeypatch.setenv("SOCIALDESK_SHORT_URL", f"{live_server}/l")  # the operator's short-link address
    reset_settings_cache()
    world = make_world(database, "Kava Bar", profiles=("x",))
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        link_settings.save_workspace(ctx, shorten=True, utm_enabled=True, values={"utm_source": "{network}",
                                                                                 "utm_medium": "social"})
        for text in ("Nova kava iz Etiopije stigla je! ☕ Dođite na degustaciju u subotu. #kava",
                     "Subotom pečemo kroasane — naručite na https://kava.example.com/kroasani"):
            content.compose(ctx, PostIn(text=text, channel_ids=[world.channels["x"]], intent=Intent.PUBLISH_NOW))
    Runner(database).run_pending()
    _sign_in(page, live_server, world.users["owner"])
    page.click("nav >> text=Links")
    expect(page.locator("h1")).to_have_text("Links")
    form = page.locator("form#bio")
    form.locator("input[name=enabled]").check()
    form.locator("input[name=slug]").fill("kava-bar")
    form.locator("textarea[name=intro]").fill("Specialty coffee in the heart of Zagreb")
    form.locator("textarea[name=links]").fill("Menu | https://kava.example.com/menu\n"
                                              "Book a table | https://kava.example.com/book")
    form.locator("button:has-text('Save the page')").click()
    expect(page.locator(".flash .alert.note")).to_contain_text("public at /bio/kava-bar")
    assert layout_problems(page) == []
    page.screenshot(path=str(SHOTS / "links-page.png"), full_page=True)

    # A visitor without a session, in an ordinary browser (headless Chrome says so, and counts as a bot).
    visitor = page.context.browser.new_context(viewport={"width": 1280, "height": 900}, user_agent=(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"))
    public = visitor.new_page()
    public.route("https://kava.example.com/**", lambda route: route.fulfill(body="<h1>Menu</h1>",
                                                                             content_type="text/html"))
    public.goto(f"{live_server}/bio/kava-bar")
    expect(public.locator("h1")).to_have_text("Kava Bar")
    expect(public.locator(".bio-link")).to_have_count(2)
    expect(public.locator(".bio-post")).to_have_count(2)
    assert layout_problems(public) == []
    SHOTS.mkdir(exist_ok=True)
    public.screenshot(path=str(SHOTS / "link-in-bio.png"), full_page=True)
    public.locator(".bio-link", has_text="Menu").click()
    expect(public.locator("h1")).to_have_text("Menu")
    visitor.close()
    with database.read_sessions() as session:
        menu = next(link for link in bio.public(session, "kava-bar").links if link.label == "Menu")
    page.reload()
    row = page.locator(f"tr[data-link='{menu.code}']")
    expect(row.locator("td").nth(3)).to_have_text("1")
