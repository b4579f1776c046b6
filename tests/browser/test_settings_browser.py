"""In a real browser: the owner invites someone, changes a member's role, removes a member, cannot demote the
last owner, pages through the audit log; the invited person accepts from the e-mailed link, sets a password,
and lands on what a client reviewer may see."""

from __future__ import annotations

import re
from email.message import Message
from typing import Any

import pytest

from socialdesk.audit import service as audit
from socialdesk.core.db import Database
from tests.helpers import PASSWORD, make_world
from tests.mail import smtp_server_fixture  # noqa: F401  (the smtp_server fixture)

pytestmark = pytest.mark.browser


def test_members_and_audit_log_on_the_settings_page(database: Database, smtp_server: list[Message],
                                                    live_server: str, page: Any, chromium: Any) -> None:
    from playwright.sync_api import expect

    world = make_world(database, profiles=())
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        for n in range(55):
            audit.record(ctx, "test.entry", "workspace", None, f"Old entry {n}")
    page.on("dialog", lambda dialog: dialog.accept())  # the Remove button asks first

    def member(email: str) -> Any:
        return page.locator(f"li.member[data-email='{email}']")

    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", world.users["owner"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.click("nav >> text=Settings")
    expect(page.locator("h1")).to_have_text("Settings")

    # Invite someone new, as a client reviewer.
    invite = page.locator("form[action$='/settings/invitations']")
    invite.locator("input[name=email]").fill("clara@client.test")
    invite.locator("select[name=role]").select_option("client_reviewer")
    invite.locator("button").click()
    expect(page.locator(".flash .alert.note")).to_contain_text("Invitation sent to clara@client.test")
    expect(page.locator(".invitations")).to_contain_text("clara@client.test")

    # The viewer becomes an editor.
    viewer = member(world.users["viewer"])
    viewer.locator("select[name=role]").select_option("editor")
    viewer.locator("button", has_text="Change").click()
    expect(page.locator(".flash .alert.note")).to_contain_text("Role changed to editor")
    expect(member(world.users["viewer"])
           .locator("select[name=role]")).to_have_value("editor")

    # The approver is removed.
    approver = member(world.users["approver"])
    approver.locator("button", has_text="Remove").click()
    expect(page.locator(".flash .alert.note")).to_contain_text("is no longer a member")
    expect(page.locator("#members")).not_to_contain_text(world.users["approver"])

    # The last owner stays an owner.
    me = member(world.users["owner"])
    me.locator("select[name=role]").select_option("viewer")
    me.locator("button", has_text="Change").click()
    expect(page.locator(".flash .alert.error")).to_contain_text("last owner")

    # The audit log: newest first, paged, with what was just done on the first page.
    log = page.locator("#audit")
    expect(log).to_contain_text("member.remove")
    expect(log).to_contain_text("Page 1 of 2")
    log.locator("a", has_text="Older").click()
    expect(page.locator("#audit")).to_contain_text("Page 2 of 2")
    expect(page.locator("#audit")).to_contain_text("Old entry 0")

    # Clara opens the link from the e-mail in her own browser, sets a password and joins.
    body = smtp_server[-1].get_payload(decode=True)
    assert isinstance(body, bytes)
    link = re.search(r"http://\S+/invitations/\S+", body.decode())
    assert link is not None
    clara = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    clara.goto(link.group(0))
    expect(clara.locator("h1")).to_contain_text("Join Brand A")
    clara.fill("input[name=name]", "Clara")
    clara.fill("input[name=password]", PASSWORD)
    clara.fill("input[name=password_again]", PASSWORD)
    clara.click("button[type=submit]")
    expect(clara.locator("h1")).to_have_text("Approvals")
    nav = clara.locator("nav.nav")
    expect(nav).to_contain_text("Reports")
    expect(nav).not_to_contain_text("Inbox")
    expect(nav).not_to_contain_text("Settings")
    clara.context.close()

    page.goto(page.url.split("?")[0])  # back to the first page of the audit log
    expect(page.locator("#members")).to_contain_text("clara@client.test")
    expect(page.locator("#audit")).to_contain_text("invitation.accept")
