"""In a real browser: the composer underlines a Croatian misspelling, one click fixes it, a word joins the
workspace dictionary from the panel, and the approval page shows the style guide's findings."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

import pytest

from socialdesk.content import service as content
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.db import Database
from socialdesk.studio.writing import dictionaries
from socialdesk.studio.writing import service as writing
from tests.helpers import PASSWORD, make_world

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(dictionaries.find("hr") is None, reason="hunspell-hr is not installed")]


def _sign_in(page: Any, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_composer_underlines_fixes_and_learns_a_word(database: Database, live_server: str, page: Any) -> None:
    from playwright.sync_api import expect

    world = make_world(database, profiles=("instagram",))
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, live_server, world.users["owner"])
    page.goto(f"{live_server}/w/{world.workspace_id}/compose")
    page.check("label.pick:has-text('Brand A instagram') input")
    page.select_option("[data-writing-language-select]", "hr")
    page.fill("textarea#text", "Kavomat je grješkom skuhao kavu za sve goste.")
    mark = page.locator("#writing mark.w-spelling", has_text="grješkom")
    expect(mark).to_be_visible(timeout=30_000)  # the first check loads the dictionary
    expect(page.locator("#writing .w-item", has_text="Kavomat")).to_be_visible()
    if os.environ.get("SOCIALDESK_SCREENSHOTS"):
        page.screenshot(path=os.environ["SOCIALDESK_SCREENSHOTS"] + "/writing-composer.png", full_page=True)

    page.locator("#writing [data-fix][data-original='grješkom']", has_text="greškom").click()
    expect(page.locator("textarea#text")).to_have_value("Kavomat je greškom skuhao kavu za sve goste.")
    expect(page.locator("#writing mark", has_text="grješkom")).to_have_count(0)

    page.locator("#writing .w-item", has_text="Kavomat").get_by_role("button", name="Add to dictionary").click()
    expect(page.locator("#writing")).to_contain_text("No spelling, grammar or style problems found.")
    with database.unit_of_work() as session:
        assert [w.word for w in writing.words(world.ctx(session))] == ["Kavomat"]


def test_ignore_hides_a_problem_and_the_approver_sees_the_style_guide(database: Database, live_server: str,
                                                                      page: Any) -> None:
    from playwright.sync_api import expect

    world = make_world(database, profiles=("x",), approval_steps=["approver"])
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        writing.update_settings(ctx, writing.StyleGuideInput(
            language="hr", main_language="hr", banned=(("jeftino", "povoljno"),), disclosures=("#oglas",),
            paid_markers=("kod za popust",), tone_notes="Topao, prijateljski ton."))
        post = content.compose(world.ctx(session, "editor"), PostIn(
            text="Jeftino danas! Kod za popust: KAVA10", channel_ids=[world.channels["x"]],
            scheduled_at=(datetime.now() + timedelta(days=2)).replace(microsecond=0), intent=Intent.SUBMIT)).post
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, live_server, world.users["editor"])
    page.goto(f"{live_server}/w/{world.workspace_id}/compose")
    page.fill("textarea#text", "Pijte kavu kod nas, ovo je najbolja kavva.")
    item = page.locator("#writing .w-item", has_text="kavva")
    expect(item).to_be_visible(timeout=30_000)
    expect(page.locator("#writing")).to_contain_text("Topao, prijateljski ton.")
    item.get_by_role("button", name="Ignore").click()
    expect(page.locator("#writing .w-item", has_text="kavva")).to_have_count(0)

    page.context.clear_cookies()
    _sign_in(page, live_server, world.users["approver"])
    page.goto(f"{live_server}/w/{world.workspace_id}/approvals")
    card = page.locator(f"#approval-{post.id}")
    expect(card.locator(".approval-writing")).to_contain_text("jeftino")
    expect(card.locator(".approval-writing")).to_contain_text("#oglas")
    if os.environ.get("SOCIALDESK_SCREENSHOTS"):
        page.screenshot(path=os.environ["SOCIALDESK_SCREENSHOTS"] + "/writing-approvals.png", full_page=True)


def test_admin_edits_the_style_guide_and_dictionary_on_the_writing_page(database: Database, live_server: str,
                                                                       page: Any) -> None:
    from playwright.sync_api import expect

    world = make_world(database, profiles=("x",))
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, live_server, world.users["owner"])
    page.goto(f"{live_server}/w/{world.workspace_id}/writing")
    page.select_option("select[name=language]", "hr")
    page.fill("textarea[name=banned]", "jeftino = povoljno\nnajbolji")
    page.fill("textarea[name=preferred]", "email = e-mail")
    page.fill("textarea[name=disclosures]", "#oglas\n#ad")
    page.fill("textarea[name=tone_notes]", "Topao ton, <b>bez</b> vikanja.")
    page.check("input[name=blocking_kinds][value=banned_word]")
    page.click("text=Save style guide")
    expect(page.locator(".alert.note")).to_contain_text("Style guide saved.")
    expect(page.locator("textarea[name=banned]")).to_have_value("jeftino = povoljno\nnajbolji\n")
    expect(page.locator("textarea[name=tone_notes]")).to_have_value("Topao ton, <b>bez</b> vikanja.")
    page.fill("textarea[name=preferred]", "email")  # no right-hand side: refused, nothing lost
    page.click("text=Save style guide")
    expect(page.locator(".alert.error")).to_contain_text("write both sides")
    expect(page.locator("textarea[name=preferred]")).to_have_value("email = e-mail\n")

    page.fill("input[name=word]", "Kavomat")
    page.click("#dictionary button:has-text('Add')")
    expect(page.locator("[data-dictionary]")).to_contain_text("Kavomat")
    if os.environ.get("SOCIALDESK_SCREENSHOTS"):
        page.screenshot(path=os.environ["SOCIALDESK_SCREENSHOTS"] + "/writing-page.png", full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-dictionary] button:has-text('Remove')")
    expect(page.locator("[data-dictionary]")).not_to_contain_text("Kavomat")
    with database.unit_of_work() as session:
        s = writing.settings(world.ctx(session))
        assert s.language == "hr" and s.banned == [["jeftino", "povoljno"], ["najbolji", ""]]
        assert s.blocking_kinds == ["banned_word"]
